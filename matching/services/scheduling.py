"""Scheduler runs: requested by an admin, run by a worker through the pure scheduler
(matching.scheduling), written in one transaction and audited; stale runs queued again."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.models import User
from audit import services as audit
from audit.models import AuditAction, SystemJob
from matching import rules, scheduling
from matching.models import (
    Event,
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantKind,
    RunStatus,
    ScheduleRun,
    Slot,
)
from matching.rules import EventStatus
from matching.services.events import agendas_send
from matching.services.meetings import _place_label
from p3dn_portal.celery import publish_or_defer

NOT_SCHEDULABLE = _(
    "Penjadwalan hanya dapat dijalankan saat acara berstatus penjadwalan, "
    "jadwal diumumkan, atau berlangsung."
)


def schedule_request(*, event: Event, by: User, keep_current: bool = False) -> ScheduleRun:
    """Record a scheduler run and hand it to a worker once committed."""
    if not by.is_staff:
        raise PermissionDenied
    if event.status not in rules.SCHEDULE_STATES:
        raise ValidationError(NOT_SCHEDULABLE, code="not_schedulable")
    run = ScheduleRun.objects.create(event=event, requested_by=by, keep_current=keep_current)
    transaction.on_commit(lambda: _enqueue_schedule(run.pk))
    return run


def _enqueue_schedule(run_id: int) -> None:
    from matching.tasks import schedule_run

    # Deferred: schedule_runs_requeue queues it again once the broker is back.
    publish_or_defer(schedule_run, args=(run_id,))


STALE_QUEUED_AFTER = timedelta(minutes=2)
STALE_RUNNING_AFTER = timedelta(minutes=10)


def schedule_runs_requeue(*, now: datetime | None = None) -> list[int]:
    """Runs no worker picked up (the broker was down) or whose worker died go back to the
    queue; a run is one transaction, so a retry starts clean."""
    now = now or timezone.now()
    stale = ScheduleRun.objects.filter(
        Q(status=RunStatus.QUEUED, requested_at__lt=now - STALE_QUEUED_AFTER)
        | Q(status=RunStatus.RUNNING, started_at__lt=now - STALE_RUNNING_AFTER)
    )
    run_ids = list(stale.values_list("pk", flat=True))
    for run_id in run_ids:
        _enqueue_schedule(run_id)
    return run_ids


def _key(participant_id: int, *, buyer: bool) -> str:
    return f"{'b' if buyer else 'e'}{participant_id}"


# A placement as written to a meeting: (slot id, table, unscheduled reason).
Placement = tuple[int | None, int | None, str]


def _placements_write(changes: dict[int, Placement], unseat: Sequence[int]) -> None:
    """Write the meetings' new placements in two statements, whatever their number.

    The per-slot unique constraints are not deferrable, so the meetings in `unseat` (those
    leaving a seat they hold) first lose it in one statement; then every changed meeting
    takes its new placement in one UPDATE joined to the values passed as arrays. No moment
    has two meetings on one seat. Like the bulk updates before them, these bypass the
    model's signals (no history rows per placement: the ScheduleRun is the record)."""
    meta = Meeting._meta
    table = connection.ops.quote_name(meta.db_table)
    pk, slot, seat, reason = (
        connection.ops.quote_name(meta.get_field(name).column)
        for name in ("id", "slot", "table", "unscheduled_reason")
    )
    with connection.cursor() as cursor:
        if unseat:
            cursor.execute(
                f"UPDATE {table} SET {slot} = NULL, {seat} = NULL WHERE {pk} = ANY(%s::bigint[])",
                [list(unseat)],
            )
        if changes:
            ids = list(changes)
            cursor.execute(
                f"UPDATE {table} AS m SET {slot} = v.slot_id, {seat} = v.seat, "
                f"{reason} = v.reason "
                "FROM unnest(%s::bigint[], %s::bigint[], %s::smallint[], %s::text[]) "
                "AS v(id, slot_id, seat, reason) "
                f"WHERE m.{pk} = v.id",
                [
                    ids,
                    [changes[i][0] for i in ids],
                    [changes[i][1] for i in ids],
                    [changes[i][2] for i in ids],
                ],
            )


