"""The event day: each participant's agenda (on screen, on paper, in a calendar), the
outcome of a meeting and the procurement package it may lead to, and the admin's check-in
desk and table sheet for the hall."""

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Func, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from accounts.decorators import role_required
from accounts.models import Role
from matching import agenda as agendas
from matching import rules, selectors, services
from matching.forms_event_day import (
    PARTICIPANT_UNKNOWN,
    CheckInForm,
    DeskSearchForm,
    OutcomeForm,
    SheetDayForm,
)
from matching.models import (
    SEATED_STATES,
    CheckIn,
    Event,
    Meeting,
    MeetingStatus,
    Outcome,
    Participant,
    ParticipantKind,
    ParticipantStatus,
)
from matching.rules import EventStatus
from p3dn_portal.lib.forms import add_service_error
from procurement import services as procurement_services
from procurement.models import Package
from procurement.rules import Action
from procurement.views import package_form_page
from vendors.selectors import products_with_local_content

AGENDA_NOT_PUBLISHED = _(
    "Jadwal pertemuan acara ini belum diumumkan. Agenda Anda tampil di sini setelah Dinas "
    "PPKUKM mengumumkannya; kami kabari lewat notifikasi dan email."
)
AGENDA_NOT_PUBLISHED_ADMIN = _(
    "Jadwal belum diumumkan: peserta belum melihat agenda ini. Agenda di bawah adalah hasil "
    "penjadwalan terakhir."
)
OUTCOME_BUYERS_ONLY = _(
    "Hasil pertemuan dicatat oleh pembeli (pejabat OPD) atau admin Dinas PPKUKM. Peserta "
    "pameran melihat status pertemuannya di agenda."
)
OUTCOME_SAVED = _("Hasil pertemuan dengan {other} tersimpan.")
NO_SHOW_SAVED = _("Pertemuan dengan {other} dicatat tidak terlaksana.")
CHECKED_IN = _("{name} tercatat hadir pukul {time} WIB.")
ALREADY_CHECKED_IN = _("{name} sudah tercatat hadir hari ini sejak pukul {time} WIB.")
NO_EVENT_DAYS = _("Acara ini belum punya hari acara. Isi hari dan jam pertemuan lebih dulu.")
DESK_PAGE_SIZE = 50
DESK_RECENT = 30


def _participants() -> QuerySet[Participant]:
    """Participants with what their names and headers need."""
    return Participant.objects.select_related("event", "vendor", "officer__user", "officer__opd")


def _own_participant(request: HttpRequest, event_id: int) -> Participant:
    """The user's own participation in the event, as its officer or a member of its vendor;
    404 for anyone else (admins included: they open a participant's agenda by id), and for
    an event taken back to draft (drafts are the admins' alone)."""
    user = request.user
    if officer := user.opd_officer:
        scope = {"officer": officer}
    elif member := user.vendor_member:
        scope = {"vendor_id": member.vendor_id}
    else:
        raise Http404
    participants = _participants().exclude(event__status=EventStatus.DRAFT)
    return get_object_or_404(participants, event_id=event_id, **scope)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, agendas.JAKARTA)
    return start, start + timedelta(days=1)


def _agenda_rows(participant: Participant, *, today: date) -> list[agendas.AgendaRow]:
    meetings = selectors.agenda_meetings(participant=participant).select_related("outcome")
    if participant.is_buyer:
        # A buyer reads the exhibitor's products with the TKDN valid today.
        meetings = meetings.prefetch_related(
            Prefetch(
                "exhibitor__products",
                queryset=products_with_local_content(on=today).order_by("name"),
            )
        )
    else:
        meetings = meetings.prefetch_related("buyer__needs")
    return agendas.agenda_rows(
        meetings, as_buyer=participant.is_buyer, booths=participant.event.booth_per_exhibitor
    )


def _agenda_response(
    request: HttpRequest, participant: Participant, *, admin: bool
) -> HttpResponse:
    event = participant.event
    now = timezone.now()
    published = event.status in rules.AGENDA_STATES
    notice = ""
    if not published:
        notice = AGENDA_NOT_PUBLISHED_ADMIN if admin else AGENDA_NOT_PUBLISHED
    rows = []
    if published or admin:
        rows = _agenda_rows(participant, today=timezone.localdate(now))
    # A buyer records outcomes of their own meetings; an admin of anyone's.
    records = admin or participant.is_buyer
    return render(
        request,
        "matching/agenda/agenda.html",
        {
            "event": event,
            "participant": participant,
            "published": published,
            "agenda_notice": notice,
            "agenda_days": agendas.agenda_days(rows),
            "outcome_open": {
                row.meeting.pk
                for row in rows
                if records
                and agendas.outcome_open(
                    row.meeting, event_status=event.status, now=now, admin=admin
                )
            },
            "show_outcomes": records,
            "admin_view": admin,
            "printed_at": now,
        },
    )


