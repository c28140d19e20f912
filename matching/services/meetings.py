"""Meetings between a buyer and an exhibitor: requested, answered, called off or expired by
the participants; added, removed, locked or reopened by an admin (audited)."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import notify
from audit import services as audit
from audit.models import AuditAction
from matching import rules
from matching.models import (
    ACTIVE_MEETING_STATES,
    Event,
    Meeting,
    MeetingStatus,
    Need,
    Participant,
    ParticipantStatus,
    RequestedBy,
)
from matching.rules import EventStatus
from matching.selectors import acts_for

NOT_ACCEPTED = _("Peserta ini belum diterima di acara, jadi belum dapat bertemu.")
NO_REQUESTS_NOW = _("Permintaan pertemuan tidak dapat diajukan atau dijawab pada status acara ini.")
PAIR_EXISTS = _(
    "Pembeli dan peserta pameran ini sudah punya permintaan atau pertemuan yang berlaku."
)
TOO_MANY_MEETINGS = _(
    "{name} sudah mencapai batas {limit} pertemuan di acara ini. Batalkan permintaan lain "
    "lebih dulu."
)
NOT_PENDING = _("Permintaan ini sudah dijawab atau tidak berlaku lagi.")
NOT_YOUR_TURN = _("Permintaan ini menunggu jawaban pihak lain, bukan Anda.")
EVENT_CLOSED = _("Acara sudah selesai; tidak ada lagi yang dapat diubah.")
LOCK_NOT_SEATED = _("Hanya pertemuan yang sudah punya sesi dan meja yang dapat dikunci.")
REOPEN_NOT_NO_SHOW = _("Hanya pertemuan berstatus tidak hadir yang dapat dijadwalkan ulang.")
REOPEN_EVENT_STATE = _(
    "Pertemuan dijadwalkan ulang hanya saat acara berstatus penjadwalan, jadwal diumumkan, "
    "atau berlangsung."
)
REOPEN_PAIR_TAKEN = _("Pasangan ini sudah punya pertemuan lain yang masih berlaku.")
MEETING_STARTED = _(
    "Sesi pertemuan ini sudah dimulai, jadi pertemuan tidak dapat dibatalkan lagi; yang tersisa "
    "adalah mencatat hasilnya."
)


def _active_meetings(participant: Participant) -> int:
    """Accepted and held meetings, and requests still waiting (not past their expiry)."""
    side = "buyer" if participant.is_buyer else "exhibitor"
    lapsed = Q(status=MeetingStatus.PENDING, expires_at__lte=timezone.now())
    return (
        Meeting.objects.filter(**{side: participant}, status__in=ACTIVE_MEETING_STATES)
        .exclude(lapsed)
        .count()
    )


def _check_room(event: Event, *participants: Participant) -> None:
    for participant in participants:
        if _active_meetings(participant) >= event.max_meetings_per_participant:
            raise ValidationError(
                TOO_MANY_MEETINGS.format(
                    name=participant.name, limit=event.max_meetings_per_participant
                ),
                code="too_many_meetings",
            )


def _pair(a: Participant, b: Participant) -> tuple[Participant, Participant]:
    if a.kind == b.kind:
        raise ValidationError(
            _("Pertemuan selalu antara pembeli dan peserta pameran."), code="same_kind"
        )
    return (a, b) if a.is_buyer else (b, a)


@transaction.atomic
def meeting_request(
    *,
    requester: Participant,
    other: Participant,
    by: User,
    note: str = "",
    need: Need | None = None,
) -> Meeting:
    """One side asks the other for a meeting; the other side is told and answers. The
    request expires after the event's set time."""
    event = Event.objects.select_for_update().get(pk=requester.event_id)
    if not acts_for(requester, by):
        raise PermissionDenied
    if event.status not in rules.REQUEST_STATES:
        raise ValidationError(NO_REQUESTS_NOW, code="no_requests_now")
    if other.event_id != event.pk:
        raise PermissionDenied
    buyer, exhibitor = _pair(requester, other)
    for participant in (buyer, exhibitor):
        if participant.status != ParticipantStatus.ACCEPTED:
            raise ValidationError(NOT_ACCEPTED, code="not_accepted")
    if need is not None and need.participant_id != buyer.pk:
        raise PermissionDenied
    if Meeting.objects.filter(
        buyer=buyer, exhibitor=exhibitor, status__in=ACTIVE_MEETING_STATES
    ).exists():
        raise ValidationError(PAIR_EXISTS, code="pair_exists")
    _check_room(event, buyer, exhibitor)
    now = timezone.now()
    meeting = Meeting.objects.create(
        event=event,
        buyer=buyer,
        exhibitor=exhibitor,
        need=need,
        requested_by=RequestedBy.BUYER if requester.is_buyer else RequestedBy.EXHIBITOR,
        requested_by_user=by,
        note=note.strip()[:500],
        created_at=now,
        expires_at=now + timedelta(hours=event.request_expiry_hours),
    )
    notify(
        users=other.users,
        template="matching/meeting_requested",
        context={"event": event, "meeting": meeting, "requester": requester},
        link=reverse("matching:participation", args=[event.pk]) + "#permintaan",
    )
    return meeting


