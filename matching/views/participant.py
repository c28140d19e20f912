"""Business matching for everyone and for its participants: the public list of events, and
for vendors and officers taking part: applying or registering, needs, availability, the
other side, and meeting requests. Every change goes through matching.services."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import wraps
from itertools import groupby
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.forms import Form
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.decorators import WRONG_ROLE, role_required
from accounts.models import Role, User
from matching import forms, rules, selectors, services
from matching.models import (
    ACTIVE_MEETING_STATES,
    Event,
    EventDay,
    Meeting,
    MeetingStatus,
    Need,
    Participant,
    ParticipantKind,
    ParticipantStatus,
    RequestedBy,
    Slot,
    Suggestion,
)
from matching.rules import EventStatus, Reason
from p3dn_portal.lib.confirm import Confirmation, confirmation_page, confirmed
from p3dn_portal.lib.forms import error_text
from p3dn_portal.lib.paging import page_context
from vendors.selectors import products_with_local_content

JAKARTA = ZoneInfo("Asia/Jakarta")
EVENTS_PER_PAGE = 20
COUNTERPARTS_PER_PAGE = 30

APPLIED = _(
    "Pendaftaran pameran terkirim. Panitia Dinas PPKUKM akan memutuskannya; hasilnya kami "
    "kirim lewat email dan pemberitahuan."
)
ALREADY_DECIDED = _(
    "Pendaftaran Anda di acara ini sudah diputuskan ({status}), jadi tidak dapat diubah lagi. "
    "Hubungi panitia Dinas PPKUKM bila ada perubahan."
)
REGISTERED = _(
    "Anda terdaftar sebagai pembeli. Tulis kebutuhan Anda agar peserta pameran yang cocok "
    "dapat disarankan."
)
WITHDRAWN = _(
    "Anda mengundurkan diri dari acara ini. Permintaan dan pertemuan Anda dibatalkan dan pihak "
    "lain sudah diberi tahu."
)
NOTHING_TO_WITHDRAW = _(
    "Anda sudah tidak terdaftar aktif di acara ini, jadi tidak ada yang perlu dibatalkan."
)
EVENT_CLOSED = _(
    "Acara ini sudah selesai, jadi keikutsertaan tidak dapat diubah lagi. Hubungi panitia "
    "Dinas PPKUKM bila ada yang perlu dikoreksi."
)
NEED_SAVED = _(
    "Kebutuhan disimpan. Saran peserta pameran untuk kebutuhan ini dihitung dalam beberapa "
    "saat; lihat di halaman keikutsertaan Anda."
)
NEED_DELETED = _("Kebutuhan dihapus beserta sarannya.")
AVAILABILITY_SAVED = _("Ketersediaan disimpan: {count} sesi ditandai berhalangan.")
REQUEST_SENT = _(
    "Permintaan pertemuan dikirim ke {name}. Jawabannya kami beritahukan lewat email dan "
    "pemberitahuan."
)
REQUEST_ACCEPTED = _(
    "Permintaan disetujui. Sesi dan meja pertemuan diumumkan panitia bersama jadwal acara."
)
REQUEST_DECLINED = _("Permintaan ditolak. Peminta sudah diberi tahu.")
MEETING_WITHDRAWN = _("Pertemuan dibatalkan. Pihak lain sudah diberi tahu.")
ASK_WITHDRAW_EVENT = _("Mundur dari acara ini?")
ASK_WITHDRAW_EVENT_ALL = _(
    "Semua permintaan dan pertemuan Anda di acara ini dibatalkan; pihak lainnya diberi tahu."
)
ASK_WITHDRAW_EVENT_BUTTON = _("Ya, mundur dari acara")
ASK_CALL_OFF_MEETING = _("Batalkan pertemuan dengan {name}?")
ASK_CALL_OFF_REQUEST = _("Batalkan permintaan pertemuan kepada {name}?")
ASK_CALL_OFF_TOLD = _("Pertemuan dibatalkan, sesi dan mejanya dilepas, dan {name} diberi tahu.")
ASK_CALL_OFF_AGAIN = _("Untuk bertemu lagi, salah satu pihak perlu mengajukan permintaan baru.")
ASK_CALL_OFF_BUTTON = _("Ya, batalkan")
PARTICIPANT_ROLES = _("penyedia atau pejabat OPD")

# Meetings both sides agreed to, held or not; the rest that are not pending are history.
AGREED_STATES = (MeetingStatus.ACCEPTED, MeetingStatus.HELD, MeetingStatus.NO_SHOW)


def participants_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Vendors and officers, the two sides of a meeting; anyone else gets 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.user.role not in (Role.VENDOR, Role.OFFICER):
            current = request.user.role.label if request.user.role else _("pengguna tanpa peran")
            raise PermissionDenied(WRONG_ROLE.format(role=PARTICIPANT_ROLES, current=current))
        return view(request, *args, **kwargs)

    return wrapped


# --- Lookups: everything through the user's own vendor or officer -------------------------------


def _visible_events(user: User) -> QuerySet[Event]:
    """Drafts are the admins' alone."""
    if user.is_authenticated and user.is_staff:
        return Event.objects.all()
    return Event.objects.exclude(status=EventStatus.DRAFT)


