"""The figures of an event, counted by hand on a small event built for it: participants,
meetings from request to award, per OPD and per exhibitor."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from matching import scheduling, selectors
from matching.models import (
    Event,
    FollowUp,
    Meeting,
    MeetingStatus,
    Outcome,
    Participant,
    ParticipantStatus,
)
from matching.rules import EventStatus
from procurement.models import OPD, Bid, BidStatus, Package
from procurement.rules import Status as PackageStatus
from tests.factories import OfficerFactory, OPDFactory, PackageFactory, VendorMemberFactory
from tests.matching.factories import buyer_create, event_create, exhibitor_create, meeting_create

pytestmark = pytest.mark.django_db


@dataclass
class HandBuilt:
    event: Event
    opd_a: OPD
    opd_b: OPD
    b1: Participant
    b2: Participant
    b3: Participant
    e1: Participant
    e2: Participant
    e5: Participant
    meetings: dict[str, Meeting]
    packages: dict[str, Package]


def _bid(package: Package, vendor, *, status=BidStatus.ACTIVE) -> Bid:
    return Bid.objects.create(
        package=package,
        vendor=vendor,
        version=1,
        status=status,
        submitted_by=package.created_by,
        submitted_at=timezone.now(),
        sealed_content=b"sealed",
        receipt_hash="0" * 64,
        price=package.hps,
    )


def _outcome(meeting: Meeting, *, interest: bool, value=None, package=None) -> Outcome:
    return Outcome.objects.create(
        meeting=meeting,
        interest=interest,
        estimated_value=value,
        follow_up=FollowUp.PACKAGE if package else FollowUp.NONE,
        package=package,
        recorded_by=meeting.buyer.officer.user,
    )


def hand_built_event() -> HandBuilt:
    """A running event. Buyers: b1 and b2 of OPD A, b3 of OPD B, b4 (withdrawn) of OPD C.
    Exhibitors: e1, e2, e5 accepted, e3 waiting, e4 rejected. Twelve meetings:

    m1  b1×e1 held, interest Rp100,000,000, package P1 won by e1 (contracted)
    m2  b1×e2 held, interest Rp25,000,000.50, package P2 won by someone else
    m3  b2×e1 held, interest Rp5,000,000, package P3 without bids
    m4  b3×e1 held, no interest
    m5  b3×e2 no-show
    m6  b2×e2 accepted, scheduled
    m7  b1×e1 declined     m8  b1×e2 expired    m9  b2×e1 withdrawn    m10 b3×e1 removed
    m11 b3×e2 pending      m12 b1×e5 accepted, no slot yet (buyer full)
    """
    event = event_create(status=EventStatus.RUNNING)
    opd_a, opd_b, opd_c = OPDFactory(name="Dinas A"), OPDFactory(name="Dinas B"), OPDFactory()
    b1 = buyer_create(event, officer=OfficerFactory(opd=opd_a))
    b2 = buyer_create(event, officer=OfficerFactory(opd=opd_a))
    b3 = buyer_create(event, officer=OfficerFactory(opd=opd_b))
    b4 = buyer_create(event, officer=OfficerFactory(opd=opd_c))
    Participant.objects.filter(pk=b4.pk).update(status=ParticipantStatus.WITHDRAWN)
    e1 = exhibitor_create(event)
    e2 = exhibitor_create(event)
    e5 = exhibitor_create(event)
    exhibitor_create(event, status=ParticipantStatus.APPLIED)
    rejected = exhibitor_create(event, status=ParticipantStatus.APPLIED)
    Participant.objects.filter(pk=rejected.pk).update(
        status=ParticipantStatus.REJECTED, rejection_reason="Produk tidak sesuai tema."
    )
    s1, s2, s3 = list(event.slots.all())[:3]
    m = {
        "m1": meeting_create(b1, e1, status=MeetingStatus.HELD, slot=s1, table=1),
        "m2": meeting_create(b1, e2, status=MeetingStatus.HELD, slot=s2, table=1),
        "m3": meeting_create(b2, e1, status=MeetingStatus.HELD, slot=s2, table=2),
        "m4": meeting_create(b3, e1, status=MeetingStatus.HELD, slot=s3, table=1),
        "m5": meeting_create(b3, e2, status=MeetingStatus.NO_SHOW, slot=s1, table=2),
        "m6": meeting_create(b2, e2, status=MeetingStatus.ACCEPTED, slot=s3, table=2),
        "m7": meeting_create(b1, e1, status=MeetingStatus.DECLINED),
        "m8": meeting_create(b1, e2, status=MeetingStatus.EXPIRED),
        "m9": meeting_create(b2, e1, status=MeetingStatus.WITHDRAWN),
        "m10": meeting_create(b3, e1, status=MeetingStatus.REMOVED),
        "m11": meeting_create(b3, e2, status=MeetingStatus.PENDING),
        "m12": meeting_create(
            b1, e5, status=MeetingStatus.ACCEPTED, unscheduled_reason=scheduling.REASON_BUYER_FULL
        ),
    }
    p1 = PackageFactory(opd=opd_a, title="Seragam batik", status=PackageStatus.CONTRACTED)
    won = _bid(p1, e1.vendor)
    _bid(p1, VendorMemberFactory().vendor, status=BidStatus.WITHDRAWN)
    Package.objects.filter(pk=p1.pk).update(winner=won)
    p2 = PackageFactory(opd=opd_a, title="Meja belajar", status=PackageStatus.CONTRACTED)
    other = _bid(p2, VendorMemberFactory().vendor)
    Package.objects.filter(pk=p2.pk).update(winner=other)
    p3 = PackageFactory(opd=opd_a, title="Kursi roda", status=PackageStatus.ANNOUNCED)
    _outcome(m["m1"], interest=True, value=Decimal("100000000"), package=p1)
    _outcome(m["m2"], interest=True, value=Decimal("25000000.50"), package=p2)
    _outcome(m["m3"], interest=True, value=Decimal("5000000"), package=p3)
    _outcome(m["m4"], interest=False)
    # Another event's meeting counts nowhere here.
    elsewhere = event_create(status=EventStatus.RUNNING, name="Batch lain")
    far = meeting_create(
        buyer_create(elsewhere),
        exhibitor_create(elsewhere),
        status=MeetingStatus.HELD,
        slot=elsewhere.slots.first(),
        table=1,
    )
    _outcome(far, interest=True, value=Decimal("999"), package=p1)
    return HandBuilt(event, opd_a, opd_b, b1, b2, b3, e1, e2, e5, m, {"p1": p1, "p2": p2, "p3": p3})


EXPECTED = {
    "buyers": 3,
    "exhibitors_applied": 5,
    "exhibitors_accepted": 3,
    "exhibitors_waiting": 1,
    "requested": 12,
    "pending": 1,
    "accepted": 7,
    "scheduled": 6,
    "held": 4,
    "no_show": 1,
    "declined": 1,
    "expired": 1,
    "cancelled": 2,
    "interest": 3,
    "interest_value": Decimal("130000000.50"),
    "package_linked": 3,
    "package_bids": 2,
    "awarded": 1,
}


@pytest.fixture
def built():
    return hand_built_event()


def test_it_counts_the_event_figures_by_hand(built, django_assert_num_queries):
    # 1 participants by kind and status, 2 every meeting measure in one aggregate.
    with django_assert_num_queries(2):
        figures = selectors.event_figures(event=built.event)
    assert {key: getattr(figures, key) for key in EXPECTED} == EXPECTED
    assert isinstance(figures.interest_value, Decimal)


def test_the_summary_lists_every_figure_once():
    figures = selectors.EventFigures(**EXPECTED)
    rows = figures.summary_rows()
    assert sorted(row.key for row in rows) == sorted(EXPECTED)
    assert {row.key: row.value for row in rows} == EXPECTED
    assert [row.money for row in rows].count(True) == 1


def test_bars_are_in_proportion_to_the_largest_figure_of_their_chart():
    figures = selectors.EventFigures(**EXPECTED)
    bars = {row.key: row.bar for row in figures.meeting_rows()}
    assert bars["requested"] == 100
    assert bars["accepted"] == round(7 * 100 / 12)
    path = {row.key: row.bar for row in figures.path_rows()}
    assert path == {
        "held": 100,
        "interest": 75,
        "package_linked": 75,
        "package_bids": 50,
        "awarded": 25,
    }


def test_an_empty_event_has_zero_figures_and_no_bars(db):
    event = event_create()
    figures = selectors.event_figures(event=event)
    assert figures.requested == 0
    assert figures.interest_value == Decimal("0")
    assert all(row.bar == 0 for row in figures.meeting_rows())
    assert selectors.opd_breakdown(event=event) == []
    assert selectors.exhibitor_breakdown(event=event) == []


def test_it_breaks_the_figures_down_per_opd(built, django_assert_num_queries):
    with django_assert_num_queries(2):  # buyers per OPD, meeting measures per OPD
        rows = selectors.opd_breakdown(event=built.event)
    assert [(r.name, r.participants) for r in rows] == [("Dinas A", 2), ("Dinas B", 1)]
    a, b = rows[0].figures, rows[1].figures
    assert (a.requested, a.accepted, a.held, a.no_show, a.interest) == (8, 5, 3, 0, 3)
    assert (a.interest_value, a.package_linked, a.package_bids, a.awarded) == (
        Decimal("130000000.50"),
        3,
        2,
        1,
    )
    assert (b.requested, b.accepted, b.held, b.no_show, b.interest, b.interest_value) == (
        4,
        2,
        1,
        1,
        0,
        Decimal("0"),
    )


def test_it_breaks_the_figures_down_per_exhibitor(built, django_assert_num_queries):
    with django_assert_num_queries(2):  # accepted exhibitors, meeting measures per exhibitor
        rows = selectors.exhibitor_breakdown(event=built.event)
    assert [r.key for r in rows] == [built.e1.pk, built.e2.pk, built.e5.pk]
    e1, e2, e5 = (r.figures for r in rows)
    assert (e1.requested, e1.accepted, e1.held, e1.interest, e1.interest_value) == (
        6,
        3,
        3,
        2,
        Decimal("105000000"),
    )
    assert (e1.package_linked, e1.awarded) == (2, 1)
    assert (e2.requested, e2.accepted, e2.no_show, e2.interest_value, e2.awarded) == (
        5,
        3,
        1,
        Decimal("25000000.50"),
        0,
    )
    assert (e5.requested, e5.accepted, e5.held) == (1, 1, 0)
    assert rows[0].booth == built.e1.booth


def test_the_award_is_the_exhibitors_own(built):
    meetings = {m.pk: m for m in selectors.event_meetings(event=built.event)}
    assert selectors.meeting_awarded(meetings[built.meetings["m1"].pk]) is True
    assert selectors.meeting_awarded(meetings[built.meetings["m2"].pk]) is False
    assert selectors.meeting_awarded(meetings[built.meetings["m3"].pk]) is False
    assert selectors.meeting_awarded(meetings[built.meetings["m4"].pk]) is None
    assert selectors.meeting_awarded(meetings[built.meetings["m7"].pk]) is None


def test_meetings_are_listed_by_slot_then_table_unscheduled_last(built, django_assert_num_queries):
    with django_assert_num_queries(1):
        meetings = list(selectors.event_meetings(event=built.event))
        for meeting in meetings:  # everything the sheet reads is selected already
            getattr(meeting, "outcome", None)
            meeting.buyer.officer.user.full_name, meeting.exhibitor.vendor.name  # noqa: B018
    seated = [m for m in meetings if m.slot_id]
    assert [(m.slot.starts_at, m.table) for m in seated] == sorted(
        (m.slot.starts_at, m.table) for m in seated
    )
    assert all(m.slot_id is None for m in meetings[len(seated) :])
    assert len(meetings) == 12


def test_every_scheduler_reason_has_one_sentence_in_the_readers_language():
    assert set(selectors.UNSCHEDULED_REASONS) == {*scheduling.REASONS, selectors.NO_SLOTS_LEFT}
    assert all(
        str(text).endswith(".") and str(text)[0].isupper()
        for text in selectors.UNSCHEDULED_REASONS.values()
    )
    with translation.override("en"):
        english = selectors.unscheduled_reason_text("buyer_full")
    assert english != str(selectors.UNSCHEDULED_REASONS["buyer_full"])
    assert english.startswith("The buyer"), english
    assert selectors.NO_SLOTS_LEFT in selectors.UNSCHEDULED_REASONS
    assert selectors.unscheduled_reason_text("buyer_full") == str(
        selectors.UNSCHEDULED_REASONS["buyer_full"]
    )
    assert selectors.unscheduled_reason_text("") == ""
    assert selectors.unscheduled_reason_text("kode_baru") == "kode_baru"


def test_unscheduled_meetings_are_the_agreed_ones_without_a_slot(built):
    assert [m.pk for m in selectors.unscheduled_meetings(event=built.event)] == [
        built.meetings["m12"].pk
    ]


def test_a_runs_left_out_meetings_come_with_their_reasons(built):
    from matching.models import ScheduleRun

    run = ScheduleRun.objects.create(
        event=built.event,
        requested_by=built.b1.officer.user,
        unscheduled={str(built.meetings["m12"].pk): "buyer_full", "999999": "no_table"},
    )
    rows = selectors.run_unscheduled(run=run)
    assert rows[0][0] == built.meetings["m12"]
    assert rows[0][2] == str(selectors.UNSCHEDULED_REASONS["buyer_full"])
    assert rows[1][0] is None and rows[1][1] == "999999"
