"""Business matching: what changes an event, its participants and meetings. Views and
tasks call these; rules live in matching.rules and matching.scheduling."""

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import notify
from audit import services as audit
from audit.models import AuditAction, SystemJob
from matching import rules, scheduling
from matching.models import (
    ACTIVE_MEETING_STATES,
    SEATED_STATES,
    CheckIn,
    Event,
    FollowUp,
    Meeting,
    MeetingStatus,
    Need,
    Outcome,
    Participant,
    ParticipantKind,
    ParticipantStatus,
    RequestedBy,
    RunStatus,
    ScheduleRun,
    Slot,
    Suggestion,
)
from matching.rules import EventStatus
from p3dn_portal.celery import publish_or_defer
from procurement.models import Officer, Package
from vendors.models import Product, Vendor
from vendors.rules import UMK_SCALES
from vendors.selectors import products_with_local_content

logger = logging.getLogger(__name__)

SUGGESTIONS_PER_NEED = 10

NOT_IN_REGISTRATION = _(
    "Pendaftaran acara ini tidak sedang dibuka. Lihat jadwal pendaftaran di halaman acara."
)
VENDOR_NOT_VERIFIED = _(
    "Hanya penyedia terverifikasi yang dapat ikut pameran. Lengkapi data usaha Anda dan "
    "tunggu verifikasi Dinas PPKUKM."
)
NO_CERTIFIED_PRODUCT = _(
    "Pilih paling sedikit satu produk Anda yang bersertifikat TKDN terverifikasi dan masih berlaku."
)
CAPACITY_FULL = _(
    "Kapasitas peserta pameran ({capacity}) sudah penuh. Tolak atau batalkan peserta lain "
    "lebih dulu, atau naikkan kapasitas acara."
)
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
WRONG_TRANSITION = _("Acara berstatus {current} tidak dapat diubah menjadi {target}.")
NO_SLOTS = _("Acara belum punya sesi pertemuan: isi hari acara dan jam pertemuannya lebih dulu.")
NOT_SCHEDULABLE = _(
    "Penjadwalan hanya dapat dijalankan saat acara berstatus penjadwalan, "
    "jadwal diumumkan, atau berlangsung."
)
NOT_EVENT_DAY = _("Hari ini bukan hari acara; kehadiran dicatat pada hari acara.")
CHECKIN_NOT_RUNNING = _("Kehadiran dicatat selama acara berstatus berlangsung.")
NOT_ATTENDANCE_TIME = _("Kehadiran dan hasil pertemuan dicatat saat acara berlangsung.")
MEETING_NOT_STARTED = _("Hasil pertemuan dapat dicatat setelah sesinya dimulai.")
MEETING_NOT_SEATED = _("Pertemuan ini belum terjadwal, jadi belum ada hasilnya.")
MEETING_NO_SHOW = _(
    "Pertemuan ini dicatat tidak hadir. Bila keliru, minta admin di meja kehadiran mengoreksinya."
)
AVAILABILITY_LOCKED = _(
    "Ketersediaan tidak dapat diubah lagi setelah jadwal diumumkan. Hubungi panitia Dinas "
    "PPKUKM bila Anda berhalangan pada sesi tertentu."
)
EVENT_CLOSED = _("Acara sudah selesai; tidak ada lagi yang dapat diubah.")
LOCK_NOT_SEATED = _("Hanya pertemuan yang sudah punya sesi dan meja yang dapat dikunci.")
REOPEN_NOT_NO_SHOW = _("Hanya pertemuan berstatus tidak hadir yang dapat dijadwalkan ulang.")
REOPEN_EVENT_STATE = _(
    "Pertemuan dijadwalkan ulang hanya saat acara berstatus penjadwalan, jadwal diumumkan, "
    "atau berlangsung."
)
REOPEN_PAIR_TAKEN = _("Pasangan ini sudah punya pertemuan lain yang masih berlaku.")
PACKAGE_OTHER_OPD = _("Paket yang ditautkan harus paket OPD pembeli.")
SLOTS_LOCKED = _(
    "Hari dan jam acara tidak dapat diubah lagi karena pertemuan sudah dijadwalkan. "
    "Kembalikan status acara lebih dulu."
)