def post_or_back(page: str) -> Callable:
    """Buttons post to these views. A GET (a login that returns to the URL a button posted
    to, a reload, a shared link) goes back to the page the button was on instead of a bare
    405."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if request.method == "POST":
                return view(request, *args, **kwargs)
            if request.method not in ("GET", "HEAD"):
                return HttpResponseNotAllowed(["POST"])
            if "event_id" in kwargs:
                return redirect(page, kwargs["event_id"])
            return redirect(page)

        return wrapped

    return decorator


def _get_event(request: HttpRequest, event_id: int) -> Event:
    return get_object_or_404(_visible_events(request.user), pk=event_id)


def _own_participants(user: User) -> QuerySet[Participant]:
    """The participations of the user's OPD officer seat or vendor; none for anyone else."""
    participants = Participant.objects.select_related(
        "event", "vendor", "officer__user", "officer__opd"
    ).exclude(event__status=EventStatus.DRAFT)
    if officer := user.opd_officer:
        return participants.filter(officer=officer)
    if member := user.vendor_member:
        return participants.filter(vendor_id=member.vendor_id)
    return participants.none()


def _get_own_participant(request: HttpRequest, event_id: int, *, kind: str = "") -> Participant:
    """The user's own participation in the event; 404 when there is none."""
    participants = _own_participants(request.user).filter(event_id=event_id)
    if kind:
        participants = participants.filter(kind=kind)
    return get_object_or_404(participants)


def _get_own_meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    """A meeting on one side of which the user sits; 404 for anyone else's."""
    user = request.user
    if officer := user.opd_officer:
        mine = Q(buyer__officer=officer)
    elif member := user.vendor_member:
        mine = Q(exhibitor__vendor_id=member.vendor_id)
    else:
        raise Http404
    return get_object_or_404(
        Meeting.objects.filter(mine).select_related(
            "event", "slot", "buyer__officer__user", "buyer__officer__opd", "exhibitor__vendor"
        ),
        pk=meeting_id,
    )


def _participation_url(event_id: int, anchor: str = "") -> str:
    return reverse("matching:participation", args=[event_id]) + (f"#{anchor}" if anchor else "")


