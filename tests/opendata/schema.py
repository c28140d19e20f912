"""Offline validation of our OCDS output: the OCDS 1.1.5 release-package and release
schemas from the standard's zip (../shared/ocds/, never copied into the repository), with
the bid extension (vendored excerpt) and our local-content extension merged in as JSON
Merge Patches, the way the extension registry tools build a profile."""

import json
import zipfile
from functools import cache
from pathlib import Path

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.services import service_missing

REPO = Path(__file__).resolve().parents[2]
STANDARD_ZIP = REPO.parent / "shared" / "ocds" / "standard-1__1__5.zip"
EXTENSION = REPO / "docs" / "ocds-extension"
PATCHES = [
    EXTENSION / "vendor" / "bids-release-schema.json",
    EXTENSION / "vendor" / "partyScale-release-schema.json",
    EXTENSION / "release-schema.json",
]
RELEASE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"


def merge_patch(target, patch):
    """RFC 7386: objects merge key by key, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key == "$comment":
            continue
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _standard_file(name: str) -> dict:
    if not STANDARD_ZIP.exists():
        service_missing(
            f"OCDS 1.1.5 schema zip not found at {STANDARD_ZIP}: the validation tests need the "
            "shared ocds/ folder beside the checkout (no network at test time)."
        )
    with zipfile.ZipFile(STANDARD_ZIP) as archive:
        return json.loads(archive.read(f"standard-1__1__5/schema/{name}"))


@cache
def release_schema() -> dict:
    """The OCDS 1.1.5 release schema with the bid and local-content extensions merged in."""
    release = _standard_file("release-schema.json")
    for patch in PATCHES:
        release = merge_patch(release, json.loads(patch.read_text()))
    Draft4Validator.check_schema(release)
    return release


@cache
def _validator(package_schema: str = "release-package-schema.json") -> Draft4Validator:
    package = _standard_file(package_schema)
    registry = Registry().with_resource(
        RELEASE_SCHEMA_URL, Resource.from_contents(release_schema(), default_specification=DRAFT4)
    )
    # Checks "date-time" fields (RFC 3339, with an offset) given rfc3339-validator.
    return Draft4Validator(
        package, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER
    )


def validation_errors(data: dict) -> list[str]:
    """Errors against the release-package schema, or the record-package schema when the
    data holds records."""
    kind = "record-package-schema.json" if "records" in data else "release-package-schema.json"
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in _validator(kind).iter_errors(data)
    ]
