"""Tiny helpers that read settings from the environment and fail loudly on bad values."""

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

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