# --- Who is who --------------------------------------------------------------------------


def participant_for_user(*, event: Event, user: User) -> Participant | None:
    """The user's own participation in the event: as its OPD officer or its vendor's member."""
    if not user.is_authenticated:
        return None
    if officer := user.opd_officer:
        return event.participants.filter(officer=officer).first()
    if member := user.vendor_member:
        return event.participants.filter(vendor=member.vendor_id).first()
    return None


def _acts_for(participant: Participant, user: User) -> bool:
    if participant.is_buyer:
        officer = user.opd_officer
        return officer is not None and officer.pk == participant.officer_id
    member = user.vendor_member
    return member is not None and member.vendor_id == participant.vendor_id


# --- The event ------------------------------------------------------------------------


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


def agenda_meetings(*, participant: Participant) -> QuerySet[Meeting]:
    side = "buyer" if participant.is_buyer else "exhibitor"
    return (
        Meeting.objects.filter(
            **{side: participant},
            status__in=(MeetingStatus.ACCEPTED, MeetingStatus.HELD, MeetingStatus.NO_SHOW),
            slot__isnull=False,
        )
        .select_related(
            "slot",
            "need",
            "buyer__officer__user",
            "buyer__officer__opd",
            "exhibitor__vendor",
        )
        .order_by("slot__starts_at", "table")
    )


# --- Participants ---------------------------------------------------------------------------