def _back(request: HttpRequest, default: str) -> str:
    """Where a form posted from a list goes back to: its `next`, when it is ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _form_errors(form: Form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- Slots by day, in Jakarta time ------------------------------------------------------------


@dataclass(frozen=True)
class SlotRow:
    slot: Slot
    starts: datetime
    ends: datetime
    unavailable: bool = False

    @property
    def label(self) -> str:
        return f"{self.starts:%H:%M}\N{EN DASH}{self.ends:%H:%M}"


@dataclass(frozen=True)
class SlotDay:
    day: date
    slots: list[SlotRow]


def _slot_days(slots: Iterable[Slot], unavailable: Iterable[int] = ()) -> list[SlotDay]:
    marked = set(unavailable)
    rows = [
        SlotRow(
            slot=slot,
            starts=timezone.localtime(slot.starts_at, JAKARTA),
            ends=timezone.localtime(slot.ends_at, JAKARTA),
            unavailable=slot.pk in marked,
        )
        for slot in slots
    ]
    return [
        SlotDay(day=day, slots=list(group))
        for day, group in groupby(rows, key=lambda row: row.starts.date())
    ]


def _registration_open(event: Event, now: datetime) -> bool:
    return (
        event.status in rules.REGISTRATION_STATES
        and event.registration_opens_at <= now < event.registration_closes_at
    )


# --- Everyone: the events -----------------------------------------------------------------------


@login_not_required
@require_safe
def events(request: HttpRequest) -> HttpResponse:
    """Every event past its draft, newest first, by status and year."""
    form = forms.EventFilterForm(request.GET)
    filters = form.filters()
    for problem in form.problems():
        messages.warning(request, problem)
    days = EventDay.objects.filter(event=OuterRef("pk")).values("day")
    rows = (
        Event.objects.exclude(status=EventStatus.DRAFT)
        .annotate(
            first_day=Subquery(days.order_by("day")[:1]),
            last_day=Subquery(days.order_by("-day")[:1]),
        )
        .order_by("-registration_opens_at", "-pk")
    )
    if "status" in filters:
        rows = rows.filter(status=filters["status"])
    if "year" in filters:
        held_that_year = EventDay.objects.filter(event=OuterRef("pk"), day__year=filters["year"])
        rows = rows.filter(Exists(held_that_year))
    page = Paginator(rows, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "matching/participant/events.html",
        {
            "form": form,
            "filters": filters,
            **page_context(page),
        },
    )


@login_not_required
@require_safe
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    """The event for everyone, and what the viewer can do there: a vendor applies to exhibit,
    an officer registers as a buyer, a visitor is asked to log in."""
    event = _get_event(request, event_id)
    user = request.user
    role = user.role if user.is_authenticated else None
    participant = None
    if role in (Role.VENDOR, Role.OFFICER):
        participant = _own_participants(user).filter(event=event).first()
    vendor = user.vendor_member.vendor if role == Role.VENDOR else None
    registration_open = _registration_open(event, timezone.now())
    join_problem = ""
    if not registration_open:
        join_problem = services.NOT_IN_REGISTRATION
    elif vendor is not None and not vendor.is_verified:
        join_problem = services.VENDOR_NOT_VERIFIED
    accepted = event.participants.filter(status=ParticipantStatus.ACCEPTED).aggregate(
        exhibitors=Count("pk", filter=Q(kind=ParticipantKind.EXHIBITOR)),
        buyers=Count("pk", filter=Q(kind=ParticipantKind.BUYER)),
    )
    return render(
        request,
        "matching/participant/event_detail.html",
        {
            "event": event,
            "days": list(event.days.all()),
            "breaks": list(event.breaks.all()),
            "slot_days": _slot_days(event.slots.order_by("starts_at")),
            "participant": participant,
            "role": role,
            "is_vendor": role == Role.VENDOR,
            "is_officer": role == Role.OFFICER,
            "vendor": vendor,
            "registration_open": registration_open,
            "join_problem": join_problem,
            "accepted_exhibitors": accepted["exhibitors"],
            "accepted_buyers": accepted["buyers"],
            "agenda_ready": event.status in rules.AGENDA_STATES,
        },
    )


# --- Joining ------------------------------------------------------------------------------------


@role_required(Role.VENDOR)
def exhibitor_apply(request: HttpRequest, event_id: int) -> HttpResponse:
    """A vendor applies to exhibit with some of its certified products, or changes its
    application while it waits."""
    event = _get_event(request, event_id)
    vendor = request.user.vendor_member.vendor
    current = event.participants.filter(vendor=vendor).first()
    if current is not None and current.status in (
        ParticipantStatus.ACCEPTED,
        ParticipantStatus.REJECTED,
    ):
        messages.info(request, ALREADY_DECIDED.format(status=current.get_status_display()))
        return redirect("matching:participation", event.pk)
    products = selectors.exhibitable_products(vendor=vendor)
    initial = None
    if current is not None:
        initial = {"products": list(current.products.all()), "note": current.note}
    data = request.POST if request.method == "POST" else None
    form = forms.ExhibitorApplyForm(data, products=products, initial=initial)
    if data is not None and form.is_valid():
        try:
            services.exhibitor_apply(
                event=event,
                vendor=vendor,
                by=request.user,
                products=form.cleaned_data["products"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, APPLIED)
            return redirect("matching:participation", event.pk)
    problem = ""
    if not _registration_open(event, timezone.now()):
        problem = services.NOT_IN_REGISTRATION
    elif not vendor.is_verified:
        problem = services.VENDOR_NOT_VERIFIED
    return render(
        request,
        "matching/participant/exhibitor_apply.html",
        {"event": event, "vendor": vendor, "form": form, "current": current, "problem": problem},
    )


@role_required(Role.OFFICER)
@post_or_back("matching:event-detail")
def buyer_register(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _get_event(request, event_id)
    try:
        services.buyer_register(event=event, officer=request.user.opd_officer, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("matching:event-detail", event.pk)
    messages.success(request, REGISTERED)
    return redirect("matching:need-add", event.pk)


@participants_only
@post_or_back("matching:event-detail")
def withdraw(request: HttpRequest, event_id: int) -> HttpResponse:
    participant = _get_own_participant(request, event_id)
    if participant.event.status == EventStatus.CLOSED:
        messages.error(request, EVENT_CLOSED)
    elif participant.status not in (ParticipantStatus.APPLIED, ParticipantStatus.ACCEPTED):
        messages.error(request, NOTHING_TO_WITHDRAW)
    elif not confirmed(request):
        return confirmation_page(
            request,
            Confirmation(
                title=ASK_WITHDRAW_EVENT,
                consequences=[ASK_WITHDRAW_EVENT_ALL],
                button=ASK_WITHDRAW_EVENT_BUTTON,
                back_url=_participation_url(event_id),
                subject=participant.event.name,
            ),
        )
    else:
        services.participant_withdraw(participant=participant, by=request.user)
        messages.success(request, WITHDRAWN)
    return redirect("matching:event-detail", event_id)


# --- The participant's hub -----------------------------------------------------------------------


@dataclass
class MeetingBoard:
    """The participant's meetings, sorted the way they act on them."""

    incoming: list[Meeting] = field(default_factory=list)
    outgoing: list[Meeting] = field(default_factory=list)
    agreed: list[Meeting] = field(default_factory=list)
    history: list[Meeting] = field(default_factory=list)
    used: int = 0
    active_with: dict[int, Meeting] = field(default_factory=dict)


