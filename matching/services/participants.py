"""Taking part in an event: exhibitors apply and are decided on, buyers register, both may
leave; buyers' needs and the exhibitor products suggested for them; when a participant
cannot meet."""

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import PermissionDenied, ValidationError
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
    Need,
    Participant,
    ParticipantKind,
    ParticipantStatus,
    Slot,
    Suggestion,
)
from matching.rules import EventStatus
from matching.selectors import acts_for, exhibitable_products
from matching.services.meetings import EVENT_CLOSED, _meeting_close
from p3dn_portal.celery import publish_or_defer
from procurement.models import Officer
from vendors import services as vendor_services
from vendors.models import Product, Vendor
from vendors.rules import UMK_SCALES
from vendors.selectors import products_with_local_content

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
AVAILABILITY_LOCKED = _(
    "Ketersediaan tidak dapat diubah lagi setelah jadwal diumumkan. Hubungi panitia Dinas "
    "PPKUKM bila Anda berhalangan pada sesi tertentu."
)
PACKAGE_OTHER_OPD = _("Paket yang ditautkan harus paket OPD pembeli.")
ACCEPT_BLACKLISTED = _(
    "{vendor} masuk daftar hitam ({period}; keputusan {reference}) dan tidak dapat diterima "
    "sebagai peserta pameran selama masa itu. Tidak ada peserta yang diterima; pilih ulang "
    "tanpa penyedia itu."
)


logger = logging.getLogger(__name__)

SUGGESTIONS_PER_NEED = 10


def _require_registration(event: Event, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if event.status not in rules.REGISTRATION_STATES or not (
        event.registration_opens_at <= now < event.registration_closes_at
    ):
        raise ValidationError(NOT_IN_REGISTRATION, code="registration_closed")


@transaction.atomic
def exhibitor_apply(
    *, event: Event, vendor: Vendor, by: User, products: Iterable[Product], note: str = ""
) -> Participant:
    """A verified vendor applies to exhibit with some of its certified products; an admin
    decides. Applying again updates the application while it waits."""
    _require_registration(event)
    if not vendor.is_verified:
        raise ValidationError(VENDOR_NOT_VERIFIED, code="vendor_not_verified")
    vendor_services.blacklisting_check(
        vendor=vendor, on=timezone.localdate(), message=vendor_services.BLACKLISTED_EVENT
    )
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
            listed = participant.vendor.blacklisting_on(timezone.localdate())
            if listed is not None:
                raise ValidationError(
                    ACCEPT_BLACKLISTED.format(
                        vendor=participant.vendor.name,
                        period=listed.period_display(),
                        reference=listed.decision_reference,
                    ),
                    code="blacklisted",
                )
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
    if not (acts_for(participant, by) or by.is_staff):
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
    closed_as = MeetingStatus.WITHDRAWN if acts_for(participant, by) else MeetingStatus.REMOVED
    for meeting in Meeting.objects.filter(
        **{side: participant}, status__in=(MeetingStatus.PENDING, MeetingStatus.ACCEPTED)
    ).select_related("buyer", "exhibitor"):
        _meeting_close(meeting, closed_as, by=by)
    return participant


@transaction.atomic
def need_save(*, need: Need, by: User) -> Need:
    if not (acts_for(need.participant, by) or by.is_staff):
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
    if not (acts_for(need.participant, by) or by.is_staff):
        raise PermissionDenied
    need.delete()


@transaction.atomic
def unavailability_set(*, participant: Participant, slots: Iterable[Slot], by: User) -> None:
    if not (acts_for(participant, by) or by.is_staff):
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