def schedule_execute(*, run_id: int, now: datetime | None = None) -> ScheduleRun | None:
    """Place the event's accepted meetings in the slots still ahead. Meetings in slots that
    have begun, and locked meetings (all placed ones when the run keeps the current
    schedule), stay where they are. Written in one transaction, in a fixed number of
    queries: only the meetings whose placement changes are written."""
    now = now or timezone.now()
    with transaction.atomic():
        run = ScheduleRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status in (RunStatus.DONE, RunStatus.FAILED):
            return run
        run.status = RunStatus.RUNNING
        run.started_at = timezone.now()
        run.save(update_fields=["status", "started_at"])
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=run.event_id)
        # The requesting admin is read for the audit log, not locked.
        run = (
            ScheduleRun.objects.select_for_update(of=("self",))
            .select_related("requested_by")
            .get(pk=run_id)
        )
        ahead = list(event.slots.filter(starts_at__gt=now).order_by("starts_at"))
        index = {slot.pk: i for i, slot in enumerate(ahead)}
        slot_ids = [slot.pk for slot in ahead]
        # (pk, buyer, exhibitor, priority, slot, table, locked, reason, booth)
        meetings = list(
            event.meetings.filter(status=MeetingStatus.ACCEPTED)
            .exclude(slot__starts_at__lte=now)
            .order_by("pk")
            .values_list(
                "pk",
                "buyer_id",
                "exhibitor_id",
                "priority",
                "slot_id",
                "table",
                "locked",
                "unscheduled_reason",
                "exhibitor__booth",
            )
        )
        booths = event.booth_per_exhibitor
        tables = max([m[8] or 1 for m in meetings] + [1]) if booths else event.tables
        requests = [
            scheduling.MeetingRequest(
                id=str(pk),
                buyer=_key(buyer_id, buyer=True),
                seller=_key(exhibitor_id, buyer=False),
                priority=priority,
            )
            for pk, buyer_id, exhibitor_id, priority, *_ in meetings
        ]
        locked = {
            str(pk): (index[slot_id], booth if booths else table)
            for pk, _b, _e, _p, slot_id, table, is_locked, _r, booth in meetings
            if slot_id in index and (is_locked or run.keep_current)
        }
        unavailable: dict[str, set[int]] = {}
        for participant_id, kind, slot_id in Participant.unavailable_slots.through.objects.filter(
            participant__event=event, slot__in=slot_ids
        ).values_list("participant_id", "participant__kind", "slot_id"):
            key = _key(participant_id, buyer=kind == ParticipantKind.BUYER)
            unavailable.setdefault(key, set()).add(index[slot_id])
        if ahead:
            result = scheduling.schedule(
                requests, slots=len(ahead), tables=tables, unavailable=unavailable, locked=locked
            )
        else:
            result = scheduling.ScheduleResult(
                assigned={},
                unscheduled={r.id: "no_slots_left" for r in requests},
                upper_bound=0,
            )
        changes: dict[int, Placement] = {}
        unseat: list[int] = []
        moved: set[int] = set()
        placements: dict[str, list] = {}
        for pk, buyer_id, exhibitor_id, _p, slot_id, table, _l, reason, booth in meetings:
            placed = result.assigned.get(str(pk))
            if placed is None:
                target = (None, None, result.unscheduled.get(str(pk), ""))
            else:
                slot_index, seat = placed
                target = (slot_ids[slot_index], booth if booths else seat, "")
            if target != (slot_id, table, reason):
                changes[pk] = target
            if target[:2] != (slot_id, table):
                placements[str(pk)] = [(slot_id, table), target[:2]]
                moved.update((buyer_id, exhibitor_id))
                if slot_id is not None:
                    unseat.append(pk)
        _placements_write(changes, unseat)
        run.status = RunStatus.DONE
        run.finished_at = timezone.now()
        run.from_slot = ahead[0] if ahead else None
        run.requests = len(requests)
        run.placed = len(result.assigned)
        run.upper_bound = result.upper_bound
        run.unscheduled = dict(result.unscheduled)
        run.save()
        _audit_schedule_run(run, event=event, slots=ahead, placements=placements)
    if event.status in (EventStatus.PUBLISHED, EventStatus.RUNNING) and moved:
        # After publication, only those whose agenda changed hear about it.
        agendas_send(event=event, only=moved)
    return run


# The audit log's summary of a run, worded in the reader's language when shown.
SCHEDULE_KEPT = gettext_noop(
    "{moved} pertemuan berpindah; {placed} dari {requests} permintaan terjadwal; jadwal yang "
    "ada dipertahankan"
)
SCHEDULE_REDONE = gettext_noop(
    "{moved} pertemuan berpindah; {placed} dari {requests} permintaan terjadwal; jadwal "
    "disusun ulang"
)


def _audit_schedule_run(
    run: ScheduleRun, *, event: Event, slots: list[Slot], placements: dict[str, list]
) -> None:
    """One audit row per run: each meeting whose slot or table changed, before and after,
    as "start (ISO 8601) / meja N" (None: without a place)."""
    starts = {slot.pk: audit.readable(slot.starts_at) for slot in slots}

    def place(slot_id: int | None, table: int | None) -> str | None:
        if slot_id is None:
            return None
        return _place_label(starts.get(slot_id, slot_id), table)

    audit.record(
        actor=run.requested_by,
        job=SystemJob.SCHEDULE_RUN,
        action=AuditAction.SCHEDULE_RUN,
        obj=run,
        label=f"{event.name} — penjadwalan #{run.pk}",
        changes={
            meeting: [place(*before), place(*after)]
            for meeting, (before, after) in placements.items()
        },
        summary=audit.summary_given(
            SCHEDULE_KEPT if run.keep_current else SCHEDULE_REDONE,
            moved=len(placements),
            placed=run.placed,
            requests=run.requests,
        ),
    )
