"""Backups of what the portal cannot re-create, and their restore.

A backup is one folder, `p3dn-backup-<UTC time>/`:
- `database.dump`: `pg_dump --format=custom` of the whole database, taken in one snapshot;
- `files/`: every private upload (certificates, photos, objection attachments), by its
  stored name, read through the configured storage (folder or S3 bucket);
- `manifest.json`: what was in it at that snapshot: rows per table, the applied migrations,
  the portal version, the checksum of the dump and of every file, and the ids (never the
  keys) of the sealing keys its bids need.

It never holds a sealing key: those live with the portal's configuration and their holders.
A restore goes into an empty database and an empty storage only, and is verified against
the manifest (rows, files, migrations) and the configured sealing keys before it is
declared done."""

import hashlib
import json
import os
import shutil
import subprocess
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import psycopg
from django.conf import settings
from django.core.files import File

from vendors.uploads import private_storage

FORMAT = 1
DUMP = "database.dump"
FILES = "files"
MANIFEST = "manifest.json"
PREFIX = "p3dn-backup-"
_CHUNK = 1024 * 1024

PG_TOOL_MISSING = "{tool} is not installed: install the PostgreSQL client of the server's version."
PG_TOOL_FAILED = "{tool} failed (exit {code}): {stderr}"
NOT_A_BACKUP = "{path} holds no manifest.json: not a backup made by `manage.py backup`."
FORMAT_UNKNOWN = "This backup's format {found} is not one this portal reads ({known})."
BACKUP_DAMAGED = "The backup is damaged: {what} does not match its checksum in the manifest."
NAME_UNSAFE = "The manifest names a file outside the storage: {name!r}."
DATABASE_NOT_EMPTY = (
    "The database {name} is not empty ({count} tables): restore only into an empty database "
    "(createdb a new one and point DATABASE_URL at it)."
)
STORAGE_NOT_EMPTY = (
    "The private storage already holds files ({example}, ...): restore only into an empty "
    "folder or bucket (point MEDIA_ROOT or STORAGE_URL at a new one)."
)
ROWS_DIFFER = "After the restore, table {table} has {found} rows; the backup had {expected}."
TABLES_DIFFER = "After the restore, the tables differ from the backup's: {tables}."
MIGRATIONS_DIFFER = "After the restore, the applied migrations differ from the backup's."
FILES_DIFFER = "After the restore, {count} file(s) differ from the backup's: {names}."
BIDS_UNREADABLE = (
    "After the restore, {count} sealed bid(s) do not open with the configured BID_SEALING_KEYS "
    "or do not match their receipt (bid ids: {ids}). The backup needs the keys with ids: {keys}."
)


class BackupError(Exception):
    pass


# Where the database is ------------------------------------------------------------------------


def _database() -> dict:
    return settings.DATABASES["default"]


def _libpq_env() -> dict[str, str]:
    """The environment pg_dump and pg_restore read the connection from (no password on
    their command line, where `ps` would show it)."""
    db = _database()
    env = dict(os.environ)
    for variable, value in (
        ("PGDATABASE", db["NAME"]),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
        ("PGHOST", db.get("HOST")),
        ("PGPORT", db.get("PORT")),
        ("PGSSLMODE", db.get("OPTIONS", {}).get("sslmode")),
    ):
        if value:
            env[variable] = str(value)
    return env


def _connect() -> psycopg.Connection:
    """A connection of its own, whatever transaction Django's is in."""
    db = _database()
    return psycopg.connect(
        autocommit=True,
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        sslmode=db.get("OPTIONS", {}).get("sslmode"),
    )


