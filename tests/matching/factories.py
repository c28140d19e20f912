"""Business-matching test data: an event with days and slots, and its participants."""

from datetime import time, timedelta

from django.utils import timezone

from matching import services
from matching.models import (
    Event,
    EventBreak,
    EventDay,
    Meeting,
    MeetingStatus,
    Need,
    Participant,
    ParticipantKind,
    ParticipantStatus,
    RequestedBy,
)
from matching.rules import EventStatus
from tests.factories import (
    OfficerFactory,
    ProductFactory,
    TKDNCertificateFactory,
    VendorMemberFactory,
)


def event_create(
    *,
    status: str = EventStatus.REGISTRATION,
    days: int = 2,
    first_day=None,
    tables: int = 10,
    **fields,
) -> Event:
    """An event of `days` days from 09:00 to 12:00 with 30-minute meetings and a break
    10:00-10:30: 5 slots a day. Registration is open now; the first day is in 10 days."""
    now = timezone.now()
    first_day = first_day or timezone.localdate() + timedelta(days=10)
    event = Event.objects.create(
        name=fields.pop("name", "Business Matching P3DN Batch XI"),
        venue=fields.pop("venue", "Balai Kota DKI Jakarta"),
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=5),
        tables=tables,
        **fields,
    )
    for n in range(days):
        EventDay.objects.create(
            event=event, day=first_day + timedelta(days=n), starts=time(9), ends=time(12)
        )
    EventBreak.objects.create(event=event, label="Rehat kopi", starts=time(10), ends=time(10, 30))
    services.event_slots_rebuild(event=event)
    if status != EventStatus.DRAFT:
        Event.objects.filter(pk=event.pk).update(status=status)
        event.refresh_from_db()
    return event


def exhibitor_create(event: Event, *, member=None, status=ParticipantStatus.ACCEPTED, **product):
    """A verified vendor exhibiting one TKDN-certified product at the event."""
    member = member or VendorMemberFactory()
    vendor = member.vendor
    item = ProductFactory(vendor=vendor, **product)
    TKDNCertificateFactory(vendor=vendor, products=[item])
    participant = Participant.objects.create(
        event=event,
        kind=ParticipantKind.EXHIBITOR,
        vendor=vendor,
        status=status,
        registered_by=member.user,
        booth=(event.participants.exclude(booth=None).count() + 1)
        if status == ParticipantStatus.ACCEPTED
        else None,
    )
    participant.products.set([item])
    return participant


def buyer_create(event: Event, *, officer=None, **need) -> Participant:
    """An OPD officer registered as a buyer, with one need."""
    officer = officer or OfficerFactory()
    participant = Participant.objects.create(
        event=event,
        kind=ParticipantKind.BUYER,
        officer=officer,
        status=ParticipantStatus.ACCEPTED,
        registered_by=officer.user,
    )
    Need.objects.create(
        participant=participant,
        description=need.pop("description", "Kerupuk udang untuk konsumsi rapat"),
        kbli=need.pop("kbli", "10792"),
        fiscal_year=need.pop("fiscal_year", timezone.localdate().year + 1),
        **need,
    )
    return participant


def meeting_create(
    buyer: Participant,
    exhibitor: Participant,
    *,
    status=MeetingStatus.ACCEPTED,
    slot=None,
    table=None,
    **fields,
) -> Meeting:
    return Meeting.objects.create(
        event=buyer.event,
        buyer=buyer,
        exhibitor=exhibitor,
        requested_by=RequestedBy.BUYER,
        requested_by_user=buyer.officer.user,
        status=status,
        slot=slot,
        table=table if slot is None or table is not None else 1,
        **fields,
    )