@transaction.atomic
def meeting_respond(*, meeting: Meeting, by: User, accept: bool, note: str = "") -> Meeting:
    """The side that was asked accepts or declines; the requester is told."""
    meeting = Meeting.objects.select_for_update().select_related("event").get(pk=meeting.pk)
    answering = meeting.exhibitor if meeting.requested_by == RequestedBy.BUYER else meeting.buyer
    if not acts_for(answering, by):
        if acts_for(meeting.buyer, by) or acts_for(meeting.exhibitor, by):
            raise ValidationError(NOT_YOUR_TURN, code="not_your_turn")
        raise PermissionDenied
    if meeting.event.status not in rules.REQUEST_STATES:
        raise ValidationError(NO_REQUESTS_NOW, code="no_requests_now")
    if meeting.status != MeetingStatus.PENDING or (
        meeting.expires_at and meeting.expires_at <= timezone.now()
    ):
        raise ValidationError(NOT_PENDING, code="not_pending")
    if accept:
        _check_accept_room(meeting)
    meeting.status = MeetingStatus.ACCEPTED if accept else MeetingStatus.DECLINED
    meeting.responded_at = timezone.now()
    meeting.response_note = note.strip()[:500]
    meeting.save(update_fields=["status", "responded_at", "response_note"])
    requester = meeting.buyer if meeting.requested_by == RequestedBy.BUYER else meeting.exhibitor
    notify(
        users=requester.users,
        template="matching/meeting_answered",
        context={"event": meeting.event, "meeting": meeting, "answering": answering},
        link=reverse("matching:participation", args=[meeting.event_id]) + "#permintaan",
    )
    return meeting


def _check_accept_room(meeting: Meeting) -> None:
    """Accepted and held meetings count against the limit (pending ones, including this
    one, do not block an acceptance)."""
    limit = meeting.event.max_meetings_per_participant
    for side, participant in (("buyer", meeting.buyer), ("exhibitor", meeting.exhibitor)):
        agreed = Meeting.objects.filter(
            **{side: participant}, status__in=(MeetingStatus.ACCEPTED, MeetingStatus.HELD)
        ).count()
        if agreed >= limit:
            raise ValidationError(
                TOO_MANY_MEETINGS.format(name=participant.name, limit=limit),
                code="too_many_meetings",
            )


@transaction.atomic
def meeting_withdraw(*, meeting: Meeting, by: User) -> Meeting:
    """Either side calls off a request or an unheld meeting; the other side is told."""
    meeting = (
        Meeting.objects.select_for_update(of=("self", "event", "buyer", "exhibitor"))
        .select_related("event", "buyer", "exhibitor", "slot")
        .get(pk=meeting.pk)
    )
    if not (acts_for(meeting.buyer, by) or acts_for(meeting.exhibitor, by)):
        raise PermissionDenied
    if meeting.event.status == EventStatus.CLOSED:
        raise ValidationError(EVENT_CLOSED, code="event_closed")
    if meeting.status not in (MeetingStatus.PENDING, MeetingStatus.ACCEPTED):
        raise ValidationError(NOT_PENDING, code="not_pending")
    starts_at = meeting.slot.starts_at if meeting.slot else None
    if not rules.meeting_can_withdraw(
        status=meeting.status, starts_at=starts_at, now=timezone.now()
    ):
        raise ValidationError(MEETING_STARTED, code="meeting_started")
    return _meeting_close(meeting, MeetingStatus.WITHDRAWN, by=by)


def _meeting_close(meeting: Meeting, status: str, *, by: User) -> Meeting:
    meeting.status = status
    meeting.slot = None
    meeting.table = None
    meeting.locked = False
    meeting.save(update_fields=["status", "slot", "table", "locked"])
    others = [p for p in (meeting.buyer, meeting.exhibitor) if by is None or not acts_for(p, by)]
    for participant in others:
        notify(
            users=participant.users,
            template="matching/meeting_closed",
            context={"event": meeting.event, "meeting": meeting},
            link=reverse("matching:participation", args=[meeting.event_id]),
        )
    return meeting


def meetings_expire(*, now: datetime | None = None) -> int:
    """Pending requests past their time expire; both sides are told."""
    now = now or timezone.now()
    expired = 0
    for meeting in Meeting.objects.filter(
        status=MeetingStatus.PENDING, expires_at__lte=now
    ).select_related("event", "buyer", "exhibitor"):
        with transaction.atomic():
            _meeting_close(meeting, MeetingStatus.EXPIRED, by=None)
        expired += 1
    return expired


