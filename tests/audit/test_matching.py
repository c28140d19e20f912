"""A scheduler run writes its placements in two statements; its audit row lists each
meeting that moved, with its slot and table before and after."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from audit.models import AuditAction, AuditEntry, SystemJob
from audit.services import readable
from matching import services
from matching.models import Event, Meeting
from matching.rules import EventStatus
from tests.matching.factories import buyer_create, event_create, exhibitor_create, meeting_create

pytestmark = pytest.mark.django_db


def _place(slot, table) -> str:
    return f"{readable(slot.starts_at)} / meja {table}"


def _run(event: Event, by, *, keep_current=False):
    run = services.schedule_request(event=event, by=by, keep_current=keep_current)
    return services.schedule_execute(run_id=run.pk)


def test_a_schedule_run_records_the_meetings_it_moved(admin_user):
    event = event_create(status=EventStatus.SCHEDULING)
    buyers = [buyer_create(event) for _ in range(2)]
    exhibitors = [exhibitor_create(event) for _ in range(2)]
    meetings = [meeting_create(b, e) for b in buyers for e in exhibitors]
    run = _run(event, admin_user)
    entry = AuditEntry.objects.get(action=AuditAction.SCHEDULE_RUN)
    assert (entry.actor, entry.job, entry.object_id) == (
        admin_user,
        SystemJob.SCHEDULE_RUN,
        run.pk,
    )
    placed = {m.pk: m for m in Meeting.objects.select_related("slot").filter(event=event)}
    assert entry.changes == {
        str(m.pk): [None, _place(placed[m.pk].slot, placed[m.pk].table)] for m in meetings
    }
    assert entry.summary == (
        "4 pertemuan berpindah; 4 dari 4 permintaan terjadwal; jadwal disusun ulang"
    )
    with translation.override("en"):
        assert entry.summary_text == (
            "Meetings moved: 4; requests scheduled: 4 of 4; schedule redone"
        )

    # A meeting moved by hand to another slot goes back; only it is in the next row.
    moved = placed[meetings[0].pk]
    free = event.slots.exclude(meetings__isnull=False).order_by("-starts_at").first()
    Meeting.objects.filter(pk=moved.pk).update(slot=free, table=9)
    _run(event, admin_user)
    latest = AuditEntry.objects.filter(action=AuditAction.SCHEDULE_RUN).latest("pk")
    assert latest.changes == {str(moved.pk): [_place(free, 9), _place(moved.slot, moved.table)]}


def test_a_run_that_moves_nothing_records_an_empty_change_list(admin_user):
    event = event_create(status=EventStatus.SCHEDULING)
    meeting_create(buyer_create(event), exhibitor_create(event))
    _run(event, admin_user)
    _run(event, admin_user, keep_current=True)
    latest = AuditEntry.objects.filter(action=AuditAction.SCHEDULE_RUN).latest("pk")
    assert latest.changes == {}
    assert latest.summary.endswith("; jadwal yang ada dipertahankan")
    with translation.override("en"):
        assert latest.summary_text.endswith("; current schedule kept")


def _meeting_row(action) -> AuditEntry:
    return AuditEntry.objects.get(action=action)


def test_an_admin_seating_changes_are_recorded_before_and_after(admin_user):
    event = event_create(status=EventStatus.SCHEDULING)
    meeting = meeting_create(buyer_create(event), exhibitor_create(event))
    _run(event, admin_user)
    meeting.refresh_from_db()
    seat = _place(meeting.slot, meeting.table)

    services.meeting_lock(meeting=meeting, locked=True, by=admin_user)
    services.meeting_lock(meeting=meeting, locked=True, by=admin_user)  # no change, no row
    locked = _meeting_row(AuditAction.MEETING_LOCKED)
    assert (locked.actor, locked.object_type, locked.object_id) == (
        admin_user,
        "matching.meeting",
        meeting.pk,
    )
    assert locked.changes == {"locked": [False, True]}

    services.meeting_lock(meeting=meeting, locked=False, by=admin_user)
    assert _meeting_row(AuditAction.MEETING_UNLOCKED).changes == {"locked": [True, False]}

    services.meeting_remove(meeting=meeting, by=admin_user)
    assert _meeting_row(AuditAction.MEETING_REMOVED).changes == {
        "status": ["accepted", "removed"],
        "slot": [seat, None],
    }


def test_a_meeting_an_admin_adds_or_reopens_is_recorded(admin_user):
    event = event_create(status=EventStatus.SCHEDULING)
    buyer, exhibitor = buyer_create(event), exhibitor_create(event)
    meeting = services.meeting_admin_add(
        buyer=buyer, exhibitor=exhibitor, by=admin_user, note="Disepakati lewat telepon"
    )
    added = _meeting_row(AuditAction.MEETING_ADDED)
    assert (added.object_id, added.note) == (meeting.pk, "Disepakati lewat telepon")
    assert added.changes == {"status": [None, "accepted"], "locked": [None, False]}

    _run(event, admin_user)
    meeting.refresh_from_db()
    seat = _place(meeting.slot, meeting.table)
    Meeting.objects.filter(pk=meeting.pk).update(status="no_show")
    meeting.refresh_from_db()
    services.meeting_reopen(meeting=meeting, by=admin_user)
    assert _meeting_row(AuditAction.MEETING_REOPENED).changes == {
        "status": ["no_show", "accepted"],
        "slot": [seat, None],
    }


def test_a_refused_seating_change_leaves_no_row(admin_user, vendor_owner):
    event = event_create(status=EventStatus.SCHEDULING)
    meeting = meeting_create(buyer_create(event), exhibitor_create(event))
    with pytest.raises(
        ValidationError, match="Hanya pertemuan yang sudah punya sesi dan meja yang dapat"
    ):
        services.meeting_lock(meeting=meeting, locked=True, by=admin_user)  # not seated
    with pytest.raises(PermissionDenied, match=r"^$"):
        services.meeting_remove(meeting=meeting, by=vendor_owner)
    assert not AuditEntry.objects.filter(object_type="matching.meeting").exists()