def _run(tool: str, *args: str) -> None:
    binary = shutil.which(tool)
    if binary is None:
        raise BackupError(PG_TOOL_MISSING.format(tool=tool))
    result = subprocess.run(
        [binary, *args], env=_libpq_env(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(
            PG_TOOL_FAILED.format(tool=tool, code=result.returncode, stderr=result.stderr.strip())
        )


# What the database holds ----------------------------------------------------------------------

_TABLES = """
SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables
WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1
"""


def _tables(cursor: psycopg.Cursor) -> list[str]:
    return [row[0] for row in cursor.execute(_TABLES).fetchall()]


def _row_counts(cursor: psycopg.Cursor) -> dict[str, int]:
    return {
        # Names as quote_ident wrote them.
        table: cursor.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in _tables(cursor)
    }


def _migrations(cursor: psycopg.Cursor) -> list[list[str]]:
    rows = cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name").fetchall()
    return [list(row) for row in rows]


def _sealing_key_ids(cursor: psycopg.Cursor) -> dict[str, int]:
    rows = cursor.execute(
        "SELECT sealing_key_id, count(*) FROM procurement_bid GROUP BY 1 ORDER BY 1"
    ).fetchall()
    return dict(rows)


# Files ------------------------------------------------------------------------------------------


def _stored_names(storage, folder: str = "") -> Iterator[str]:
    """Every file of the storage, through its own listing (a folder or a bucket alike)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from _stored_names(storage, f"{folder}/{sub}" if folder else sub)


def _sha256_stream(read: Callable[[int], bytes], write: Callable[[bytes], object] | None) -> str:
    digest = hashlib.sha256()
    while chunk := read(_CHUNK):
        digest.update(chunk)
        if write is not None:
            write(chunk)
    return digest.hexdigest()


def _file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return _sha256_stream(handle.read, None)


def _safe(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in name:
        raise BackupError(NAME_UNSAFE.format(name=name))
    return path


def portal_version() -> str:
    with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)["project"]["version"]


# Backup -----------------------------------------------------------------------------------------


@dataclass
class Backup:
    path: Path
    manifest: dict


def backup_create(*, destination: Path, now: datetime | None = None) -> Backup:
    """Write a backup folder under `destination`; it appears complete or not at all."""
    now = now or datetime.now(UTC)
    final = destination / f"{PREFIX}{now:%Y%m%dT%H%M%SZ}"
    partial = destination / f".{final.name}.partial"
    destination.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(mode=0o700)
    try:
        manifest = _write(partial, now)
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return Backup(final, manifest)


def _write(folder: Path, now: datetime) -> dict:
    with _connect() as conn:
        # One snapshot for the counts and the dump: they describe the same moment.
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            (snapshot,) = conn.execute("SELECT pg_export_snapshot()").fetchone()
            cursor = conn.cursor()
            database = {
                "file": DUMP,
                "tables": _row_counts(cursor),
                "migrations": _migrations(cursor),
                "sealing_key_ids": _sealing_key_ids(cursor),
            }
            _run("pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={folder / DUMP}")
        finally:
            conn.execute("ROLLBACK")
    database["sha256"] = _file_sha256(folder / DUMP)
    # Files after the snapshot: every file a row of the dump names is still there (uploads are
    # never rewritten in place; a newer one is simply an extra file).
    storage = private_storage()
    files: dict[str, str] = {}
    for name in _stored_names(storage):
        target = folder / FILES / _safe(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as source, target.open("wb") as out:
            files[name] = _sha256_stream(source.read, out.write)
    manifest = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "portal_version": portal_version(),
        "database": database,
        "files": {"count": len(files), "sha256": files},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def backups_prune(*, destination: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest backups under `destination`; returns those deleted."""
    found = sorted(
        (p for p in destination.glob(f"{PREFIX}*") if (p / MANIFEST).is_file()),
        key=lambda p: p.name,
    )
    gone = found[: max(len(found) - keep, 0)]
    for path in gone:
        shutil.rmtree(path)
    return gone


# Restore ----------------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict:
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(NOT_A_BACKUP.format(path=source)) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(FORMAT_UNKNOWN.format(found=manifest.get("format"), known=FORMAT))
    return manifest


def _check_backup(source: Path, manifest: dict) -> None:
    """The backup itself is whole, before anything is written."""
    if _file_sha256(source / DUMP) != manifest["database"]["sha256"]:
        raise BackupError(BACKUP_DAMAGED.format(what=DUMP))
    for name, digest in manifest["files"]["sha256"].items():
        path = source / FILES / _safe(name)
        if not path.is_file() or _file_sha256(path) != digest:
            raise BackupError(BACKUP_DAMAGED.format(what=f"{FILES}/{name}"))


def _check_empty() -> None:
    with _connect() as conn:
        tables = _tables(conn.cursor())
    if tables:
        raise BackupError(DATABASE_NOT_EMPTY.format(name=_database()["NAME"], count=len(tables)))
    example = next(_stored_names(private_storage()), None)
    if example is not None:
        raise BackupError(STORAGE_NOT_EMPTY.format(example=example))


def backup_restore(*, source: Path, progress: Callable[[str], None] = lambda _: None) -> dict:
    """Restore a backup into the configured (empty) database and storage, then verify it.
    Returns the manifest."""
    manifest = read_manifest(source)
    _check_backup(source, manifest)
    _check_empty()
    progress("database")
    _run(
        "pg_restore",
        "--exit-on-error",
        "--single-transaction",
        "--no-owner",
        f"--dbname={_database()['NAME']}",
        str(source / DUMP),
    )
    progress("files")
    storage = private_storage()
    for name in manifest["files"]["sha256"]:
        with (source / FILES / _safe(name)).open("rb") as handle:
            stored = storage.save(name, File(handle, name=name))
        if stored != name:
            raise BackupError(FILES_DIFFER.format(count=1, names=name))
    progress("verify")
    backup_verify(manifest)
    return manifest


def backup_verify(manifest: dict) -> None:
    """The configured database and storage hold what the manifest says, and every sealed bid
    opens with the configured keys and matches its receipt."""
    with _connect() as conn:
        cursor = conn.cursor()
        expected, found = manifest["database"]["tables"], _row_counts(cursor)
        if set(found) != set(expected):
            raise BackupError(
                TABLES_DIFFER.format(tables=", ".join(sorted(set(found) ^ set(expected))))
            )
        for table, rows in expected.items():
            if found[table] != rows:
                raise BackupError(
                    ROWS_DIFFER.format(table=table, found=found[table], expected=rows)
                )
        if _migrations(cursor) != manifest["database"]["migrations"]:
            raise BackupError(MIGRATIONS_DIFFER)
    storage = private_storage()
    wanted = manifest["files"]["sha256"]
    present = set(_stored_names(storage))
    differ = sorted(present ^ set(wanted))
    for name in sorted(present & set(wanted)):
        with storage.open(name, "rb") as handle:
            if _sha256_stream(handle.read, None) != wanted[name]:
                differ.append(name)
    if differ:
        raise BackupError(FILES_DIFFER.format(count=len(differ), names=", ".join(differ[:10])))
    _verify_sealed_bids(manifest)


def _verify_sealed_bids(manifest: dict) -> None:
    from procurement import rules, sealing
    from procurement.models import Bid

    unreadable = []
    for bid in Bid.objects.filter(rules.sealed_bids()).only("pk", "sealed_content", "receipt_hash"):
        try:
            ok = sealing.receipt(sealing.unseal(bid.sealed_content)) == bid.receipt_hash
        except Exception:  # ImproperlyConfigured, or content that is no JSON
            ok = False
        if not ok:
            unreadable.append(bid.pk)
    if unreadable:
        raise BackupError(
            BIDS_UNREADABLE.format(
                count=len(unreadable),
                ids=", ".join(map(str, unreadable[:20])),
                keys=", ".join(manifest["database"]["sealing_key_ids"]) or "-",
            )
        )
