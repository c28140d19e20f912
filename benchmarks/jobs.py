"""The background jobs, timed through a real Celery worker: the evaluation of a package and
the scheduler of an event. And the OCDS export, timed as the command an operator runs."""

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
JOB_TIMEOUT = 300


@contextmanager
def celery_worker(env: dict[str, str], *, concurrency: int = 2):
    """A worker on the bench's own Redis database, its queue emptied first."""
    celery = [str(BIN / "celery"), "-A", "p3dn_portal"]
    subprocess.run([*celery, "purge", "-f"], cwd=ROOT, env=env, check=True, capture_output=True)
    worker = subprocess.Popen(
        [*celery, "worker", "--loglevel", "WARNING", "--concurrency", str(concurrency)],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_for_worker(celery, env, worker)
        yield worker
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def _wait_for_worker(celery: list[str], env: dict[str, str], worker: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise SystemExit(f"the Celery worker stopped at start (exit {worker.returncode})")
        ping = subprocess.run(
            [*celery, "inspect", "ping", "--timeout", "1"], cwd=ROOT, env=env, capture_output=True
        )
        if ping.returncode == 0:
            return
    raise SystemExit("the Celery worker did not answer within 60 s")


def _wait_done(load: Callable[[], object], done: set[str]) -> object:
    deadline = time.monotonic() + JOB_TIMEOUT
    while time.monotonic() < deadline:
        run = load()
        if run.status in done:
            return run
        time.sleep(0.05)
    raise SystemExit(f"a job did not finish within {JOB_TIMEOUT} s")


def evaluation_seconds(package_id: int, rounds: int = 3) -> tuple[float, int]:
    """Median time of the evaluation job (the worker's start to its end), and bids ranked."""
    from procurement.models import EvaluationRun, Package, RunStatus
    from procurement.tasks import evaluation_run

    package = Package.objects.get(pk=package_id)
    timings, ranked = [], 0
    for _ in range(rounds):
        run = EvaluationRun.objects.create(
            package=package,
            rule_version="bench",
            formula=package.evaluation_formula,
            max_preference_pct=package.max_preference_pct or Decimal("0"),
        )
        evaluation_run.apply_async(args=[run.pk])
        run = _wait_done(
            lambda pk=run.pk: EvaluationRun.objects.get(pk=pk),
            {RunStatus.SUCCEEDED, RunStatus.FAILED},
        )
        if run.status != RunStatus.SUCCEEDED:
            raise SystemExit(f"evaluation run {run.pk} failed: {run.error}")
        timings.append((run.finished_at - run.started_at).total_seconds())
        ranked = run.results.count()
    return statistics.median(timings), ranked


def schedule_seconds(event_id: int, by_id: int, rounds: int = 3) -> tuple[float, int, int]:
    """Median time of the scheduler job over the event's accepted meetings; meetings placed
    and requests considered."""
    from matching.models import RunStatus, ScheduleRun
    from matching.tasks import schedule_run

    timings, placed, requests = [], 0, 0
    for _ in range(rounds):
        run = ScheduleRun.objects.create(event_id=event_id, requested_by_id=by_id)
        schedule_run.apply_async(args=[run.pk])
        run = _wait_done(
            lambda pk=run.pk: ScheduleRun.objects.get(pk=pk), {RunStatus.DONE, RunStatus.FAILED}
        )
        if run.status != RunStatus.DONE:
            raise SystemExit(f"schedule run {run.pk} failed: {run.error}")
        timings.append((run.finished_at - run.started_at).total_seconds())
        placed, requests = run.placed, run.requests
    return statistics.median(timings), placed, requests


def ocds_export_seconds() -> tuple[float, int, int]:
    """Time of the OCDS release package of every package, written to a file by the code
    `export_ocds` runs (the command's own start-up left out); packages in it, and size."""
    from django.conf import settings

    from opendata.ocds import published_packages, write_release_package

    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "ocds.json"
        start = time.perf_counter()
        with output.open("w", encoding="utf-8") as out:
            write_release_package(out, uri=settings.SITE_URL + "/open-data/ocds.json")
        seconds = time.perf_counter() - start
        size = output.stat().st_size
    return seconds, published_packages().count(), size