def _require_registration(event: Event, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if event.status not in rules.REGISTRATION_STATES or not (
        event.registration_opens_at <= now < event.registration_closes_at
    ):
        raise ValidationError(NOT_IN_REGISTRATION, code="registration_closed")


def exhibitable_products(*, vendor: Vendor) -> QuerySet[Product]:
    """The vendor's active products with a verified TKDN certificate valid today."""
    today = timezone.localdate()
    return (
        products_with_local_content(on=today)
        .filter(
            vendor=vendor,
            is_active=True,
            tkdn_certificates__status="verified",
            tkdn_certificates__expires_on__gte=today,
        )
        .distinct()
        .order_by("name")
    )


@transaction.atomic
def exhibitor_apply(
    *, event: Event, vendor: Vendor, by: User, products: Iterable[Product], note: str = ""
) -> Participant:
    """A verified vendor applies to exhibit with some of its certified products; an admin
    decides. Applying again updates the application while it waits."""
    _require_registration(event)
    if not vendor.is_verified:
        raise ValidationError(VENDOR_NOT_VERIFIED, code="vendor_not_verified")
    allowed = set(exhibitable_products(vendor=vendor).values_list("pk", flat=True))
    chosen = [p for p in products if p.pk in allowed]
    if not chosen:
        raise ValidationError(NO_CERTIFIED_PRODUCT, code="no_certified_product")
    participant, created = Participant.objects.get_or_create(
        event=event,
        vendor=vendor,
        defaults={"kind": ParticipantKind.EXHIBITOR, "registered_by": by, "note": note},
    )
    if not created:
        if participant.status not in (ParticipantStatus.APPLIED, ParticipantStatus.WITHDRAWN):
            raise ValidationError(
                _("Pendaftaran Anda sudah diputuskan: {status}.").format(
                    status=participant.get_status_display()
                ),
                code="already_decided",
            )
        participant.status = ParticipantStatus.APPLIED
        participant.note = note
        participant.save(update_fields=["status", "note"])
    participant.products.set(chosen)
    return participant


@transaction.atomic
def exhibitors_decide(
    *, participants: Sequence[Participant], accept: bool, by: User, reason: str = ""
) -> int:
    """Accept exhibitors up to the event's capacity (booths numbered in order), or reject
    them with a reason. Each vendor is told."""
    decided = 0
    for participant in sorted(participants, key=lambda p: p.pk):
        participant = Participant.objects.select_for_update().get(pk=participant.pk)
        if participant.kind != ParticipantKind.EXHIBITOR:
            continue
        event = Event.objects.select_for_update().get(pk=participant.event_id)
        if accept:
            # Only applications waiting for a decision: a rejected or withdrawn exhibitor
            # is not brought back by a bulk action.
            if participant.status != ParticipantStatus.APPLIED:
                continue
            taken = event.participants.filter(
                kind=ParticipantKind.EXHIBITOR, status=ParticipantStatus.ACCEPTED
            )
            if taken.count() >= event.exhibitor_capacity:
                raise ValidationError(
                    CAPACITY_FULL.format(capacity=event.exhibitor_capacity), code="capacity"
                )
            booths = set(event.participants.exclude(booth=None).values_list("booth", flat=True))
            participant.booth = participant.booth or next(
                n for n in range(1, len(booths) + 2) if n not in booths
            )
            participant.status = ParticipantStatus.ACCEPTED
            participant.rejection_reason = ""
        else:
            if not reason.strip():
                raise ValidationError(_("Tulis alasan penolakan."), code="reason_required")
            participant.status = ParticipantStatus.REJECTED
            participant.rejection_reason = reason.strip()
            participant.booth = None
        participant.decided_at = timezone.now()
        participant.save(update_fields=["status", "rejection_reason", "booth", "decided_at"])
        notify(
            users=participant.users,
            template="matching/exhibitor_decided",
            context={"event": event, "participant": participant},
            link=reverse("matching:participation", args=[event.pk]),
        )
        decided += 1
    return decided


@transaction.atomic
def buyer_register(*, event: Event, officer: Officer, by: User, note: str = "") -> Participant:
    """An OPD officer joins as a buyer; buyers need no approval."""
    _require_registration(event)
    participant, created = Participant.objects.get_or_create(
        event=event,
        officer=officer,
        defaults={
            "kind": ParticipantKind.BUYER,
            "registered_by": by,
            "note": note,
            "status": ParticipantStatus.ACCEPTED,
            "decided_at": timezone.now(),
        },
    )
    if not created and participant.status == ParticipantStatus.WITHDRAWN:
        participant.status = ParticipantStatus.ACCEPTED
        participant.save(update_fields=["status"])
    return participant


@transaction.atomic
def participant_withdraw(*, participant: Participant, by: User) -> Participant:
    """A participant leaves the event: its open requests and unheld meetings are withdrawn
    and the other side is told."""
    if not (_acts_for(participant, by) or by.is_staff):
        raise PermissionDenied
    if participant.event.status == EventStatus.CLOSED:
        raise ValidationError(EVENT_CLOSED, code="event_closed")
    if participant.status in (ParticipantStatus.WITHDRAWN, ParticipantStatus.REJECTED):
        raise ValidationError(
            _("Anda sudah tidak terdaftar di acara ini."), code="not_participating"
        )
    participant.status = ParticipantStatus.WITHDRAWN
    participant.booth = None
    participant.save(update_fields=["status", "booth"])
    side = "buyer" if participant.is_buyer else "exhibitor"
    # Taken out by an admin, the meetings read "removed by admin", not "called off".
    closed_as = MeetingStatus.WITHDRAWN if _acts_for(participant, by) else MeetingStatus.REMOVED
    for meeting in Meeting.objects.filter(
        **{side: participant}, status__in=(MeetingStatus.PENDING, MeetingStatus.ACCEPTED)
    ).select_related("buyer", "exhibitor"):
        _meeting_close(meeting, closed_as, by=by)
    return participant


@transaction.atomic
def need_save(*, need: Need, by: User) -> Need:
    if not (_acts_for(need.participant, by) or by.is_staff):
        raise PermissionDenied
    if need.package_id and need.package.opd_id != need.participant.officer.opd_id:
        raise ValidationError({"package": PACKAGE_OTHER_OPD}, code="package_other_opd")
    if need.kbli and rules.is_food_kbli(need.kbli):
        need.is_food = True
    need.full_clean()
    need.save()
    if need.participant.event.status in rules.REQUEST_STATES:
        suggestions_request(event=need.participant.event, need_ids=[need.pk])
    return need


@transaction.atomic
def need_delete(*, need: Need, by: User) -> None:
    """Its suggestions go with it; meetings asked about it stay, without the need."""
    if not (_acts_for(need.participant, by) or by.is_staff):
        raise PermissionDenied
    need.delete()


@transaction.atomic
def unavailability_set(*, participant: Participant, slots: Iterable[Slot], by: User) -> None:
    if not (_acts_for(participant, by) or by.is_staff):
        raise PermissionDenied
    if participant.event.status in rules.AGENDA_STATES:
        raise ValidationError(AVAILABILITY_LOCKED, code="availability_locked")
    participant.unavailable_slots.set([s for s in slots if s.event_id == participant.event_id])


# --- Suggestions ----------------------------------------------------------------------------


def _or_query(text: str) -> str:
    """The need's words joined with `or` for websearch_to_tsquery: any shared word counts,
    more shared words rank higher."""
    words = re.findall(r"\w{3,}", text.lower())
    return " or ".join(dict.fromkeys(words))


def suggestions_request(*, event: Event, need_ids: list[int] | None = None) -> None:
    """Compute suggestions after commit: for the whole event, or only for some needs."""
    transaction.on_commit(lambda: _enqueue_suggestions(event.pk, need_ids))


def _enqueue_suggestions(event_id: int, need_ids: list[int] | None = None) -> None:
    from matching.tasks import suggestions_compute

    if not publish_or_defer(suggestions_compute, args=(event_id, need_ids)):
        logger.warning("Broker unreachable: suggestions for event %s not computed.", event_id)


@transaction.atomic
def suggestions_compute(*, event_id: int, need_ids: list[int] | None = None) -> int:
    """Suggested exhibitor products for every buyer need of the event (or only `need_ids`),
    with reasons: KBLI, Postgres full-text similarity (indonesian), TKDN tier, small
    business, halal for food, and price within budget. Replaces earlier suggestions of
    those needs."""
    event = Event.objects.select_for_update().filter(pk=event_id).first()
    if event is None:
        return 0
    today = timezone.localdate()
    stale = Suggestion.objects.filter(need__participant__event=event)
    if need_ids is not None:
        stale = stale.filter(need__in=need_ids)
    stale.delete()
    exhibitors = {
        p.vendor_id: p
        for p in event.participants.filter(
            kind=ParticipantKind.EXHIBITOR, status=ParticipantStatus.ACCEPTED
        ).select_related("vendor")
    }
    needs = Need.objects.filter(
        participant__event=event, participant__status=ParticipantStatus.ACCEPTED
    ).order_by("pk")
    if need_ids is not None:
        needs = needs.filter(pk__in=need_ids)
    rows = []
    for need in needs:
        products = products_with_local_content(on=today).filter(
            matching_participations__event=event,
            matching_participations__status=ParticipantStatus.ACCEPTED,
        )
        words = _or_query(need.description)
        if words:
            query = SearchQuery(words, config="indonesian", search_type="websearch")
            products = products.annotate(text_rank=SearchRank("search_vector", query))
        facts = rules.NeedFacts(kbli=need.kbli, is_food=need.is_food, budget=need.estimated_budget)
        candidates = []
        for product in products.select_related("vendor").order_by("pk"):
            content = product.local_content
            found = rules.match(
                facts,
                rules.ProductFacts(
                    kbli=product.kbli,
                    unit_price=product.unit_price,
                    tier=content.tier,
                    small_business=product.vendor.scale in UMK_SCALES,
                    halal=product.has_valid_halal,
                    text_rank=float(getattr(product, "text_rank", 0) or 0),
                ),
            )
            if found is not None:
                candidates.append((product, found))
        for product, found in rules.best_matches(candidates, limit=SUGGESTIONS_PER_NEED):
            rows.append(
                Suggestion(
                    need=need,
                    exhibitor=exhibitors[product.vendor_id],
                    product=product,
                    score=found.score,
                    reasons=list(found.reasons),
                    text_rank=float(getattr(product, "text_rank", 0) or 0),
                )
            )
    Suggestion.objects.bulk_create(rows)
    if need_ids is None:
        event.suggestions_computed_at = timezone.now()
        event.save(update_fields=["suggestions_computed_at"])
    return len(rows)


# --- Meeting requests -----------------------------------------------------------------------


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
    if not _acts_for(requester, by):
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
    if not _acts_for(answering, by):
        if _acts_for(meeting.buyer, by) or _acts_for(meeting.exhibitor, by):
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
        Meeting.objects.select_for_update()
        .select_related("event", "buyer", "exhibitor")
        .get(pk=meeting.pk)
    )
    if not (_acts_for(meeting.buyer, by) or _acts_for(meeting.exhibitor, by)):
        raise PermissionDenied
    if meeting.event.status == EventStatus.CLOSED:
        raise ValidationError(EVENT_CLOSED, code="event_closed")
    if meeting.status not in (MeetingStatus.PENDING, MeetingStatus.ACCEPTED):
        raise ValidationError(NOT_PENDING, code="not_pending")
    return _meeting_close(meeting, MeetingStatus.WITHDRAWN, by=by)


