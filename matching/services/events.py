"""An event's life cycle: its slots from its days and breaks, its moves from draft to closed,
and the agendas mailed when the schedule is published."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import notify
from matching import rules
from matching.models import (
    Event,
    Meeting,
    MeetingStatus,
    ParticipantStatus,
    Slot,
)
from matching.rules import EventStatus
from matching.selectors import agenda_meetings

WRONG_TRANSITION = _("Acara berstatus {current} tidak dapat diubah menjadi {target}.")
NO_SLOTS = _("Acara belum punya sesi pertemuan: isi hari acara dan jam pertemuannya lebih dulu.")
SLOTS_LOCKED = _(
    "Hari dan jam acara tidak dapat diubah lagi karena pertemuan sudah dijadwalkan. "
    "Kembalikan status acara lebih dulu."
)


def event_slots_rebuild(*, event: Event) -> int:
    """Slots from the event's days, meeting length and breaks. Slots that keep their start
    time stay (with the unavailability marked on them); the rest are replaced. Refused once
    meetings sit in slots."""
    if Meeting.objects.filter(event=event, slot__isnull=False).exists():
        raise ValidationError(SLOTS_LOCKED, code="slots_locked")
    wanted = rules.slot_times(
        [rules.DayHours(d.day, d.starts, d.ends) for d in event.days.all()],
        minutes=event.slot_minutes,
        breaks=[rules.Break(b.starts, b.ends) for b in event.breaks.all()],
        tz=timezone.get_default_timezone(),
    )
    existing = {slot.starts_at: slot for slot in event.slots.all()}
    keep = []
    create = []
    for starts_at, ends_at in wanted:
        slot = existing.pop(starts_at, None)
        if slot is None:
            create.append(Slot(event=event, starts_at=starts_at, ends_at=ends_at))
        elif slot.ends_at != ends_at:
            slot.ends_at = ends_at
            keep.append(slot)
    Slot.objects.filter(pk__in=[s.pk for s in existing.values()]).delete()
    Slot.objects.bulk_update(keep, ["ends_at"])
    Slot.objects.bulk_create(create)
    return len(wanted)


@transaction.atomic
def event_move(*, event: Event, target: str, by: User) -> Event:
    """Move the event along its life cycle, with what each step brings: slots when
    registration opens, agendas mailed when the schedule is published, pending requests
    closed when the event ends."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not rules.can_move(event.status, target):
        raise ValidationError(
            WRONG_TRANSITION.format(
                current=event.get_status_display(), target=EventStatus(target).label
            ),
            code="wrong_transition",
        )
    opening = target == EventStatus.REGISTRATION and event.status == EventStatus.DRAFT
    if opening and event_slots_rebuild(event=event) == 0:
        raise ValidationError(NO_SLOTS, code="no_slots")
    event.status = target
    if target == EventStatus.PUBLISHED:
        event.published_at = timezone.now()
    event.save(update_fields=["status", "published_at"])
    if target == EventStatus.PUBLISHED:
        agendas_send(event=event)
    if target == EventStatus.CLOSED:
        event.meetings.filter(status=MeetingStatus.PENDING).update(status=MeetingStatus.EXPIRED)
    return event


def agendas_send(*, event: Event, only: Iterable[int] | None = None) -> int:
    """Mail every accepted participant (or `only` those) their agenda, and tell them in the
    portal."""
    link = reverse("matching:agenda", args=[event.pk])
    participants = event.participants.filter(status=ParticipantStatus.ACCEPTED)
    if only is not None:
        participants = participants.filter(pk__in=list(only))
    participants = participants.select_related("vendor", "officer__user", "officer__opd").order_by(
        "pk"
    )
    sent = 0
    for participant in participants:
        meetings = list(agenda_meetings(participant=participant))
        notify(
            users=participant.users,
            template="matching/agenda_published",
            context={"event": event, "participant": participant, "meetings": meetings},
            link=link,
        )
        sent += 1
    return sent
