"""The scheduler job writes placements in a fixed number of queries, whatever the number of
meetings, and only touches the meetings whose placement changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching import services
from matching.models import Event, Meeting, MeetingStatus, RequestedBy, RunStatus
from matching.rules import EventStatus
from tests.matching.factories import buyer_create, exhibitor_create, meeting_create

# Run row (lock, mark running) in its own transaction, then: event, run, slots, meetings,
# unavailability, placements, run saved, its audit row; plus the savepoints of the two
# atomic blocks.
SCHEDULE_QUERIES = 14


def _scheduling(event: Event) -> Event:
    Event.objects.filter(pk=event.pk).update(status=EventStatus.SCHEDULING)
    event.refresh_from_db()
    return event


def _accepted_pairs(event: Event, buyers: int, exhibitors: int) -> list[Meeting]:
    sellers = [exhibitor_create(event) for _ in range(exhibitors)]
    return Meeting.objects.bulk_create(
        Meeting(
            event=event,
            buyer=participant,
            exhibitor=seller,
            requested_by=RequestedBy.BUYER,
            requested_by_user=participant.officer.user,
            status=MeetingStatus.ACCEPTED,
        )
        for participant in [buyer_create(event) for _ in range(buyers)]
        for seller in sellers
    )


def _placements(event: Event) -> dict[int, tuple[int | None, int | None, str]]:
    return {
        pk: (slot_id, table, reason)
        for pk, slot_id, table, reason in event.meetings.values_list(
            "pk", "slot_id", "table", "unscheduled_reason"
        )
    }


def _run(event: Event, admin_user):
    return services.schedule_execute(
        run_id=services.schedule_request(event=event, by=admin_user).pk
    )


@pytest.mark.parametrize(
    ("buyers", "exhibitors", "placed"),
    # 2 meetings; then 1,040 (past any write batch of 1,000), of which 10 slots x 10
    # tables seat 100 and the rest are written with their reason.
    [(1, 2, 2), (40, 26, 100)],
)
def test_the_scheduler_runs_a_fixed_number_of_queries(
    event, admin_user, django_assert_num_queries, buyers, exhibitors, placed
):
    event = _scheduling(event)
    meetings = _accepted_pairs(event, buyers, exhibitors)
    run = services.schedule_request(event=event, by=admin_user)
    with django_assert_num_queries(SCHEDULE_QUERIES):
        run = services.schedule_execute(run_id=run.pk)
    assert (run.status, run.requests, run.placed) == (RunStatus.DONE, len(meetings), placed)
    assert event.meetings.filter(slot__isnull=False).count() == placed
    assert event.meetings.filter(slot__isnull=True).exclude(unscheduled_reason="").count() == (
        len(meetings) - placed
    )


def test_a_rerun_moves_every_seated_meeting_back_without_clashes(event, admin_user):
    event = _scheduling(event)
    meetings = _accepted_pairs(event, buyers=3, exhibitors=4)
    _run(event, admin_user)
    first = _placements(event)
    # Every meeting one slot later (cyclically) at the same table, with a stale reason:
    # each one must move to a seat another meeting holds until it moves too.
    slots = list(event.slots.order_by("starts_at").values_list("pk", flat=True))
    later = dict(zip(slots, slots[1:] + slots[:1], strict=True))
    Meeting.objects.filter(pk__in=[m.pk for m in meetings]).update(slot=None, table=None)
    for pk, (slot_id, table, _reason) in first.items():
        Meeting.objects.filter(pk=pk).update(
            slot_id=later[slot_id], table=table, unscheduled_reason="no_table"
        )
    assert _placements(event) != first
    run = _run(event, admin_user)
    assert run.placed == len(meetings)
    assert _placements(event) == first


def test_a_rerun_with_nothing_to_change_writes_no_meeting(event, admin_user):
    event = _scheduling(event)
    _accepted_pairs(event, buyers=2, exhibitors=3)
    unplaced = meeting_create(buyer_create(event), exhibitor_create(event))
    unplaced.buyer.unavailable_slots.set(event.slots.all())
    _run(event, admin_user)
    first = _placements(event)
    assert first[unplaced.pk][:2] == (None, None) and first[unplaced.pk][2]
    with CaptureQueriesContext(connection) as queries:
        run = _run(event, admin_user)
    assert run.unscheduled == {str(unplaced.pk): first[unplaced.pk][2]}
    assert _placements(event) == first
    table = Meeting._meta.db_table
    assert not [q for q in queries.captured_queries if q["sql"].startswith(f'UPDATE "{table}"')]
