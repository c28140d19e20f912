"""`make bench`: the portal at scale, served as in production and measured under load.

1. A database of its own (`p3dn_bench`, or `p3dn_bench_small` with --small) on the server of
   DATABASE_URL, filled by `seed_scale` the first time and reused afterwards.
2. gunicorn on 127.0.0.1 with production settings and persistent connections; wrk drives
   each page with 20 concurrent clients over thousands of distinct URLs drawn from the seeded
   data (benchmarks.paths; the wrk script picks one per request), the directory while a
   product is edited every second (benchmarks.edits), and its one hot URL beside it for
   comparison. A bare Django view on the same stack (benchmarks.bare) is the physical limit;
   the *ceiling page* (the profile: logged in, one small query) is measured first and last,
   with a profile of its cost per middleware layer (benchmarks.layers). Machines and their
   load differ, so every target is a ratio in the same run (benchmarks.targets): the
   ceiling's throughput of the bare view's, each page's throughput of the ceiling's and its
   p95 of the ceiling's p95. Each page's queries are counted on an empty cache, once on the
   big case and once on a small one (the count must not grow with the data), the queries of
   every request are EXPLAINed (no whole read of a big table), and the first request after
   a change of the data is timed. The Django admin's changelists and searches are driven
   the same way.
3. A Celery worker runs the evaluation job (5,000 bids x 20 items) and the scheduler (the
   event's 10,000 requests); the OCDS export (what `export_ocds` writes) is timed.
4. The peak memory of the web and worker processes.

One line per figure: `BENCH <name> <value> <unit> target <op> <target> met|MISSED`. The exit
status is 1 when any target is missed.
"""

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet

from benchmarks import database, jobs, targets, web
from benchmarks.report import Report
from p3dn_portal.lib.env import development_key

ROOT = Path(__file__).resolve().parents[1]
# Redis databases of its own (queue, cache), unless BENCH_REDIS_DB names another pair.
BENCH_REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "9"))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="make bench")
    parser.add_argument("--small", action="store_true", help="seed_scale --small (a quick run)")
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per page")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers (one per core)"
    )
    parser.add_argument("--pages", help="only these pages, comma-separated (e.g. dashboard)")
    parser.add_argument("--no-jobs", action="store_true", help="pages only")
    return parser.parse_args()


def _production_env(database_url: str) -> dict[str, str]:
    """DEBUG off, persistent connections, a fresh key; HTTPS is what the proxy in front says
    (X-Forwarded-Proto), as in a deployment behind a TLS-terminating proxy."""
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    return dict(
        os.environ,
        DEBUG="0",
        DJANGO_SETTINGS_MODULE="p3dn_portal.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        # The checkout's development key: the bench database, seeded once, stays readable.
        BID_SEALING_KEYS=os.environ.get("BID_SEALING_KEYS")
        or development_key(ROOT / ".bid_sealing_key", lambda: Fernet.generate_key().decode()),
        ALLOWED_HOSTS="127.0.0.1,testserver",
        DATABASE_URL=database_url,
        CONN_MAX_AGE="60",
        REDIS_URL=f"{redis}/{BENCH_REDIS_DB}",
        CACHE_URL=f"{redis}/{BENCH_REDIS_DB + 1}",
        SECURE_PROXY_SSL_HEADER="1",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )


def main() -> int:
    args = _arguments()
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("Set DATABASE_URL (make bench does: the embedded PostgreSQL otherwise).")
    # BENCH_DATABASE names a copy (e.g. one per branch: CREATE DATABASE … TEMPLATE p3dn_bench).
    name = os.environ.get("BENCH_DATABASE") or ("p3dn_bench_small" if args.small else "p3dn_bench")
    seed_args = ["--small"] if args.small else []
    env = _production_env(database.bench_url(os.environ["DATABASE_URL"], name))
    database.ensure(os.environ["DATABASE_URL"], name, env, seed_args)
    database.tidy(os.environ["DATABASE_URL"], name)
    os.environ.update(env)
    import django

    django.setup()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True
    )
    from benchmarks import pages

    report = Report()
    port, bare_port = web.free_port(), web.free_port()
    only = set(args.pages.split(",")) if args.pages else None
    with (
        web.gunicorn(env, workers=args.workers, port=port) as server,
        web.gunicorn(env, workers=args.workers, port=bare_port, bare=True),
        tempfile.TemporaryDirectory() as folder,
    ):
        pages.measure(
            report,
            f"http://127.0.0.1:{port}",
            f"http://127.0.0.1:{bare_port}",
            Path(folder),
            seconds=args.seconds,
            clients=targets.CLIENTS,
            only=only,
        )
        report.add(
            "web.peak_memory", web.peak_of_tree(server.pid), "MiB", "<", targets.WEB_MEMORY_MIB
        )
    if not args.no_jobs:
        _measure_jobs(report, env)
    if report.missed:
        print(f"{len(report.missed)} of {len(report.figures)} targets missed.", flush=True)
        return 1
    print(f"All {len(report.figures)} targets met.", flush=True)
    return 0


def _measure_jobs(report: Report, env: dict[str, str]) -> None:
    from benchmarks import fixtures

    manifest = fixtures.load()
    with jobs.celery_worker(env) as worker:
        seconds, ranked = jobs.evaluation_seconds(manifest.eval_package_id)
        print(f"# evaluation: {ranked:,} bids ranked", flush=True)
        report.add("evaluation.job", seconds, "s", "<", targets.EVALUATION_S)
        seconds, placed, requests = jobs.schedule_seconds(manifest.event_id, manifest.admin_id)
        print(f"# scheduler: {placed:,} of {requests:,} requests placed", flush=True)
        report.add("scheduler.job", seconds, "s", "<", targets.SCHEDULER_S)
        peak = web.peak_of_tree(worker.pid)
        report.add("worker.peak_memory", peak, "MiB", "<", targets.WORKER_MEMORY_MIB)
    seconds, packages, size = jobs.ocds_export_seconds()
    print(f"# OCDS export: {packages:,} packages, {size / 2**20:.0f} MiB in {seconds:.1f} s")
    report.add(
        "ocds.export_per_10k",
        seconds * 10_000 / max(packages, 1),
        "s",
        "<",
        targets.OCDS_S_PER_10K,
    )


if __name__ == "__main__":
    sys.exit(main())
