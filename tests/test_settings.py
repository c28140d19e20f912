"""The settings module refuses to start a production-like portal that is missing a value."""

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
SEALING_KEY = Fernet.generate_key().decode()


def _start(**env: str) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**keep, "DJANGO_SETTINGS_MODULE": "p3dn_portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_to_start_without_secret_key_when_debug_is_off():
    result = _start(DEBUG="0", ALLOWED_HOSTS="p3dn.jakarta.go.id", BID_SEALING_KEYS=SEALING_KEY)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_refuses_to_start_without_allowed_hosts_when_debug_is_off():
    result = _start(DEBUG="0", SECRET_KEY="x" * 60, BID_SEALING_KEYS=SEALING_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_it_refuses_a_debug_value_it_does_not_understand():
    result = _start(DEBUG="mungkin")
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_it_refuses_to_start_without_a_database_url():
    result = _start(DEBUG="1", DATABASE_URL="")
    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr


def test_it_refuses_to_start_without_sealing_keys_when_debug_is_off():
    result = _start(DEBUG="0", SECRET_KEY="x" * 60, ALLOWED_HOSTS="p3dn.jakarta.go.id")
    assert result.returncode != 0
    assert "BID_SEALING_KEYS is not set" in result.stderr
    assert "refuses to start" in result.stderr


def test_it_refuses_a_sealing_key_that_is_not_a_fernet_key():
    result = _start(
        DEBUG="0",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="p3dn.jakarta.go.id",
        BID_SEALING_KEYS=f"{SEALING_KEY},not-a-key",
    )
    assert result.returncode != 0
    assert "BID_SEALING_KEYS must be comma-separated Fernet keys" in result.stderr


def test_it_reads_the_sealing_keys_from_a_file(tmp_path):
    keys = tmp_path / "bid_sealing_keys"
    keys.write_text(f"{SEALING_KEY},{Fernet.generate_key().decode()}\n")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(len(settings.BID_SEALING_KEYS), settings.BID_SEALING_KEYS[0])",
        ],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "DATABASE_URL"}},
            "DJANGO_SETTINGS_MODULE": "p3dn_portal.settings",
            "DEBUG": "0",
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "p3dn.jakarta.go.id",
            "BID_SEALING_KEYS_FILE": str(keys),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", SEALING_KEY]


def test_it_never_derives_the_sealing_key_from_secret_key():
    """Two portals with the same SECRET_KEY and DEBUG on share no sealing key unless one is
    given: the development key is its own random secret."""
    from django.conf import settings

    assert len(settings.BID_SEALING_KEYS) == 1
    Fernet(settings.BID_SEALING_KEYS[0])  # a real key, read from .bid_sealing_key
    assert settings.BID_SEALING_KEYS[0] == (ROOT / ".bid_sealing_key").read_text().strip()


def test_it_starts_with_debug_off_when_everything_is_set():
    result = _start(
        DEBUG="0",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="p3dn.jakarta.go.id",
        BID_SEALING_KEYS=SEALING_KEY,
    )
    assert result.returncode == 0, result.stderr


def test_it_passes_the_deployment_checklist_without_warnings():
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "DATABASE_URL"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **keep,
            "DEBUG": "0",
            "SECRET_KEY": "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789" * 2,
            "ALLOWED_HOSTS": "p3dn.jakarta.go.id",
            "BID_SEALING_KEYS": SEALING_KEY,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_env_example_lists_every_variable_the_settings_read():
    import re

    settings_source = (ROOT / "p3dn_portal" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z_]+)"', settings_source))
    listed = set(re.findall(r"^#? ?([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read - listed == set()
