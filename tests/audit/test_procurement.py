"""Each write to a package, a bid or an evaluation leaves exactly its audit row: who (or
which job), what, and each changed value before and after; a sealed bid's prices never."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction, AuditEntry, SystemJob
from procurement import services, tasks
from procurement.models import Bid, Package, RunStatus
from procurement.rules import Status
from tests.procurement.conftest import (
    evaluate_now,
    item_input,
    lines_for,
    package_fields,
    pass_all_bids,
    past_deadline,
)

pytestmark = pytest.mark.django_db

D = Decimal


def _entries(*actions) -> list[AuditEntry]:
    rows = AuditEntry.objects.order_by("pk")
    return list(rows.filter(action__in=actions) if actions else rows)


def _only(action) -> AuditEntry:
    (entry,) = _entries(action)
    return entry


def _submit(package, bidder_tuple, **prices) -> Bid:
    user, vendor, desk, cabinet = bidder_tuple
    return services.bid_submit(
        package=package, vendor=vendor, by=user, lines=lines_for(package, desk, cabinet, **prices)
    )


# Packages ------------------------------------------------------------------------------------


def test_creating_a_package_records_its_terms_and_items(ppk):
    package = services.package_save(
        opd=ppk.officer.opd,
        by=ppk,
        items=[item_input(), item_input("10", "5000000")],
        **package_fields(),
    )
    entry = _only(AuditAction.PACKAGE_CREATED)
    assert (entry.actor, entry.object_id, entry.object_label) == (ppk, package.pk, str(package))
    assert entry.changes["title"] == [None, "Pengadaan meja belajar SD"]
    assert entry.changes["hps"] == [None, "1250000000.00"]
    assert entry.changes["pagu"] == [None, "1500000000.00"]
    assert entry.changes["reserved_for_small_business"] == [None, True]
    assert entry.changes["closes_at"][1] == timezone.localtime(package.closes_at).isoformat()
    assert entry.changes["items"] == [
        None,
        [
            "1. Meja belajar siswa [31001]: 1000.00 unit x 1200000.00",
            "2. Meja belajar siswa [31001]: 10.00 unit x 5000000.00",
        ],
    ]
    assert len(_entries()) == 1


def test_editing_a_package_records_only_what_changed(ppk):
    package = services.package_save(
        opd=ppk.officer.opd, by=ppk, items=[item_input()], **package_fields()
    )
    services.package_save(
        opd=ppk.officer.opd,
        by=ppk,
        package=package,
        items=[item_input(price="1100000")],
        **package_fields(
            title="Pengadaan meja belajar SD negeri",
            opens_at=package.opens_at,
            closes_at=package.closes_at,
        ),
    )
    entry = _only(AuditAction.PACKAGE_EDITED)
    assert entry.actor == ppk
    assert entry.changes == {
        "title": ["Pengadaan meja belajar SD", "Pengadaan meja belajar SD negeri"],
        "hps": ["1200000000.00", "1100000000.00"],
        "items": [
            ["1. Meja belajar siswa [31001]: 1000.00 unit x 1200000.00"],
            ["1. Meja belajar siswa [31001]: 1000.00 unit x 1100000.00"],
        ],
    }
    assert entry.summary.startswith("nama paket: Pengadaan meja belajar SD → ")


def test_saving_a_package_unchanged_writes_no_row(ppk):
    package = services.package_save(
        opd=ppk.officer.opd, by=ppk, items=[item_input()], **package_fields()
    )
    package.refresh_from_db()
    services.package_save(
        opd=ppk.officer.opd,
        by=ppk,
        package=package,
        items=[item_input("1000.00", "1200000.00")],
        **{name: getattr(package, name) for name in services.PACKAGE_FIELDS},
    )
    assert _entries(AuditAction.PACKAGE_EDITED) == []


def test_announcing_records_the_status_change(ppk):
    package = services.package_save(
        opd=ppk.officer.opd, by=ppk, items=[item_input()], **package_fields()
    )
    services.package_announce(package=package, by=ppk)
    entry = _only(AuditAction.PACKAGE_ANNOUNCED)
    assert (entry.actor, entry.job) == (ppk, "")
    assert entry.changes == {"status": ["draft", "announced"]}


def test_a_refused_or_rolled_back_write_leaves_no_row(ppk):
    package = services.package_save(
        opd=ppk.officer.opd, by=ppk, items=[item_input()], **package_fields()
    )
    Package.objects.filter(pk=package.pk).update(
        opens_at=timezone.now() - timedelta(days=2), closes_at=timezone.now() - timedelta(days=1)
    )
    # Refused after the status moved in memory: the whole step rolls back, its row too.
    with pytest.raises(
        ValidationError, match=r"Batas akhir penawaran sudah lewat\. Atur batas akhir yang"
    ):
        services.package_announce(package=package, by=ppk)
    Package.objects.filter(pk=package.pk).update(closes_at=timezone.now() + timedelta(days=3))
    # Done, then undone by the caller's transaction.
    with pytest.raises(RuntimeError, match="rolled back"), transaction.atomic():
        services.package_announce(package=package, by=ppk)
        assert _entries(AuditAction.PACKAGE_ANNOUNCED)
        raise RuntimeError("rolled back")
    assert _entries(AuditAction.PACKAGE_ANNOUNCED) == []
    assert [e.action for e in _entries()] == [AuditAction.PACKAGE_CREATED]


def test_closing_by_the_officer_records_the_close_each_opened_bid_and_the_evaluation(
    pokja, announced, bidder, second_bidder
):
    first, second = _submit(announced, bidder), _submit(announced, second_bidder)
    past_deadline(announced)
    services.package_close(package=announced, by=pokja)
    closed = _only(AuditAction.PACKAGE_CLOSED)
    assert (closed.actor, closed.job, closed.changes) == (
        pokja,
        "",
        {"status": ["announced", "closed"]},
    )
    opened = _entries(AuditAction.BID_OPENED)
    assert [(e.object_id, e.actor) for e in opened] == [(first.pk, pokja), (second.pk, pokja)]
    first.refresh_from_db()
    assert opened[0].changes == {
        "price": [None, str(first.price)],
        "tkdn_pct": [None, str(first.tkdn_pct)],
        "tkdn_bmp_pct": [None, str(first.tkdn_bmp_pct)],
        "opened_at": [None, timezone.localtime(first.opened_at).isoformat()],
    }
    assert opened[0].package_id == announced.pk
    started = _only(AuditAction.EVALUATION_STARTED)
    assert (started.actor, started.job) == (None, SystemJob.EVALUATION_AT_CLOSING)
    assert started.changes["status"] == [None, RunStatus.QUEUED]


def test_closing_by_the_deadline_job_names_the_job(announced, bidder):
    bid = _submit(announced, bidder)
    past_deadline(announced)
    assert tasks.packages_close_due() == [announced.pk]
    closed = _only(AuditAction.PACKAGE_CLOSED)
    assert (closed.actor, closed.job) == (None, SystemJob.PACKAGES_CLOSE_DUE)
    assert closed.who == "Penutupan otomatis pada batas akhir penawaran"
    opened = _only(AuditAction.BID_OPENED)
    assert (opened.object_id, opened.actor, opened.job) == (
        bid.pk,
        None,
        SystemJob.PACKAGES_CLOSE_DUE,
    )


# Bids ----------------------------------------------------------------------------------------


def test_submitting_revising_and_withdrawing_a_bid_are_recorded(announced, bidder):
    user = bidder[0]
    first = _submit(announced, bidder)
    entry = _only(AuditAction.BID_SUBMITTED)
    assert (entry.actor, entry.object_id, entry.package_id) == (user, first.pk, announced.pk)
    assert entry.changes == {
        "status": [None, "active"],
        "version": [None, 1],
        "submitted_at": [None, timezone.localtime(first.submitted_at).isoformat()],
        "receipt_hash": [None, first.receipt_hash],
    }
    revision = _submit(announced, bidder, desk_price="1140000")
    superseded = _only(AuditAction.BID_STATUS_CHANGED)
    assert (superseded.object_id, superseded.actor) == (first.pk, user)
    assert superseded.changes == {"status": ["active", "superseded"]}
    assert [e.object_id for e in _entries(AuditAction.BID_SUBMITTED)] == [first.pk, revision.pk]
    services.bid_withdraw(bid=revision, by=user)
    withdrawn = _only(AuditAction.BID_WITHDRAWN)
    assert (withdrawn.object_id, withdrawn.actor) == (revision.pk, user)
    assert withdrawn.changes == {"status": ["active", "withdrawn"]}
    assert revision.vendor.name in withdrawn.object_label


def test_no_sealed_price_appears_in_the_log_before_opening(announced, bidder, second_bidder):
    bids = [_submit(announced, bidder), _submit(announced, second_bidder)]
    _submit(announced, bidder, desk_price="1149999", cabinet_price="2749999")
    secrets = set()
    for bid in Bid.objects.filter(package=announced):
        content = services.bid_content(bid).to_dict()
        secrets |= {content["total"], content["tkdn_pct"], content["tkdn_bmp_pct"]}
        secrets |= {line["unit_price"] for line in content["lines"]}
        secrets |= {line["unit_price"].removesuffix(".00") for line in content["lines"]}
    logged = json.dumps(
        [
            [e.changes, e.summary, e.note, e.object_label]
            for e in AuditEntry.objects.filter(package=announced)
        ]
    )
    assert len(_entries(AuditAction.BID_SUBMITTED)) == 3
    assert not [secret for secret in secrets if secret in logged]
    # Once the bids are opened, their prices are the log's to keep.
    past_deadline(announced)
    services.packages_close_due()
    bids[1].refresh_from_db()
    assert AuditEntry.objects.get(action=AuditAction.BID_OPENED, object_id=bids[1].pk).changes[
        "price"
    ] == [None, str(bids[1].price)]


# Evaluation and award ------------------------------------------------------------------------


def test_an_evaluation_run_records_its_winner_and_summary(pokja, announced, bidder, second_bidder):
    _submit(announced, bidder)
    _submit(announced, second_bidder)
    past_deadline(announced)
    services.packages_close_due()
    evaluate_now(announced)
    run = announced.evaluation_runs.get()
    assert run.status == RunStatus.SUCCEEDED
    winner = run.results.get(rank=1).bid
    label = f"{winner.vendor.name} v1 (#{winner.pk})"
    done = _only(AuditAction.EVALUATION_SUCCEEDED)
    assert (done.object_id, done.actor, done.job) == (run.pk, None, SystemJob.EVALUATION_RUN)
    assert done.changes == {
        "status": ["running", "succeeded"],
        "pemenang (peringkat 1)": [None, label],
    }
    assert done.note == "2 penawaran dievaluasi, 2 memenuhi syarat, 0 gugur."
    # A re-run asked by an officer: its actor, and the previous winner beside the new one.
    services.package_evaluation_start(package=announced, by=pokja)
    again = announced.evaluation_runs.latest("pk")
    evaluate_now(announced)
    started, rerun = (
        _entries(AuditAction.EVALUATION_STARTED)[1],
        _entries(AuditAction.EVALUATION_SUCCEEDED)[1],
    )
    assert (started.object_id, started.actor, started.job) == (again.pk, pokja, "")
    assert (rerun.actor, rerun.changes["pemenang (peringkat 1)"]) == (pokja, [label, label])


def test_a_failed_evaluation_run_is_recorded_with_its_error(announced, bidder):
    bid = _submit(announced, bidder)
    past_deadline(announced)
    services.packages_close_due()
    Bid.objects.filter(pk=bid.pk).update(tkdn_bmp_pct=None)  # a damaged opened bid
    with pytest.raises(TypeError, match="unsupported operand type"):
        evaluate_now(announced)
    run = announced.evaluation_runs.get()
    assert run.status == RunStatus.FAILED
    failed = _only(AuditAction.EVALUATION_FAILED)
    assert (failed.object_id, failed.actor, failed.job) == (run.pk, None, SystemJob.EVALUATION_RUN)
    assert failed.changes["status"] == ["running", "failed"]
    assert "TypeError" in failed.changes["error"][1]
    assert _entries(AuditAction.EVALUATION_SUCCEEDED) == []


def test_winner_objection_award_and_contract_are_recorded(
    ppk, pokja, announced, bidder, second_bidder
):
    winner = _submit(announced, bidder)
    _submit(announced, second_bidder)
    past_deadline(announced)
    services.packages_close_due()
    evaluate_now(announced)
    winner = Bid.objects.get(pk=announced.evaluation_runs.get().results.get(rank=1).bid_id)
    pass_all_bids(announced)
    services.package_winner_announce(package=announced, by=ppk, bid=winner, reason="Peringkat 1")
    announced.refresh_from_db()
    announce = _only(AuditAction.WINNER_ANNOUNCED)
    assert announce.actor == ppk
    assert announce.changes == {
        "status": ["evaluation", "objection"],
        "winner": [None, str(winner)],
        "objection_ends_at": [None, timezone.localtime(announced.objection_ends_at).isoformat()],
    }
    assert announce.note == "Peringkat 1"
    loser_user = (second_bidder if winner.vendor == bidder[1] else bidder)[0]
    objection = services.objection_file(package=announced, by=loser_user, text="Keberatan.")
    filed = _only(AuditAction.OBJECTION_FILED)
    assert (filed.actor, filed.object_id, filed.changes) == (
        loser_user,
        objection.pk,
        {"text": [None, "Keberatan."]},
    )
    services.objection_answer(objection=objection, by=pokja, answer="Sudah wajar.")
    answered = _only(AuditAction.OBJECTION_ANSWERED)
    assert (answered.actor, answered.changes["answer"]) == (pokja, ["", "Sudah wajar."])
    Package.objects.filter(pk=announced.pk).update(
        objection_ends_at=timezone.now() - timedelta(seconds=1)
    )
    services.package_award(package=announced, by=ppk)
    award = _only(AuditAction.PACKAGE_AWARDED)
    assert (award.actor, award.changes) == (
        ppk,
        {
            "status": ["objection", "awarded"],
            "contract_value": [None, str(winner.price)],
            # 5% of the contract value: no low-price clarification.
            "performance_guarantee": [None, str((winner.price * 5 / 100).quantize(D("0.01")))],
        },
    )
    signed_on = timezone.localdate()
    services.package_contract(package=announced, by=ppk, number="027/KTR/2026", signed_on=signed_on)
    contract = _only(AuditAction.CONTRACT_RECORDED)
    assert contract.changes == {
        "status": ["awarded", "contracted"],
        "contract_number": ["", "027/KTR/2026"],
        "contract_signed_on": [None, signed_on.isoformat()],
    }


def test_cancelling_and_failing_record_the_reason(ppk, pokja, announced):
    services.package_cancel(package=announced, by=ppk, reason="Anggaran dialihkan.")
    cancelled = _only(AuditAction.PACKAGE_CANCELLED)
    assert (cancelled.actor, cancelled.changes) == (
        ppk,
        {"status": ["announced", "cancelled"], "cancel_reason": ["", "Anggaran dialihkan."]},
    )
    other = Package.objects.create(
        **{
            f.attname: getattr(announced, f.attname)
            for f in Package._meta.concrete_fields
            if f.name not in ("id", "rup_code", "status", "cancel_reason", "created_at")
        },
        rup_code="99999",
        status=Status.CLOSED,
    )
    services.package_fail(package=other, by=pokja, reason="Tidak ada penawaran masuk.")
    failed = _only(AuditAction.PACKAGE_FAILED)
    assert (failed.actor, failed.object_id, failed.note) == (
        pokja,
        other.pk,
        "Tidak ada penawaran masuk.",
    )
    assert failed.changes == {"status": ["closed", "failed"]}
