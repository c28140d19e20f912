"""The evaluation job: through a real worker on Redis, idempotent, one run of a package at a
time, retried after a lost worker, and still accepted when the broker is down."""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from p3dn_portal.celery import app as celery_app
from procurement import services
from procurement.models import EvaluationRun, Package, RunStatus
from procurement.reasons import reasons_display
from procurement.rules import Status
from tests.procurement.conftest import _bidder, lines_for, past_deadline
from vendors.models import CertificateStatus, TKDNCertificate

D = Decimal


@pytest.fixture
def closed(announced, bidder, second_bidder):
    """Two opened bids: the first (TKDN 65.93%) and the second (cheaper per line)."""
    for user, vendor, desk, cabinet in (bidder, second_bidder):
        services.bid_submit(
            package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
        )
    past_deadline(announced)
    services.packages_close_due()
    announced.refresh_from_db()
    assert announced.status == Status.EVALUATION  # closing started the first run
    return announced


def _results(run):
    return [
        (
            r.bid.vendor_id,
            r.eligible,
            r.tier,
            r.kp,
            r.hea,
            r.rank,
            tuple(r.reasons),
            str(r.snapshot),
        )
        for r in run.results.select_related("bid").order_by("bid_id")
    ]


@pytest.mark.django_db(transaction=True)
def test_a_run_goes_through_a_real_worker_on_redis(worker, ppk, closed, bidder):
    run = services.evaluation_request(package=closed, by=ppk)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
            break
        time.sleep(0.2)
    assert run.status == RunStatus.SUCCEEDED, run.error
    ranked = list(run.results.filter(rank__isnull=False).order_by("rank"))
    assert [r.rank for r in ranked] == [1, 2]
    # HPS 1,150,000,000 (goods, above Rp1 billion): the first bid, TKDN 65.93%, gets
    # KP = 0.6593 x 0.25 = 0.164825 and HEA = 0.835175 x 1,287,500,000 = 1,075,287,812.5.
    first = run.results.get(bid__vendor=bidder[1])
    assert (first.kp, first.hea) == (D("0.16482500"), D("1075287812.5000000000"))
    closed.refresh_from_db()
    assert closed.status == Status.EVALUATION


@pytest.mark.django_db
def test_the_same_inputs_give_the_same_results(ppk, closed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.evaluation_request(package=closed, by=ppk)
        second = services.evaluation_request(package=closed, by=ppk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (RunStatus.SUCCEEDED, RunStatus.SUCCEEDED)
    assert _results(first) == _results(second)
    # A finished run is left as it is.
    services.evaluation_execute(run_id=first.pk)
    assert _results(first) == _results(second)


@pytest.mark.django_db
def test_a_run_left_running_by_a_lost_worker_is_retried_whole(ppk, closed):
    run = services.evaluation_request(package=closed, by=ppk)  # not executed: no commit here
    EvaluationRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    services.evaluation_execute(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempts, run.results.count()) == (RunStatus.SUCCEEDED, 1, 2)


@pytest.mark.django_db
def test_stale_runs_are_requeued(ppk, closed, django_capture_on_commit_callbacks):
    run = services.evaluation_request(package=closed, by=ppk)
    EvaluationRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert services.evaluations_requeue() == [run.pk]  # eager in tests: runs right away
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_request_still_succeeds_and_the_run_waits(ppk, closed):
    broker = celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    celery_app.__dict__.pop("pool", None)
    celery_app._pool = None
    try:
        run = services.evaluation_request(package=closed, by=ppk)
    finally:
        celery_app.conf.broker_url = broker
        celery_app._pool = None
        celery_app.conf.task_always_eager = True
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED
    closed.refresh_from_db()
    assert closed.status == Status.EVALUATION


@pytest.mark.django_db(transaction=True)
def test_two_runs_of_one_package_never_execute_at_once(ppk, closed):
    # Stored as queued only (a request would run them at once: tasks are eager in tests).
    first, second = (
        EvaluationRun.objects.create(
            package=closed, rule_version="t", formula="hea_2021", max_preference_pct=D("25")
        )
        for _ in range(2)
    )
    held = threading.Event()
    released_at = []

    def hold_the_lock():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [services.EVALUATION_LOCK_NAMESPACE, closed.pk],
            )
            held.set()
            time.sleep(1.0)
            released_at.append(time.monotonic())
        connections.close_all()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    held.wait(5)
    services.evaluation_execute(run_id=first.pk)  # waits for the lock
    finished_at = time.monotonic()
    holder.join()
    assert finished_at >= released_at[0]
    services.evaluation_execute(run_id=second.pk)
    statuses = EvaluationRun.objects.filter(pk__in=[first.pk, second.pk]).values_list(
        "status", flat=True
    )
    assert list(statuses) == [RunStatus.SUCCEEDED, RunStatus.SUCCEEDED]


@pytest.mark.django_db
def test_a_certificate_rejected_after_submission_makes_the_bid_ineligible_on_the_next_run(
    ppk, closed, bidder, django_capture_on_commit_callbacks
):
    TKDNCertificate.objects.filter(vendor=bidder[1]).update(
        status=CertificateStatus.REJECTED, rejection_reason="Dicabut LVI."
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = services.evaluation_request(package=closed, by=ppk)
    result = run.results.get(bid__vendor=bidder[1])
    assert (result.eligible, result.rank) == (False, None)
    assert any(
        "ditolak atau dicabut setelah penawaran diajukan" in r
        for r in reasons_display(result.reasons)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("extra_bidders", [0, 6])
def test_the_job_reads_a_package_in_a_constant_number_of_queries(
    ppk, announced, bidder, django_assert_num_queries, extra_bidders
):
    for user, vendor, desk, cabinet in [
        bidder,
        *(_bidder("50", "5", "1000000", "2000000") for _ in range(extra_bidders)),
    ]:
        services.bid_submit(
            package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
        )
    past_deadline(announced)
    services.packages_close_due()
    announced.refresh_from_db()
    run = services.evaluation_request(package=announced, by=ppk)
    # 1-3 lock, mark and save the run as running; 4 savepoint; 5 advisory lock; 6 lock the
    # run with its package; 7 delete old results; 8 bids with vendors and verdicts; 9 the
    # package's items; 10 the bids' lines with products; 11 the bidders' blacklistings;
    # 12-13 TKDN and halal certificate statuses; 14 insert the results; 15 save the run; 16 the
    # previous successful run; 17 its winner and this run's; 18 the run's number in its
    # package (the audit row's label); 19 the audit row; 20 release the savepoint
    with django_assert_num_queries(20):
        services.evaluation_execute(run_id=run.pk)
    assert Package.objects.get(pk=announced.pk).status == Status.EVALUATION