def _meeting_board(
    participant: Participant, meetings: Iterable[Meeting], now: datetime
) -> MeetingBoard:
    """Pending requests past their expiry count as history here, though the limit (like the
    service) counts them until the expiry task closes them."""
    board = MeetingBoard()
    mine = RequestedBy.BUYER if participant.is_buyer else RequestedBy.EXHIBITOR
    for meeting in meetings:
        meeting.counterpart = meeting.exhibitor if participant.is_buyer else meeting.buyer
        if meeting.status in ACTIVE_MEETING_STATES:
            board.used += 1
            board.active_with[meeting.counterpart.pk] = meeting
        lapsed = meeting.expires_at is not None and meeting.expires_at <= now
        if meeting.status == MeetingStatus.PENDING and not lapsed:
            (board.outgoing if meeting.requested_by == mine else board.incoming).append(meeting)
        elif meeting.status in AGREED_STATES:
            starts_at = meeting.slot.starts_at if meeting.slot else None
            ends_at = meeting.slot.ends_at if meeting.slot else None
            meeting.phase = rules.meeting_phase(
                status=meeting.status, starts_at=starts_at, ends_at=ends_at, now=now
            )
            meeting.can_withdraw = rules.meeting_can_withdraw(
                status=meeting.status, starts_at=starts_at, now=now
            )
            board.agreed.append(meeting)
        else:
            meeting.lapsed = lapsed and meeting.status == MeetingStatus.PENDING
            board.history.append(meeting)
    board.agreed.sort(key=lambda m: (m.slot is None, m.slot.starts_at if m.slot else now, m.pk))
    return board


def _meetings_of(participant: Participant) -> QuerySet[Meeting]:
    side = "buyer" if participant.is_buyer else "exhibitor"
    return (
        Meeting.objects.filter(**{side: participant})
        .select_related(
            "slot", "need", "buyer__officer__user", "buyer__officer__opd", "exhibitor__vendor"
        )
        .order_by("-created_at", "-pk")
    )


def _with_reason_labels(suggestions: Iterable[Suggestion]) -> list[Suggestion]:
    rows = list(suggestions)
    for suggestion in rows:
        suggestion.reason_labels = [
            Reason(code).label for code in suggestion.reasons if code in Reason.values
        ]
    return rows


