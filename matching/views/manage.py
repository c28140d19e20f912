"""Dinas PPKUKM admins running an event: its figures, its life cycle, suggestions and the
scheduler. Every change goes through matching.services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.decorators import role_required
from accounts.models import Role
from matching import exports, rules, selectors, services
from matching.models import Event, ScheduleRun
from matching.rules import EventStatus
from p3dn_portal.lib.confirm import Confirmation, confirmation_page, confirmed
from p3dn_portal.lib.forms import error_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

UNKNOWN_TARGET = _("Status tujuan tidak dikenal. Pilih salah satu tombol status di dasbor.")
EVENT_MOVED = _("Status acara sekarang: {status}.")
ASK_CLOSE_EVENT = _("Tutup acara ini?")
ASK_CLOSE_EVENT_REQUESTS = _("Permintaan pertemuan yang masih menunggu jawaban kedaluwarsa.")
ASK_CLOSE_EVENT_MEETINGS = _(
    "Pertemuan yang belum berlangsung tidak lagi berlangsung; hasil pertemuan masih dapat dicatat."
)
ASK_CLOSE_EVENT_FINAL = _("Status acara tidak dapat diubah lagi sesudahnya.")
ASK_CLOSE_EVENT_BUTTON = _("Ya, tutup acara")
ASK_PUBLISH = _("Umumkan jadwal?")
ASK_PUBLISH_MAIL = _("Agenda dikirim lewat email ke setiap peserta; email tidak dapat ditarik.")
ASK_PUBLISH_FIXED = _("Ketersediaan peserta dan tata letak meja tidak dapat diubah lagi.")
ASK_PUBLISH_BUTTON = _("Ya, umumkan jadwal")
AGENDAS_SENT = _("Agenda setiap peserta yang diterima dikirim lewat email dan pemberitahuan.")
SUGGESTIONS_QUEUED = _(
    "Saran pertemuan sedang dihitung ulang untuk setiap kebutuhan pembeli. Muat ulang halaman "
    "ini sebentar lagi."
)
SUGGESTIONS_NOT_NOW = _(
    "Saran dihitung saat pendaftaran dibuka sampai acara berlangsung; status acara ini {status}."
)
SCHEDULE_QUEUED = _(
    "Penjadwalan #{number} dimulai. Halaman ini menampilkan hasilnya begitu selesai."
)


def _get_event(event_id: int) -> Event:
    return get_object_or_404(Event, pk=event_id)


@role_required(Role.ADMIN)
@require_safe
def dashboard(request: HttpRequest, event_id: int) -> HttpResponse:
    """The event at a glance: participants, meetings from request to award, per OPD and per
    exhibitor; the buttons that move it along its life cycle."""
    event = _get_event(event_id)
    figures = selectors.event_figures(event=event)
    runs = selectors.schedule_runs(event=event, limit=1)
    return render(
        request,
        "matching/manage/dashboard.html",
        {
            "event": event,
            "days": list(event.days.all()),
            "figures": figures,
            "opd_rows": selectors.opd_breakdown(event=event),
            "exhibitor_rows": selectors.exhibitor_breakdown(event=event),
            "transitions": _transitions(event),
            "latest_run": runs[0] if runs else None,
            "may_suggest": event.status in rules.REQUEST_STATES,
            "may_schedule": event.status in rules.SCHEDULE_STATES,
        },
    )


def _transitions(event: Event) -> list[dict]:
    """The statuses the event may move to; the first one is the step forward."""
    order = list(EventStatus.values)
    return [
        {
            "value": target,
            "label": EventStatus(target).label,
            "forward": order.index(target) > order.index(event.status),
        }
        for target in rules.EVENT_TRANSITIONS.get(event.status, ())
    ]


@role_required(Role.ADMIN)
@require_safe
def dashboard_xlsx(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _get_event(event_id)
    content = exports.event_workbook(
        event=event,
        figures=selectors.event_figures(event=event),
        opd_rows=selectors.opd_breakdown(event=event),
        exhibitor_rows=selectors.exhibitor_breakdown(event=event),
        meetings=list(selectors.event_meetings(event=event)),
        participants=list(selectors.event_participants(event=event)),
    )
    response = HttpResponse(content, content_type=XLSX)
    filename = f"temu-bisnis-{slugify(event.name) or event.pk}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@role_required(Role.ADMIN)
@require_POST
def event_move(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _get_event(event_id)
    target = request.POST.get("target", "")
    if target not in EventStatus.values:
        messages.error(request, UNKNOWN_TARGET)
        return redirect("matching:manage", event.pk)
    ask = {
        EventStatus.CLOSED: (
            ASK_CLOSE_EVENT,
            [ASK_CLOSE_EVENT_REQUESTS, ASK_CLOSE_EVENT_MEETINGS, ASK_CLOSE_EVENT_FINAL],
            ASK_CLOSE_EVENT_BUTTON,
        ),
        EventStatus.PUBLISHED: (
            ASK_PUBLISH,
            [ASK_PUBLISH_MAIL, ASK_PUBLISH_FIXED],
            ASK_PUBLISH_BUTTON,
        ),
    }.get(target)
    if ask and rules.can_move(event.status, target) and not confirmed(request):
        title, consequences, button = ask
        return confirmation_page(
            request,
            Confirmation(
                title=title,
                consequences=consequences,
                button=button,
                back_url=reverse("matching:manage", args=[event.pk]),
                subject=event.name,
                danger=target == EventStatus.CLOSED,
            ),
        )
    try:
        event = services.event_move(event=event, target=target, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, EVENT_MOVED.format(status=event.get_status_display()))
        if target == EventStatus.PUBLISHED:
            messages.info(request, AGENDAS_SENT)
    return redirect("matching:manage", event.pk)


@role_required(Role.ADMIN)
@require_POST
def suggestions_run(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _get_event(event_id)
    if event.status not in rules.REQUEST_STATES:
        messages.error(request, SUGGESTIONS_NOT_NOW.format(status=event.get_status_display()))
    else:
        services.suggestions_request(event=event)
        messages.success(request, SUGGESTIONS_QUEUED)
    return redirect("matching:manage", event.pk)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def schedule(request: HttpRequest, event_id: int) -> HttpResponse:
    """The scheduler's runs and the agreed meetings still without a slot, with why; a POST
    starts a run (keeping the current schedule or not)."""
    event = _get_event(event_id)
    if request.method == "POST":
        try:
            run = services.schedule_request(
                event=event, by=request.user, keep_current=bool(request.POST.get("keep_current"))
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
            return redirect("matching:schedule", event.pk)
        messages.success(request, SCHEDULE_QUEUED.format(number=run.pk))
        return redirect("matching:schedule-run", event.pk, run.pk)
    runs = selectors.schedule_runs(event=event)
    latest = runs[0] if runs else None
    unscheduled = [
        (meeting, selectors.unscheduled_reason_text(meeting.unscheduled_reason))
        for meeting in selectors.unscheduled_meetings(event=event)
    ]
    return render(
        request,
        "matching/manage/schedule.html",
        {
            "event": event,
            "runs": runs,
            "latest": latest,
            "pending": next((r for r in runs if r.status in selectors.RUN_PENDING), None),
            "unscheduled": unscheduled,
            "figures": selectors.event_figures(event=event),
            "may_schedule": event.status in rules.SCHEDULE_STATES,
        },
    )


@role_required(Role.ADMIN)
@require_safe
def schedule_run(request: HttpRequest, event_id: int, run_id: int) -> HttpResponse:
    """One run: its figures and the meetings it left out with why. While it is queued or
    running, htmx polls this URL for the status partial; once finished, the page reloads."""
    run = get_object_or_404(
        ScheduleRun.objects.select_related("event", "requested_by", "from_slot"),
        pk=run_id,
        event_id=event_id,
    )
    if request.htmx:
        response = render(request, "matching/manage/run_status.html", {"run": run})
        if run.status not in selectors.RUN_PENDING:
            response["HX-Refresh"] = "true"
        return response
    return render(
        request,
        "matching/manage/run.html",
        {
            "event": run.event,
            "run": run,
            "left_out": selectors.run_unscheduled(run=run)
            if run.status not in selectors.RUN_PENDING
            else [],
        },
    )