def _meeting_close(meeting: Meeting, status: str, *, by: User) -> Meeting:
    meeting.status = status
    meeting.slot = None
    meeting.table = None
    meeting.locked = False
    meeting.save(update_fields=["status", "slot", "table", "locked"])
    others = [p for p in (meeting.buyer, meeting.exhibitor) if by is None or not _acts_for(p, by)]
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


# --- Scheduling ----------------------------------------------------------------------------


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
        summary=(
            f"{len(placements)} pertemuan berpindah; {run.placed} dari {run.requests} "
            "permintaan terjadwal"
        ),
        note=f"Pertahankan jadwal yang ada: {'ya' if run.keep_current else 'tidak'}.",
    )


# --- At the event --------------------------------------------------------------------------


@transaction.atomic
def check_in(*, participant: Participant, by: User, now: datetime | None = None) -> CheckIn:
    """Record a participant at the door today; checking in twice keeps the first time."""
    if not by.is_staff:
        raise PermissionDenied
    now = now or timezone.now()
    event = participant.event
    if event.status != EventStatus.RUNNING:
        raise ValidationError(CHECKIN_NOT_RUNNING, code="not_running")
    today = timezone.localdate(now)
    if not event.days.filter(day=today).exists():
        raise ValidationError(NOT_EVENT_DAY, code="not_event_day")
    if participant.status != ParticipantStatus.ACCEPTED:
        raise ValidationError(NOT_ACCEPTED, code="not_accepted")
    checkin, created = CheckIn.objects.get_or_create(
        participant=participant, day=today, defaults={"at": now, "by": by}
    )
    if created:
        _no_shows_revive(participant=participant, today=today, now=now)
    return checkin