@dataclass
class BuyerSuggestions:
    """An exhibitor's suggestions from one buyer: the buyer's needs its products answer,
    each with those products, and the one meeting the pair may have."""

    buyer: Participant
    needs: list[tuple[Need, list[Suggestion]]] = field(default_factory=list)
    best: Suggestion | None = None  # the highest-scored: its need goes with a request
    meeting: Meeting | None = None


def _by_buyer(suggestions: list[Suggestion]) -> list[BuyerSuggestions]:
    """The suggestions (best first) grouped by buyer, the buyer of the best one first, and
    by need within a buyer: one card per buyer rather than one per need and product."""
    groups: dict[int, BuyerSuggestions] = {}
    for suggestion in suggestions:
        buyer = suggestion.need.participant
        group = groups.get(buyer.pk)
        if group is None:
            group = groups[buyer.pk] = BuyerSuggestions(
                buyer=buyer, best=suggestion, meeting=suggestion.meeting
            )
        for need, rows in group.needs:
            if need.pk == suggestion.need_id:
                rows.append(suggestion)
                break
        else:
            group.needs.append((suggestion.need, [suggestion]))
    return list(groups.values())


@participants_only
@require_safe
def participation(request: HttpRequest, event_id: int) -> HttpResponse:
    """The user's own place at the event: status, needs or products, availability,
    suggestions and the meeting requests both ways."""
    participant = _get_own_participant(request, event_id)
    event = participant.event
    now = timezone.now()
    today = timezone.localdate()
    board = _meeting_board(participant, _meetings_of(participant), now)
    needs = products = []
    if participant.is_buyer:
        needs = list(participant.needs.select_related("package"))
        suggestions = (
            Suggestion.objects.filter(
                need__participant=participant, exhibitor__status=ParticipantStatus.ACCEPTED
            )
            .select_related("need", "exhibitor__vendor")
            .prefetch_related(Prefetch("product", queryset=products_with_local_content(on=today)))
            .order_by("need", "-score", "pk")
        )
    else:
        products = list(
            products_with_local_content(on=today)
            .filter(matching_participations=participant)
            .order_by("name")
        )
        suggestions = (
            Suggestion.objects.filter(
                exhibitor=participant, need__participant__status=ParticipantStatus.ACCEPTED
            )
            .select_related(
                "need__participant__officer__user", "need__participant__officer__opd", "product"
            )
            .order_by("-score", "pk")
        )
    suggestions = _with_reason_labels(suggestions)
    for suggestion in suggestions:
        counterpart = suggestion.exhibitor if participant.is_buyer else suggestion.need.participant
        suggestion.counterpart = counterpart
        suggestion.meeting = board.active_with.get(counterpart.pk)
    slot_counts = Slot.objects.filter(event=event).aggregate(
        total=Count("pk", distinct=True),
        unavailable=Count("pk", distinct=True, filter=Q(unavailable_participants=participant)),
    )
    accepted = participant.status == ParticipantStatus.ACCEPTED
    return render(
        request,
        "matching/participant/participation.html",
        {
            "event": event,
            "participant": participant,
            "needs": needs,
            "products": products,
            "suggestions": suggestions,
            "suggestion_groups": [] if participant.is_buyer else _by_buyer(suggestions),
            "board": board,
            "limit": event.max_meetings_per_participant,
            "slot_counts": slot_counts,
            "can_request": accepted and event.status in rules.REQUEST_STATES,
            "can_edit_availability": event.status not in rules.AGENDA_STATES,
            "agenda_ready": event.status in rules.AGENDA_STATES,
            "outcome_time": event.status in rules.ATTENDANCE_STATES,
        },
    )


# --- Buyers' needs -----------------------------------------------------------------------------


@role_required(Role.OFFICER)
def need_edit(request: HttpRequest, event_id: int, need_id: int | None = None) -> HttpResponse:
    participant = _get_own_participant(request, event_id, kind=ParticipantKind.BUYER)
    if need_id is None:
        need = Need(participant=participant)
    else:
        need = get_object_or_404(Need, pk=need_id, participant=participant)
    data = request.POST if request.method == "POST" else None
    form = forms.NeedForm(data, instance=need, opd=participant.officer.opd)
    if data is not None and form.is_valid():
        try:
            services.need_save(need=form.save(commit=False), by=request.user)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, NEED_SAVED)
            return redirect("matching:participation", event_id)
    return render(
        request,
        "matching/participant/need_form.html",
        {"event": participant.event, "participant": participant, "need": need, "form": form},
    )


