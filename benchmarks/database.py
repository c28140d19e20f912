"""The benchmark's own database, on the server DATABASE_URL points at: created, migrated and
filled by `seed_scale` on first use, reused afterwards."""

import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parents[1]


def bench_url(database_url: str, name: str) -> str:
    """The same server and credentials, another database."""
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _connect(url: str) -> psycopg.Connection:
    """psycopg reads the socket directory of the embedded server from the host part."""
    import dj_database_url

    config = dj_database_url.parse(url)
    return psycopg.connect(
        dbname=config["NAME"],
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
    )


def ensure(database_url: str, name: str, env: dict[str, str], seed_args: list[str]) -> bool:
    """Create and seed the bench database unless it is already seeded. True when seeded now."""
    url = bench_url(database_url, name)
    with _connect(bench_url(database_url, "postgres")) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    manage = [sys.executable, "manage.py"]
    bench_env = dict(env, DATABASE_URL=url)
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=bench_env, check=True)
    with _connect(url) as conn:
        seeded = conn.execute("SELECT EXISTS (SELECT 1 FROM vendors_vendor)").fetchone()[0]
    if seeded:
        print(f"Reusing the seeded database {name!r} (drop it to seed again).", flush=True)
        return False
    print(f"Seeding {name!r} with seed_scale {' '.join(seed_args)}…", flush=True)
    start = time.perf_counter()
    subprocess.run([*manage, "seed_scale", *seed_args], cwd=ROOT, env=bench_env, check=True)
    print(f"Seeded in {time.perf_counter() - start:.0f} s.", flush=True)
    return True


def tidy(database_url: str, name: str) -> None:
    """VACUUM ANALYZE: fresh statistics and visibility maps before measuring (autovacuum may
    be off, and the jobs of an earlier run rewrote meetings and results)."""
    start = time.perf_counter()
    with _connect(bench_url(database_url, name)) as conn:
        conn.execute("VACUUM (ANALYZE)")
    print(f"VACUUM ANALYZE in {time.perf_counter() - start:.0f} s.", flush=True)