def _no_shows_revive(*, participant: Participant, today, now: datetime) -> list[int]:
    """Arriving late, within a meeting's slot, turns its no-show back into a meeting when
    the other side is here and the table and both people are still free then."""
    side, other = ("buyer", "exhibitor") if participant.is_buyer else ("exhibitor", "buyer")
    revived = []
    candidates = Meeting.objects.filter(
        **{side: participant},
        status=MeetingStatus.NO_SHOW,
        slot__ends_at__gt=now,
        slot__starts_at__lte=now,
    ).filter(Exists(CheckIn.objects.filter(participant=OuterRef(other), day=today)))
    for meeting in candidates.select_for_update(of=("self",)):
        seated = Meeting.objects.filter(slot=meeting.slot_id, status__in=SEATED_STATES)
        clash = seated.filter(
            Q(table=meeting.table) | Q(buyer=meeting.buyer_id) | Q(exhibitor=meeting.exhibitor_id)
        )
        if clash.exists():
            continue
        meeting.status = MeetingStatus.ACCEPTED
        meeting.save(update_fields=["status"])
        revived.append(meeting.pk)
    return revived


def no_shows_mark(*, now: datetime | None = None) -> list[int]:
    """Meetings whose buyer or exhibitor has not checked in that day 5 minutes after the
    slot began become no-shows: the slot and table are free again, both sides are told."""
    now = now or timezone.now()
    day_checkin = CheckIn.objects.filter(day=OuterRef("slot_day"))
    due = (
        Meeting.objects.filter(
            event__status=EventStatus.RUNNING,
            status=MeetingStatus.ACCEPTED,
            slot__starts_at__lte=now - rules.NO_SHOW_GRACE,
        )
        .annotate(slot_day=TruncDate("slot__starts_at"))
        .annotate(
            buyer_in=Exists(day_checkin.filter(participant=OuterRef("buyer"))),
            exhibitor_in=Exists(day_checkin.filter(participant=OuterRef("exhibitor"))),
        )
        .filter(Q(buyer_in=False) | Q(exhibitor_in=False))
        .select_related("event", "slot", "buyer__officer__user", "exhibitor__vendor")
    )
    marked = []
    for meeting in due:
        with transaction.atomic():
            updated = Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.ACCEPTED).update(
                status=MeetingStatus.NO_SHOW
            )
            if not updated:
                continue
            absent = [
                p
                for p, present in (
                    (meeting.buyer, meeting.buyer_in),
                    (meeting.exhibitor, meeting.exhibitor_in),
                )
                if not present
            ]
            for participant in (meeting.buyer, meeting.exhibitor):
                notify(
                    users=participant.users,
                    template="matching/meeting_no_show",
                    context={"event": meeting.event, "meeting": meeting, "absent": absent},
                    link=reverse("matching:agenda", args=[meeting.event_id]),
                )
        marked.append(meeting.pk)
    return marked