@require_safe
def agenda(request: HttpRequest, event_id: int) -> HttpResponse:
    """The logged-in participant's own meetings, by day: printable, and as a calendar."""
    participant = _own_participant(request, event_id)
    return _agenda_response(request, participant, admin=False)


@require_safe
def agenda_ics(request: HttpRequest, event_id: int) -> HttpResponse:
    """The participant's scheduled meetings as an iCalendar file for their phone."""
    participant = _own_participant(request, event_id)
    event = participant.event
    if event.status not in rules.AGENDA_STATES:
        messages.info(request, AGENDA_NOT_PUBLISHED)
        return redirect("matching:agenda", event.pk)
    body = agendas.agenda_ics(
        _agenda_rows(participant, today=timezone.localdate()),
        event_name=event.name,
        venue=event.venue,
        domain=urlsplit(settings.SITE_URL).hostname or request.get_host(),
        stamp=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    name = slugify(event.name) or f"temu-bisnis-{event.pk}"
    response["Content-Disposition"] = f'attachment; filename="agenda-{name}.ics"'
    response["Cache-Control"] = "private, no-cache"
    return response


# Outcomes -----------------------------------------------------------------------------------


def _get_meeting_for_outcome(request: HttpRequest, meeting_id: int) -> Meeting:
    """Any meeting for an admin; for an officer only their own meetings as a buyer (404 for
    other buyers'); 403 for vendors and users without a role."""
    meetings = Meeting.objects.select_related(
        "event", "slot", "need", "buyer__officer__user", "buyer__officer__opd", "exhibitor__vendor"
    )
    user = request.user
    if user.role == Role.ADMIN:
        return get_object_or_404(meetings, pk=meeting_id)
    if user.role == Role.OFFICER:
        return get_object_or_404(meetings, pk=meeting_id, buyer__officer=user.opd_officer)
    raise PermissionDenied(OUTCOME_BUYERS_ONLY)


def _outcome_problem(meeting: Meeting, *, now: datetime, admin: bool) -> str:
    """Why the outcome cannot be recorded now (services.outcome_record says the same)."""
    if meeting.event.status not in rules.ATTENDANCE_STATES:
        return services.NOT_ATTENDANCE_TIME
    if agendas.outcome_open(meeting, event_status=meeting.event.status, now=now, admin=admin):
        return ""
    if meeting.slot is not None and meeting.slot.starts_at > now:
        return services.MEETING_NOT_STARTED
    if meeting.status == MeetingStatus.NO_SHOW:
        return services.MEETING_NO_SHOW
    return services.MEETING_NOT_SEATED


def outcome(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The buyer (or an admin) records whether the meeting was held and what came of it."""
    meeting = _get_meeting_for_outcome(request, meeting_id)
    admin = request.user.role == Role.ADMIN
    if admin:
        back_url = reverse("matching:participant-agenda", args=[meeting.event_id, meeting.buyer_id])
    else:
        back_url = reverse("matching:agenda", args=[meeting.event_id])
    problem = _outcome_problem(meeting, now=timezone.now(), admin=admin)
    form = None
    if not problem or request.method == "POST":
        current = Outcome.objects.filter(meeting=meeting).prefetch_related("products").first()
        form = OutcomeForm(
            request.POST or None,
            initial=OutcomeForm.initial_for(meeting, current),
            products=products_with_local_content(on=timezone.localdate())
            .filter(matching_participations=meeting.exhibitor_id)
            .order_by("name"),
            packages=Package.objects.filter(opd_id=meeting.buyer.officer.opd_id).order_by(
                "-fiscal_year", "title"
            ),
        )
    if request.method == "POST" and form.is_valid():
        fields = form.outcome()
        try:
            services.outcome_record(meeting=meeting, by=request.user, **fields)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            done = OUTCOME_SAVED if fields["held"] else NO_SHOW_SAVED
            messages.success(request, done.format(other=meeting.exhibitor.vendor.name))
            return redirect(back_url)
    return render(
        request,
        "matching/agenda/outcome_form.html",
        {
            "event": meeting.event,
            "meeting": meeting,
            "meeting_time": agendas.time_range(meeting.slot.starts_at, meeting.slot.ends_at)
            if meeting.slot
            else "",
            "meeting_day": timezone.localtime(meeting.slot.starts_at, agendas.JAKARTA).date()
            if meeting.slot
            else None,
            "meeting_status": agendas.STATUS_LABELS.get(
                meeting.status, meeting.get_status_display()
            ),
            "meeting_place": agendas.place_label(
                meeting.table, booths=meeting.event.booth_per_exhibitor
            ),
            "outcome_form": form,
            "outcome_problem": problem,
            "back_url": back_url,
        },
    )


def _get_meeting_for_package(request: HttpRequest, meeting_id: int) -> Meeting:
    """A held meeting of the officer's OPD not yet followed by a package; 404 for any other
    (another OPD's, one not held, one whose package exists)."""
    meetings = selectors.meetings_for_package(officer=request.user.opd_officer)
    return get_object_or_404(meetings, pk=meeting_id)


@role_required(Role.OFFICER)
def meeting_package(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """A draft procurement package grown from a held meeting: procurement's package form,
    started from the need discussed; once saved, the package is the meeting's follow-up."""
    procurement_services.authorize_position(officer=request.user.opd_officer, action=Action.EDIT)
    meeting = _get_meeting_for_package(request, meeting_id)
    return package_form_page(
        request,
        prefill=selectors.package_initial_from_meeting(meeting),
        saved=lambda package: services.outcome_link_package(
            meeting=meeting, package=package, by=request.user
        ),
        context={"meeting": meeting},
    )


# The admin's door and hall -----------------------------------------------------------------


def _desk_participants(
    event: Event, *, today: date, query: str, show: str
) -> QuerySet[Participant]:
    """Accepted participants matching the search, with today's check-in time and meetings."""
    start, end = _day_bounds(today)
    seated_today = Meeting.objects.filter(
        Q(buyer=OuterRef("pk")) | Q(exhibitor=OuterRef("pk")),
        status__in=SEATED_STATES,
        slot__starts_at__gte=start,
        slot__starts_at__lt=end,
    ).order_by()
    participants = (
        _participants()
        .filter(event=event, status=ParticipantStatus.ACCEPTED)
        .annotate(
            checked_in_at=Subquery(
                CheckIn.objects.filter(participant=OuterRef("pk"), day=today).values("at")[:1]
            ),
            first_meeting_at=Subquery(
                seated_today.order_by("slot__starts_at").values("slot__starts_at")[:1]
            ),
            meetings_today=Subquery(
                seated_today.annotate(n=Func("pk", function="COUNT")).values("n")
            ),
        )
        .order_by("kind", Coalesce("vendor__name", "officer__user__full_name"), "pk")
    )
    if query:
        match = (
            Q(vendor__name__icontains=query)
            | Q(officer__user__full_name__icontains=query)
            | Q(officer__opd__name__icontains=query)
            | Q(officer__opd__short_name__icontains=query)
        )
        if query.isdigit() and len(query) <= 4:
            match |= Q(booth=int(query))
        participants = participants.filter(match)
    if show == DeskSearchForm.TODAY:
        participants = participants.filter(meetings_today__gt=0)
    elif show == DeskSearchForm.ABSENT:
        participants = participants.filter(checked_in_at__isnull=True)
    return participants


def _desk_problem(event: Event, days: list[date], today: date) -> str:
    if event.status != EventStatus.RUNNING:
        return services.CHECKIN_NOT_RUNNING
    if today not in days:
        return services.NOT_EVENT_DAY
    return ""


def _check_in(request: HttpRequest, event: Event, now: datetime) -> None:
    form = CheckInForm(
        request.POST,
        participants=_participants().filter(event=event, status=ParticipantStatus.ACCEPTED),
    )
    if not form.is_valid():
        messages.error(request, PARTICIPANT_UNKNOWN)
        return
    participant = form.cleaned_data["participant"]
    try:
        checkin = services.check_in(participant=participant, by=request.user, now=now)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return
    at = f"{timezone.localtime(checkin.at, agendas.JAKARTA):%H:%M}"
    # The service keeps the first check-in of the day: an earlier time means it was there.
    if checkin.at == now:
        messages.success(request, CHECKED_IN.format(name=participant.name, time=at))
    else:
        messages.info(request, ALREADY_CHECKED_IN.format(name=participant.name, time=at))


@role_required(Role.ADMIN)
def checkin_desk(request: HttpRequest, event_id: int) -> HttpResponse:
    """The door: find a participant, check them in for today, see who has arrived. A check-in
    posts back here; with htmx only the results are swapped."""
    event = get_object_or_404(Event, pk=event_id)
    now = timezone.now()
    today = timezone.localdate(now)
    if request.method == "POST":
        _check_in(request, event, now)
        if not request.htmx:
            keep = {k: request.POST[k] for k in ("q", "show", "page") if request.POST.get(k)}
            url = reverse("matching:checkin-desk", args=[event.pk])
            return redirect(f"{url}?{urlencode(keep)}" if keep else url)
        data = request.POST
    else:
        data = request.GET
    search = DeskSearchForm(data)
    query, show = search.filters()
    days = [d.day for d in event.days.all()]
    participants = _desk_participants(event, today=today, query=query, show=show)
    page = Paginator(participants, DESK_PAGE_SIZE).get_page(data.get("page"))
    checkins = CheckIn.objects.filter(participant__event=event, day=today)
    counts = checkins.aggregate(
        total=Count("pk"),
        buyers=Count("pk", filter=Q(participant__kind=ParticipantKind.BUYER)),
        exhibitors=Count("pk", filter=Q(participant__kind=ParticipantKind.EXHIBITOR)),
    )
    recent = checkins.select_related(
        "participant__vendor", "participant__officer__user", "participant__officer__opd"
    ).order_by("-at", "-pk")[:DESK_RECENT]
    # htmx swaps in the results only; restoring history needs the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(
        request,
        "matching/agenda/checkin_results.html" if partial else "matching/agenda/checkin_desk.html",
        {
            "event": event,
            "search_form": search,
            "desk_query": query,
            "desk_show": show,
            "desk_today": today,
            "desk_days": days,
            "desk_problem": _desk_problem(event, days, today),
            "desk_page": page,
            "desk_page_links": page.paginator.get_elided_page_range(page.number, on_ends=1),
            "desk_counts": counts,
            "desk_recent": recent,
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@role_required(Role.ADMIN)
@require_safe
def table_sheet(request: HttpRequest, event_id: int) -> HttpResponse:
    """One day of the hall on paper: slots down, tables (or booths) across, who meets where."""
    event = get_object_or_404(Event, pk=event_id)
    days = [d.day for d in event.days.all()]
    if not days:
        messages.warning(request, NO_EVENT_DAYS)
        return render(
            request,
            "matching/agenda/table_sheet.html",
            {"event": event, "sheet": None, "sheet_day": None, "day_form": None},
        )
    today = timezone.localdate()
    default = today if today in days else days[0]
    if "day" in request.GET:
        form = SheetDayForm(request.GET, days=days)
        day = form.cleaned_data["day"] if form.is_valid() else default
    else:
        form = SheetDayForm(initial={"day": default.isoformat()}, days=days)
        day = default
    start, end = _day_bounds(day)
    slots = list(event.slots.filter(starts_at__gte=start, starts_at__lt=end).order_by("starts_at"))
    meetings = Meeting.objects.filter(
        event=event,
        status__in=SEATED_STATES,
        slot__starts_at__gte=start,
        slot__starts_at__lt=end,
    ).select_related("buyer__officer__user", "buyer__officer__opd", "exhibitor__vendor")
    booths = None
    if event.booth_per_exhibitor:
        booths = dict(
            event.participants.filter(
                kind=ParticipantKind.EXHIBITOR, status=ParticipantStatus.ACCEPTED
            )
            .exclude(booth=None)
            .values_list("booth", "vendor__name")
        )
    return render(
        request,
        "matching/agenda/table_sheet.html",
        {
            "event": event,
            "sheet": agendas.table_sheet(
                slots=slots, meetings=meetings, tables=event.tables, booths=booths
            ),
            "sheet_day": day,
            "day_form": form,
            "held_status": MeetingStatus.HELD,
        },
    )


@role_required(Role.ADMIN)
@require_safe
def participant_agenda(request: HttpRequest, event_id: int, participant_id: int) -> HttpResponse:
    """Any participant's agenda, for the admin: to print at the door or check a complaint."""
    participant = get_object_or_404(_participants(), pk=participant_id, event_id=event_id)
    return _agenda_response(request, participant, admin=True)
