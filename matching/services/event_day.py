"""At the event: check-in at the door, no-shows, and the outcome of a meeting with its
follow-up (a procurement package created from it)."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import notify
from matching import rules
from matching.models import (
    SEATED_STATES,
    CheckIn,
    FollowUp,
    Meeting,
    MeetingStatus,
    Need,
    Outcome,
    Participant,
    ParticipantStatus,
)
from matching.rules import EventStatus
from matching.selectors import can_record_outcome
from matching.services.meetings import NOT_ACCEPTED
from matching.services.participants import PACKAGE_OTHER_OPD
from procurement.models import Package
from vendors.models import Product

NOT_EVENT_DAY = _("Hari ini bukan hari acara; kehadiran dicatat pada hari acara.")
CHECKIN_NOT_RUNNING = _("Kehadiran dicatat selama acara berstatus berlangsung.")
NOT_ATTENDANCE_TIME = _("Kehadiran dan hasil pertemuan dicatat saat acara berlangsung.")
MEETING_NOT_STARTED = _("Hasil pertemuan dapat dicatat setelah sesinya dimulai.")
MEETING_NOT_SEATED = _("Pertemuan ini belum terjadwal, jadi belum ada hasilnya.")
MEETING_NO_SHOW = _(
    "Pertemuan ini dicatat tidak hadir. Bila keliru, minta admin di meja kehadiran mengoreksinya."
)


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