def can_record_outcome(*, meeting: Meeting, user: User) -> bool:
    return user.is_staff or _acts_for(meeting.buyer, user)


@transaction.atomic
def outcome_record(
    *,
    meeting: Meeting,
    by: User,
    held: bool,
    interest: bool = False,
    estimated_value: Decimal | None = None,
    products: Iterable[Product] = (),
    notes: str = "",
    follow_up: str = FollowUp.NONE,
    catalogue_order_ref: str = "",
    package: Package | None = None,
    now: datetime | None = None,
) -> Outcome | None:
    """The buyer (or an admin) records whether the meeting was held and what came of it: a
    statement of interest, its estimated value, the products discussed, and the follow-up
    (an e-catalogue order or a procurement package, linked). An admin may correct a
    no-show to held."""
    now = now or timezone.now()
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("event", "slot", "buyer__officer", "exhibitor")
        .get(pk=meeting.pk)
    )
    if not can_record_outcome(meeting=meeting, user=by):
        raise PermissionDenied
    if meeting.event.status not in rules.ATTENDANCE_STATES:
        raise ValidationError(NOT_ATTENDANCE_TIME, code="not_running")
    allowed = (MeetingStatus.ACCEPTED, MeetingStatus.HELD)
    if by.is_staff:
        allowed += (MeetingStatus.NO_SHOW,)
    if meeting.status == MeetingStatus.NO_SHOW and not by.is_staff:
        raise ValidationError(MEETING_NO_SHOW, code="no_show")
    if meeting.slot is None or meeting.status not in allowed:
        raise ValidationError(MEETING_NOT_SEATED, code="not_seated")
    if meeting.slot.starts_at > now:
        raise ValidationError(MEETING_NOT_STARTED, code="not_started")
    if not held:
        # The outcome stays (not counted while the meeting is a no-show): marking it held
        # again brings it back.
        meeting.status = MeetingStatus.NO_SHOW
        meeting.save(update_fields=["status"])
        return None
    if package is not None and package.opd_id != meeting.buyer.officer.opd_id:
        raise ValidationError({"package": PACKAGE_OTHER_OPD}, code="package_other_opd")
    if follow_up != FollowUp.PACKAGE:
        package = None
    if follow_up != FollowUp.CATALOGUE:
        catalogue_order_ref = ""
    outcome = Outcome.objects.filter(meeting=meeting).first() or Outcome(meeting=meeting)
    outcome.interest = interest
    outcome.estimated_value = estimated_value if interest else None
    outcome.notes = notes
    outcome.follow_up = follow_up
    outcome.catalogue_order_ref = catalogue_order_ref.strip()
    outcome.package = package
    outcome.recorded_by = by
    outcome.recorded_at = now
    outcome.full_clean(exclude=["meeting"])
    outcome.save()
    exhibited = {p.pk for p in meeting.exhibitor.products.all()}
    outcome.products.set([p for p in products if p.pk in exhibited])
    meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["status"])
    return outcome


