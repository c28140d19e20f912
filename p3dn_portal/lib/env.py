"""Tiny helpers that read settings from the environment and fail loudly on bad values."""

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}."
    )


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}.") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def read_secret_file(path: str | None) -> str | None:
    """The contents of a secret file (the `*_FILE` convention of container deployments)."""
    if not path:
        return None
    try:
        return Path(path).read_text().strip() or None
    except OSError as error:
        raise ImproperlyConfigured(
            f"Cannot read the secret file {path}: {error.strerror}."
        ) from None


def development_key(path: Path, generate: Callable[[], str]) -> str:
    """A key for development and tests, generated once into a git-ignored file of the
    checkout and kept (every process, test servers included, reads the same one). Says so on
    stderr the one time it is generated."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text().strip()
        if key:
            return key
        # Another process is writing it this instant: wait for its content.
        for _ in range(50):
            time.sleep(0.02)
            if key := path.read_text().strip():
                return key
        raise ImproperlyConfigured(
            f"The development key file {path} is empty: delete it."
        ) from None
    key = generate()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    print(
        f"Generated a development key in {path} (DEBUG only; production sets its own).",
        file=sys.stderr,
    )
    return key


def redis_url_with_database(url: str, number: int) -> str:
    """The same Redis server, database `number`."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{number}"))


def redis_url_next_database(url: str) -> str:
    """The Redis database after REDIS_URL's (`redis://host:6379/0` -> `.../1`): the cache's
    default, so that two checkouts with their own REDIS_URL never share a cache."""
    return redis_url_with_database(url, int(urlsplit(url).path.strip("/") or 0) + 1)


STORAGE_URL_INVALID = (
    "STORAGE_URL must be empty (the folder MEDIA_ROOT/private) or "
    "s3://BUCKET[/PREFIX][?endpoint_url=https://...&region=...&addressing_style=path]; "
    "got {url!r}."
)
_S3_QUERY = {"endpoint_url", "region", "addressing_style"}


def private_storage_from_url(
    url: str, *, folder: Path, access_key: str | None, secret_key: str | None
) -> dict:
    """The STORAGES entry of the private uploads: the folder when `url` is empty, else an
    S3-compatible bucket (MinIO, Ceph, a cloud bucket) through django-storages. Private
    either way: objects get no public ACL and the portal never links to them."""
    if not url:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder, "base_url": None},
        }
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if parts.scheme != "s3" or not parts.hostname or set(query) - _S3_QUERY:
        raise ImproperlyConfigured(STORAGE_URL_INVALID.format(url=url))
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": parts.hostname,
            "location": parts.path.strip("/"),
            "endpoint_url": query.get("endpoint_url") or None,
            "region_name": query.get("region") or None,
            "addressing_style": query.get("addressing_style") or None,
            # Empty: boto3's own chain (AWS_* variables, an instance or pod role).
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "default_acl": "private",
            "file_overwrite": False,  # names are random; never replace a stored file
            "signature_version": "s3v4",
            # Signed links only, short-lived; the portal streams files through its views.
            "querystring_auth": True,
            "querystring_expire": 300,
            "custom_domain": None,
        },
    }