@transaction.atomic
def meeting_admin_add(
    *, buyer: Participant, exhibitor: Participant, by: User, note: str = "", priority: int = 1
) -> Meeting:
    """An admin puts a meeting on both agendas directly (agreed by phone, at the door)."""
    if not by.is_staff:
        raise PermissionDenied
    buyer, exhibitor = _pair(buyer, exhibitor)
    if buyer.event_id != exhibitor.event_id:
        raise ValidationError(_("Kedua peserta harus dari acara yang sama."), code="two_events")
    for participant in (buyer, exhibitor):
        if participant.status != ParticipantStatus.ACCEPTED:
            raise ValidationError(NOT_ACCEPTED, code="not_accepted")
    if Meeting.objects.filter(
        buyer=buyer, exhibitor=exhibitor, status__in=ACTIVE_MEETING_STATES
    ).exists():
        raise ValidationError(PAIR_EXISTS, code="pair_exists")
    meeting = Meeting.objects.create(
        event_id=buyer.event_id,
        buyer=buyer,
        exhibitor=exhibitor,
        requested_by=RequestedBy.ADMIN,
        requested_by_user=by,
        note=note[:500],
        priority=priority,
        status=MeetingStatus.ACCEPTED,
        responded_at=timezone.now(),
    )
    _audit_meeting(meeting, action=AuditAction.MEETING_ADDED, by=by, before={}, note=note)
    for participant in (buyer, exhibitor):
        notify(
            users=participant.users,
            template="matching/meeting_added",
            context={"event": buyer.event, "meeting": meeting},
            link=reverse("matching:participation", args=[buyer.event_id]),
        )
    return meeting


@transaction.atomic
def meeting_remove(*, meeting: Meeting, by: User) -> Meeting:
    """An admin takes a meeting off the agendas; both sides are told."""
    if not by.is_staff:
        raise PermissionDenied
    meeting = (
        Meeting.objects.select_for_update()
        .select_related("event", "buyer", "exhibitor")
        .get(pk=meeting.pk)
    )
    if meeting.status not in (MeetingStatus.PENDING, MeetingStatus.ACCEPTED):
        raise ValidationError(NOT_PENDING, code="not_pending")
    before = _meeting_state(meeting)
    meeting = _meeting_close(meeting, MeetingStatus.REMOVED, by=by)
    _audit_meeting(meeting, action=AuditAction.MEETING_REMOVED, by=by, before=before)
    return meeting


@transaction.atomic
def meeting_lock(*, meeting: Meeting, locked: bool, by: User) -> Meeting:
    """Pin a seated meeting to its slot and table (the scheduler leaves it), or free it."""
    if not by.is_staff:
        raise PermissionDenied
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked and not meeting.is_scheduled:
        raise ValidationError(LOCK_NOT_SEATED, code="not_seated")
    if meeting.locked != locked:
        before = _meeting_state(meeting)
        meeting.locked = locked
        meeting.save(update_fields=["locked"])
        action = AuditAction.MEETING_LOCKED if locked else AuditAction.MEETING_UNLOCKED
        _audit_meeting(meeting, action=action, by=by, before=before)
    return meeting


@transaction.atomic
def meeting_reopen(*, meeting: Meeting, by: User) -> Meeting:
    """A no-show goes back to the agreed meetings without a slot, for the next scheduler
    run (both sides came after all, or want another time)."""
    if not by.is_staff:
        raise PermissionDenied
    meeting = Meeting.objects.select_for_update().select_related("event").get(pk=meeting.pk)
    if meeting.status != MeetingStatus.NO_SHOW:
        raise ValidationError(REOPEN_NOT_NO_SHOW, code="not_no_show")
    if meeting.event.status not in rules.SCHEDULE_STATES:
        raise ValidationError(REOPEN_EVENT_STATE, code="event_state")
    taken = Meeting.objects.filter(
        buyer_id=meeting.buyer_id,
        exhibitor_id=meeting.exhibitor_id,
        status__in=ACTIVE_MEETING_STATES,
    ).exclude(pk=meeting.pk)
    if taken.exists():
        raise ValidationError(REOPEN_PAIR_TAKEN, code="pair_taken")
    before = _meeting_state(meeting)
    meeting.status = MeetingStatus.ACCEPTED
    meeting.slot = None
    meeting.table = None
    meeting.locked = False
    meeting.unscheduled_reason = ""
    meeting.save(update_fields=["status", "slot", "table", "locked", "unscheduled_reason"])
    _audit_meeting(meeting, action=AuditAction.MEETING_REOPENED, by=by, before=before)
    return meeting


def _place_label(starts_at: object, table: int | None) -> str:
    """Where a meeting sits, as the log shows it: "start (ISO 8601) / meja N"."""
    return f"{starts_at} / meja {table}"


def _meeting_state(meeting: Meeting) -> dict[str, object]:
    """What an admin's change to one meeting can move: its status, place and lock."""
    place = None
    if meeting.slot_id is not None:
        place = _place_label(audit.readable(meeting.slot.starts_at), meeting.table)
    return {"status": meeting.status, "slot": place, "locked": meeting.locked}


def _audit_meeting(
    meeting: Meeting, *, action: AuditAction, by: User, before: dict, note: str = ""
) -> None:
    audit.record(
        actor=by,
        action=action,
        obj=meeting,
        label=f"{meeting.event.name} — pertemuan #{meeting.pk}",
        changes=audit.diff(before, _meeting_state(meeting)),
        note=note,
    )