def meeting_for_package(*, officer: Officer, meeting_id: object) -> Meeting | None:
    """A held meeting of the officer's OPD that a new package may grow from (one whose
    follow-up is not already a package), else None."""
    try:
        meeting_id = int(meeting_id)
    except (TypeError, ValueError):
        return None
    return (
        Meeting.objects.filter(
            pk=meeting_id, status=MeetingStatus.HELD, buyer__officer__opd=officer.opd_id
        )
        .exclude(outcome__package__isnull=False)
        .select_related("need", "exhibitor__vendor", "event")
        .first()
    )


def package_initial_from_meeting(meeting: Meeting) -> dict:
    """What a package created after a meeting starts with: the need it answered."""
    need = meeting.need
    title = need.description.splitlines()[0][:250] if need else ""
    description = _("Tindak lanjut temu bisnis {event} dengan {vendor}.").format(
        event=meeting.event.name, vendor=meeting.exhibitor.vendor.name
    )
    initial = {"title": title, "description": description}
    if need:
        initial["fiscal_year"] = need.fiscal_year
        if need.estimated_budget:
            initial["pagu"] = need.estimated_budget
    return initial


@transaction.atomic
def outcome_link_package(*, meeting: Meeting, package: Package, by: User) -> Outcome:
    """The package created from a meeting becomes its follow-up (the outcome records it)."""
    if package.opd_id != meeting.buyer.officer.opd_id:
        raise ValidationError({"package": PACKAGE_OTHER_OPD}, code="package_other_opd")
    outcome = Outcome.objects.select_for_update().filter(meeting=meeting).first()
    if outcome is None:
        outcome = Outcome(meeting=meeting, interest=True, recorded_by=by)
    outcome.follow_up = FollowUp.PACKAGE
    outcome.package = package
    outcome.catalogue_order_ref = ""
    outcome.save()
    if meeting.need_id and meeting.need.package_id is None:
        Need.objects.filter(pk=meeting.need_id).update(package=package)
    return outcome


# --- Figures -------------------------------------------------------------------------------


def participant_counts(*, event: Event) -> dict[str, int]:
    return {
        f"{row['kind']}_{row['status']}": row["n"]
        for row in event.participants.values("kind", "status").annotate(n=Count("pk"))
    }
