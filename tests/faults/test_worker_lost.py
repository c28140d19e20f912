"""A worker dies in the middle of an evaluation: the run is taken again and completes with
the ranking an uninterrupted run gives, once, without duplicate results.

The worker is caught mid-run deterministically, without a test hook in the code: the test
holds the package's evaluation lock (the advisory lock evaluation_execute takes after
marking the run running), so the worker waits inside the evaluation until it is killed."""

import time
from datetime import timedelta
from decimal import Decimal

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from procurement import services
from procurement.models import EvaluationRun, Package, RunStatus
from procurement.rules import Status
from tests.factories import (
    OfficerFactory,
    PackageFactory,
    PackageItemFactory,
    ProductFactory,
    TKDNCertificateFactory,
    VendorMemberFactory,
)
from tests.faults.conftest import wait_until

# Each runs with the uploads in a folder and in an S3 bucket (tests/storage.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.both_storages]

BIDS = [  # TKDN %, unit price: preference and price order differ, so the ranking means something
    ("71.30", "1150000"),
    ("40.00", "1100000"),
    ("25.00", "1180000"),
    ("10.00", "1020000"),
    ("55.50", "1125000"),
]


@pytest.fixture
def closing_package():
    """A goods package with five bids, past its deadline (closed by the test, which queues
    its evaluation)."""
    ppk = OfficerFactory(position="ppk").user
    package = PackageFactory(opd=ppk.officer.opd, created_by=ppk, status=Status.ANNOUNCED)
    item = PackageItemFactory(
        package=package, position=1, quantity=Decimal("1000"), hps_unit_price=Decimal("1200000")
    )
    for tkdn, price in BIDS:
        member = VendorMemberFactory()
        product = ProductFactory(vendor=member.vendor, unit_price=Decimal(price))
        TKDNCertificateFactory(
            vendor=member.vendor, products=[product], tkdn_pct=Decimal(tkdn), bmp_pct=Decimal("5")
        )
        line = services.LineInput(item=item, product=product, unit_price=Decimal(price))
        services.bid_submit(package=package, vendor=member.vendor, by=member.user, lines=[line])
    Package.objects.filter(pk=package.pk).update(
        opens_at=timezone.now() - timedelta(days=8),
        closes_at=timezone.now() - timedelta(seconds=1),
    )
    package.ppk = ppk
    return package


def _evaluation_lock_held():
    """A connection of our own holding the package evaluation lock of every package (until
    closed): the shared namespace, locked per package by the test below."""
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        autocommit=True,
    )


def _hold_lock(conn, package_id: int) -> None:
    conn.execute(
        "SELECT pg_advisory_lock(%s, %s)", [services.EVALUATION_LOCK_NAMESPACE, package_id]
    )


def _waiting_on_lock(package_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND classid = %s AND objid = %s",
            [services.EVALUATION_LOCK_NAMESPACE, package_id],
        )
        return cursor.fetchone()[0] > 0


def _run_caught_mid_way(package) -> EvaluationRun:
    run = EvaluationRun.objects.get(package=package)
    wait_until(
        lambda: (
            EvaluationRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).exists()
            and _waiting_on_lock(package.pk)
        ),
        timeout=60,
        what="the worker to start the evaluation",
    )
    run.refresh_from_db()
    assert run.attempts == 1
    return run


def _finished(run: EvaluationRun, timeout: float = 60) -> EvaluationRun:
    wait_until(
        lambda: EvaluationRun.objects.filter(
            pk=run.pk, status__in=[RunStatus.SUCCEEDED, RunStatus.FAILED]
        ).exists(),
        timeout=timeout,
        what=f"evaluation run {run.pk} to finish",
    )
    run.refresh_from_db()
    return run


def _ranking(run: EvaluationRun) -> list[tuple]:
    return list(
        run.results.order_by("bid_id").values_list(
            "bid_id", "eligible", "tier", "kp", "hea", "rank"
        )
    )


def _assert_same_ranking_as_an_uninterrupted_run(run: EvaluationRun) -> None:
    package = run.package
    again = services.evaluation_request(package=package, by=package.opd.officers.get().user)
    again = _finished(again)
    assert again.status == RunStatus.SUCCEEDED and again.attempts == 1
    assert _ranking(run) == _ranking(again)
    ranks = sorted(rank for *_, rank in _ranking(run) if rank is not None)
    assert ranks == [1, 2, 3, 4]  # the bid below the minimum TKDN is not ranked


def test_a_pool_process_killed_mid_evaluation_is_replaced_and_the_run_completes(
    closing_package, start_worker_process
):
    lock = _evaluation_lock_held()
    _hold_lock(lock, closing_package.pk)
    worker = start_worker_process()
    assert services.packages_close_due() == [closing_package.pk]
    run = _run_caught_mid_way(closing_package)

    killed = worker.kill_pool_process()
    lock.close()  # the evaluation may go on once somebody takes it again

    run = _finished(run)
    assert worker.process.poll() is None  # the worker itself lived on, with a new pool process
    assert killed not in [p.pid for p in worker.pool_processes()]
    assert "WorkerLostError" in worker.output()
    assert (run.status, run.progress, run.attempts, run.error) == (RunStatus.SUCCEEDED, 100, 2, "")
    assert run.results.count() == len(BIDS)
    _assert_same_ranking_as_an_uninterrupted_run(run)


def test_a_worker_killed_mid_evaluation_hands_it_to_the_next_worker(
    closing_package, start_worker_process
):
    lock = _evaluation_lock_held()
    _hold_lock(lock, closing_package.pk)
    first = start_worker_process()
    services.packages_close_due()
    run = _run_caught_mid_way(closing_package)

    first.kill()  # the whole worker, pool and all: nothing acknowledged, nothing handed back
    lock.close()
    started = time.monotonic()
    # The message comes back once its visibility timeout has passed (an hour in production;
    # seconds here): the next worker finds it at start.
    time.sleep(2)
    start_worker_process(CELERY_VISIBILITY_TIMEOUT="1")

    run = _finished(run)
    print(f"\nEvaluation completed {time.monotonic() - started:.1f} s after the worker was killed")
    assert (run.status, run.progress, run.attempts, run.error) == (RunStatus.SUCCEEDED, 100, 2, "")
    assert run.results.count() == len(BIDS)
    _assert_same_ranking_as_an_uninterrupted_run(run)