@role_required(Role.OFFICER)
@post_or_back("matching:participation")
def need_delete(request: HttpRequest, event_id: int, need_id: int) -> HttpResponse:
    participant = _get_own_participant(request, event_id, kind=ParticipantKind.BUYER)
    need = get_object_or_404(Need, pk=need_id, participant=participant)
    services.need_delete(need=need, by=request.user)
    messages.success(request, NEED_DELETED)
    return redirect("matching:participation", event_id)


# --- Availability ---------------------------------------------------------------------------------


@participants_only
@require_http_methods(["GET", "HEAD", "POST"])
def availability(request: HttpRequest, event_id: int) -> HttpResponse:
    """The slots the participant cannot attend: the scheduler keeps them free."""
    participant = _get_own_participant(request, event_id)
    event = participant.event
    locked = event.status in rules.AGENDA_STATES
    slots = event.slots.order_by("starts_at")
    if request.method == "POST":
        if locked:
            messages.error(request, services.AVAILABILITY_LOCKED)
            return redirect("matching:participation", event.pk)
        form = forms.AvailabilityForm(request.POST, slots=slots)
        if form.is_valid():
            chosen = list(form.cleaned_data["unavailable"])
            services.unavailability_set(participant=participant, slots=chosen, by=request.user)
            messages.success(request, AVAILABILITY_SAVED.format(count=len(chosen)))
            return redirect("matching:participation", event.pk)
        marked = {int(v) for v in form["unavailable"].value() if str(v).isdigit()}
    else:
        form = forms.AvailabilityForm(slots=slots)
        marked = set(participant.unavailable_slots.values_list("pk", flat=True))
    return render(
        request,
        "matching/participant/availability.html",
        {
            "event": event,
            "participant": participant,
            "form": form,
            "slot_days": _slot_days(slots, marked),
            "locked": locked,
        },
    )


# --- The other side and meeting requests ----------------------------------------------------------


def _exhibitors_for_buyer(event: Event, filters: dict) -> QuerySet[Participant]:
    exhibited = Participant.products.through.objects.filter(participant=OuterRef("pk"))
    rows = (
        event.participants.filter(kind=ParticipantKind.EXHIBITOR, status=ParticipantStatus.ACCEPTED)
        .select_related("vendor")
        .prefetch_related(
            Prefetch(
                "products",
                queryset=products_with_local_content(on=timezone.localdate()).order_by("name"),
            )
        )
        .order_by("booth", "vendor__name", "pk")
    )
    if q := filters.get("q"):
        rows = rows.filter(
            Q(vendor__name__icontains=q)
            | Exists(
                exhibited.filter(
                    Q(product__name__icontains=q)
                    | Q(product__brand__icontains=q)
                    | Q(product__description__icontains=q)
                )
            )
        )
    if kbli := filters.get("kbli"):
        rows = rows.filter(Exists(exhibited.filter(product__kbli__startswith=kbli)))
    return rows


def _buyers_for_exhibitor(event: Event, filters: dict) -> QuerySet[Participant]:
    needs = Need.objects.filter(participant=OuterRef("pk"))
    rows = (
        event.participants.filter(kind=ParticipantKind.BUYER, status=ParticipantStatus.ACCEPTED)
        .select_related("officer__user", "officer__opd")
        .prefetch_related(Prefetch("needs", queryset=Need.objects.order_by("pk")))
        .order_by("officer__opd__name", "officer__user__full_name", "pk")
    )
    if q := filters.get("q"):
        rows = rows.filter(
            Q(officer__user__full_name__icontains=q)
            | Q(officer__opd__name__icontains=q)
            | Q(officer__opd__short_name__icontains=q)
            | Exists(needs.filter(description__icontains=q))
        )
    if kbli := filters.get("kbli"):
        rows = rows.filter(Exists(needs.filter(kbli__startswith=kbli)))
    return rows


