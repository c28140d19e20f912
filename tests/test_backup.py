"""Backups and the restore drill: `manage.py backup` then `manage.py restore` into a fresh
database and folder gives back every row and every file, byte for byte, with the audit log
still append-only and sealed bids that still open, and never carries a sealing key."""

import io
import json
import os
import re
import shlex
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import yaml
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from p3dn_portal.lib import backup
from procurement import rules, sealing
from procurement.models import Bid
from tests import storage

ROOT = Path(__file__).resolve().parent.parent
PDF = b"%PDF-1.4 small\n%%EOF\n"

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Database:
    name: str
    env: dict[str, str]  # how a subprocess reaches it

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(**_params(self.name), autocommit=True)


def _params(name: str) -> dict:
    db = connection.settings_dict
    return {
        "dbname": name,
        "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
    }


def _database_env(name: str) -> dict[str, str]:
    """How a subprocess reaches the database `name` on the test database's server."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env = {"DATABASE_URL": f"postgres://{credentials}@/{name}"}
    if db["HOST"]:
        env["PGHOST"] = db["HOST"]
    if db["PORT"]:
        env["PGPORT"] = str(db["PORT"])
    return env


@pytest.fixture
def fresh_database() -> Database:
    """An empty database beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_drill_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(**_params("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield Database(name, _database_env(name))
    with psycopg.connect(**_params("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """The command as an operator runs it: its own process, its own settings."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "p3dn_portal.settings",
            "DEBUG": "1",
            "LOG_LEVEL": "WARNING",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )


_TABLES = """
SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables
WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1
"""


def _contents(conn: psycopg.Connection) -> dict[str, tuple]:
    """Every table's rows (count and digest of their text, sorted) and every sequence's
    position: equal for two databases only when they hold the same data."""
    found = {}
    for (table,) in conn.execute(_TABLES).fetchall():
        found[table] = conn.execute(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "
            f"FROM {table} t"
        ).fetchone()
    for name, value in conn.execute(
        "SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences"
    ).fetchall():
        found[f"sequence {name}"] = (value,)
    return found


def _backup(tmp_path: Path) -> Path:
    call_command("backup", "--output", str(tmp_path / "backups"), stdout=io.StringIO())
    (folder,) = (tmp_path / "backups").iterdir()
    return folder


def _small_data() -> None:
    """One vendor with one certificate: one upload."""
    from tests.factories import TKDNCertificateFactory

    TKDNCertificateFactory(file=ContentFile(PDF, name="sertifikat.pdf"))


@pytest.mark.both_storages
def test_the_restore_drill_on_the_demo_data_is_byte_identical(
    tmp_path, fresh_database, private_storage_kind, request
):
    call_command("seed_demo", "--force", stdout=io.StringIO())
    sealed = list(Bid.objects.filter(rules.sealed_bids()).values_list("pk", "receipt_hash"))
    assert sealed, "the demo data has sealed bids"
    uploads = storage.stored_files()
    assert len(uploads) > 5, "the demo data has uploads"
    folder = _backup(tmp_path)
    server = request.getfixturevalue("s3_server") if private_storage_kind == "s3" else None
    restored_storage, restored_files = storage.fresh_storage(
        private_storage_kind, folder=tmp_path / "restored-media", server=server
    )

    result = _manage("restore", str(folder), env={**fresh_database.env, **restored_storage})

    assert result.returncode == 0, result.stdout + result.stderr
    assert "every sealed bid opens" in result.stdout
    with psycopg.connect(**_params(connection.settings_dict["NAME"])) as original:
        before = _contents(original)
    with fresh_database.connect() as restored:
        assert _contents(restored) == before
        # The audit log is still append-only: its trigger came back with the rows.
        (trigger,) = restored.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditentry'::regclass "
            "AND NOT tgisinternal"
        ).fetchone()
        assert trigger == "audit_entry_append_only"
        with pytest.raises(psycopg.Error, match="append-only"):
            restored.execute("UPDATE audit_auditentry SET note = 'changed'")
        with pytest.raises(psycopg.Error, match="append-only"):
            restored.execute("DELETE FROM audit_auditentry")
        # A sealed bid read back from the restored database opens, and matches its receipt.
        pk, receipt = sealed[0]
        (token,) = restored.execute(
            "SELECT sealed_content FROM procurement_bid WHERE id = %s", [pk]
        ).fetchone()
    assert sealing.receipt(sealing.unseal(token)) == receipt
    assert restored_files() == uploads


def test_a_backup_holds_a_manifest_and_never_a_sealing_key(tmp_path, settings):
    _small_data()
    folder = _backup(tmp_path)

    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["portal_version"] == backup.portal_version()
    assert manifest["database"]["tables"]["public.vendors_tkdncertificate"] == 1
    assert ["procurement", "0007_bid_sealing_key_id"] in manifest["database"]["migrations"]
    (name,) = manifest["files"]["sha256"]
    assert manifest["files"]["count"] == 1
    assert (folder / "files" / name).read_bytes() == PDF
    everything = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    for key in settings.BID_SEALING_KEYS:
        assert key.encode() not in everything
        assert Fernet(key)._signing_key not in everything
        assert Fernet(key)._encryption_key not in everything


def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    _small_data()
    folder = _backup(tmp_path)
    with pytest.raises(CommandError, match="empty database") as error:
        call_command("restore", str(folder), stdout=io.StringIO())
    assert str(error.value).startswith(
        backup.DATABASE_NOT_EMPTY.split("{")[0]
    ) and "restore only into an empty database" in str(error.value)


def test_restore_refuses_a_storage_that_is_not_empty(tmp_path, fresh_database):
    _small_data()
    folder = _backup(tmp_path)
    media = tmp_path / "used-media"
    (media / "private" / "tkdn").mkdir(parents=True)
    (media / "private" / "tkdn" / "earlier.pdf").write_bytes(b"%PDF-1.4\n")

    result = _manage("restore", str(folder), env={**fresh_database.env, "MEDIA_ROOT": str(media)})

    assert result.returncode != 0
    assert backup.STORAGE_NOT_EMPTY.format(example="tkdn/earlier.pdf") in result.stderr
    with fresh_database.connect() as conn:
        assert conn.execute(_TABLES).fetchall() == []  # nothing was restored


def test_restore_refuses_a_damaged_backup_before_writing_anything(tmp_path):
    _small_data()
    folder = _backup(tmp_path)
    (name,) = json.loads((folder / "manifest.json").read_text())["files"]["sha256"]
    (folder / "files" / name).write_bytes(b"%PDF-1.4 tampered\n%%EOF\n")
    with pytest.raises(CommandError, match=re.escape(f"files/{name}")) as error:
        call_command("restore", str(folder), stdout=io.StringIO())
    assert str(error.value) == backup.BACKUP_DAMAGED.format(what=f"files/{name}")


def test_restore_without_the_sealing_keys_of_the_backup_says_which_keys_it_needs(
    tmp_path, fresh_database, old_and_other_key
):
    key_id = _bid_sealed_with(old_and_other_key)
    folder = _backup(tmp_path)

    result = _manage(
        "restore",
        str(folder),
        env={
            **fresh_database.env,
            "MEDIA_ROOT": str(tmp_path / "restored"),
            "BID_SEALING_KEYS": Fernet.generate_key().decode(),
        },
    )

    assert result.returncode != 0
    assert "do not open with the configured BID_SEALING_KEYS" in result.stderr
    assert f"The backup needs the keys with ids: {key_id}" in result.stderr


@pytest.fixture
def old_and_other_key(settings):
    settings.BID_SEALING_KEYS = [Fernet.generate_key().decode()]
    return settings


def _bid_sealed_with(portal_settings) -> str:
    from tests.factories import OfficerFactory, PackageFactory, VendorMemberFactory

    officer = OfficerFactory().user
    package = PackageFactory(opd=officer.officer.opd, created_by=officer)
    member = VendorMemberFactory()
    Bid.objects.create(
        package=package,
        vendor=member.vendor,
        version=1,
        submitted_by=member.user,
        submitted_at=package.opens_at,
        **sealing.sealed_fields({"lines": [], "total": "1.00"}),
    )
    return sealing.current_key_id()


def test_backups_beyond_the_number_to_keep_are_deleted_oldest_first(tmp_path):
    from datetime import UTC, datetime

    for day in (1, 2, 3):
        backup.backup_create(destination=tmp_path, now=datetime(2026, 12, day, 1, tzinfo=UTC))
    gone = backup.backups_prune(destination=tmp_path, keep=2)
    assert [p.name for p in gone] == ["p3dn-backup-20261201T010000Z"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "p3dn-backup-20261202T010000Z",
        "p3dn-backup-20261203T010000Z",
    ]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_compose_backup_service_keeps_the_uploads_read_only_and_the_backups_apart():
    services = _compose()["services"]
    backup_service, web = services["backup"], services["web"]
    env = backup_service["environment"]
    # The portal's own settings (its database, storage and keys), plus how many to keep.
    assert web["environment"] == {
        k: v for k, v in env.items() if k not in ("BACKUP_KEEP", "LOG_LEVEL")
    }
    assert env["BACKUP_ROOT"] == "/var/backups/p3dn"
    volumes = backup_service["volumes"]
    assert f"media:{env['MEDIA_ROOT']}:ro" in volumes
    assert "secrets:/run/p3dn:ro" in volumes
    assert f"backups:{env['BACKUP_ROOT']}" in volumes
    assert "backups" in _compose()["volumes"]
    assert backup_service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_compose_backup_service_command_writes_a_backup_that_restores(
    tmp_path, fresh_database, private_storage_env, private_storage_kind, request
):
    """The service's shell loop as compose runs it (`$$` is compose's escaped `$`), for one
    round instead of a day's sleep, on the test database: it writes a backup that restores."""
    _small_data()
    command = _compose()["services"]["backup"]["command"].replace("$$", "$")
    assert "sleep 86400" in command
    one_round = command.replace("sleep 86400", "break")
    (shell, flag, script) = shlex.split(one_round)
    assert (shell, flag) == ("sh", "-c")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "DJANGO_SETTINGS_MODULE": "p3dn_portal.settings",
        "DEBUG": "1",
        "BACKUP_ROOT": str(tmp_path / "backups"),
        "BACKUP_KEEP": "2",
        **_database_env(connection.settings_dict["NAME"]),
        **private_storage_env,
    }
    ran = subprocess.run(
        [shell, flag, script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )

    assert ran.returncode == 0 and "BACKUP FAILED" not in ran.stderr, ran.stdout + ran.stderr
    (folder,) = (tmp_path / "backups").iterdir()
    assert json.loads((folder / "manifest.json").read_text())["files"]["count"] == 1
    server = request.getfixturevalue("s3_server") if private_storage_kind == "s3" else None
    restored_storage, restored_files = storage.fresh_storage(
        private_storage_kind, folder=tmp_path / "restored-media", server=server
    )
    restored = _manage("restore", str(folder), env={**fresh_database.env, **restored_storage})
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert list(restored_files().values()) == [PDF]
