"""The OCDS validation needs the standard's zip: without it, a run that requires every
service fails instead of skipping the validating tests."""

import pytest
from _pytest.outcomes import Failed, Skipped

from tests.opendata import schema


def test_a_missing_standard_zip_fails_when_every_service_is_required(monkeypatch, tmp_path):
    monkeypatch.setattr(schema, "STANDARD_ZIP", tmp_path / "standard-1__1__5.zip")
    monkeypatch.setenv("REQUIRE_SERVICES", "1")
    with pytest.raises(Failed, match=r"OCDS 1\.1\.5 schema zip not found .*REQUIRE_SERVICES=1"):
        schema._standard_file("release-schema.json")


def test_a_missing_standard_zip_skips_with_the_reason_otherwise(monkeypatch, tmp_path):
    monkeypatch.setattr(schema, "STANDARD_ZIP", tmp_path / "standard-1__1__5.zip")
    monkeypatch.delenv("REQUIRE_SERVICES", raising=False)
    with pytest.raises(Skipped, match=r"OCDS 1\.1\.5 schema zip not found"):
        schema._standard_file("release-schema.json")