@participants_only
@require_safe
def counterparts(request: HttpRequest, event_id: int) -> HttpResponse:
    """Buyers see the accepted exhibitors and their products; exhibitors the accepted buyers
    and their needs; each with the meeting between them or a request form."""
    participant = _get_own_participant(request, event_id)
    event = participant.event
    form = forms.CounterpartFilterForm(request.GET)
    filters = form.filters()
    for problem in form.problems():
        messages.warning(request, problem)
    if participant.is_buyer:
        rows = _exhibitors_for_buyer(event, filters)
    else:
        rows = _buyers_for_exhibitor(event, filters)
    page = Paginator(rows, COUNTERPARTS_PER_PAGE).get_page(request.GET.get("page"))
    side = "exhibitor" if participant.is_buyer else "buyer"
    own = "buyer" if participant.is_buyer else "exhibitor"
    latest: dict[int, Meeting] = {}
    # Newest last, so that each counterpart keeps its active meeting, else its latest one.
    for meeting in Meeting.objects.filter(
        **{own: participant, f"{side}__in": [row.pk for row in page]}
    ).order_by("created_at", "pk"):
        other = getattr(meeting, f"{side}_id")
        if (
            meeting.status in ACTIVE_MEETING_STATES
            or latest.get(other) is None
            or (latest[other].status not in ACTIVE_MEETING_STATES)
        ):
            latest[other] = meeting
    for row in page:
        row.meeting = latest.get(row.pk)
        row.active = row.meeting is not None and row.meeting.status in ACTIVE_MEETING_STATES
    return render(
        request,
        "matching/participant/counterparts.html",
        {
            "event": event,
            "participant": participant,
            "form": form,
            "filters": filters,
            **page_context(page),
            "my_needs": list(participant.needs.all()) if participant.is_buyer else [],
            "can_request": participant.status == ParticipantStatus.ACCEPTED
            and event.status in rules.REQUEST_STATES,
        },
    )


@participants_only
@post_or_back("matching:counterparts")
def meeting_request(request: HttpRequest, event_id: int, participant_id: int) -> HttpResponse:
    requester = _get_own_participant(request, event_id)
    other = get_object_or_404(
        Participant.objects.select_related("vendor", "officer__user", "officer__opd").exclude(
            kind=requester.kind
        ),
        pk=participant_id,
        event_id=requester.event_id,
    )
    back = _back(request, reverse("matching:counterparts", args=[event_id]))
    form = forms.MeetingRequestForm(request.POST, buyer=requester if requester.is_buyer else other)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return HttpResponseRedirect(back)
    try:
        services.meeting_request(
            requester=requester,
            other=other,
            by=request.user,
            note=form.cleaned_data["note"],
            need=form.cleaned_data["need"],
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, REQUEST_SENT.format(name=other.name))
    return HttpResponseRedirect(back)


@participants_only
@post_or_back("matching:events")
def meeting_respond(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _get_own_meeting(request, meeting_id)
    form = forms.MeetingResponseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        accept = form.cleaned_data["answer"] == "accept"
        try:
            services.meeting_respond(
                meeting=meeting, by=request.user, accept=accept, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, REQUEST_ACCEPTED if accept else REQUEST_DECLINED)
    return HttpResponseRedirect(_participation_url(meeting.event_id, "permintaan"))


@participants_only
@post_or_back("matching:events")
def meeting_withdraw(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _get_own_meeting(request, meeting_id)
    starts_at = meeting.slot.starts_at if meeting.slot_id else None
    if (
        not confirmed(request)
        and meeting.event.status != EventStatus.CLOSED
        and rules.meeting_can_withdraw(
            status=meeting.status, starts_at=starts_at, now=timezone.now()
        )
    ):
        other = meeting.exhibitor if request.user.opd_officer else meeting.buyer
        name = other.name
        pending = meeting.status == MeetingStatus.PENDING
        return confirmation_page(
            request,
            Confirmation(
                title=(ASK_CALL_OFF_REQUEST if pending else ASK_CALL_OFF_MEETING).format(name=name),
                consequences=[ASK_CALL_OFF_TOLD.format(name=name), ASK_CALL_OFF_AGAIN],
                button=ASK_CALL_OFF_BUTTON,
                back_url=_participation_url(meeting.event_id, "permintaan"),
                subject=meeting.event.name,
            ),
        )
    try:
        services.meeting_withdraw(meeting=meeting, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, MEETING_WITHDRAWN)
    return HttpResponseRedirect(_participation_url(meeting.event_id, "permintaan"))
