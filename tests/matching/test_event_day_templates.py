"""The event-day templates' context for tests/test_templates.py, built by the helpers the
views use, and the templates' own checks."""

from django.core.paginator import Paginator
from django.template import loader
from django.test import RequestFactory
from django.utils import timezone

from matching import agenda as agendas
from matching.forms_event_day import DeskSearchForm, OutcomeForm, SheetDayForm
from matching.models import MeetingStatus
from matching.views.event_day import AGENDA_NOT_PUBLISHED
from procurement.models import Package
from tests.matching.factories import buyer_create, event_create, exhibitor_create, meeting_create
from vendors.models import Product


def context(*, event, meeting) -> dict:
    """What the event-day views give templates/matching/agenda/*."""
    rows = agendas.agenda_rows([meeting], as_buyer=True, booths=False)
    days = [d.day for d in event.days.all()]
    page = Paginator(list(event.participants.all()), 50).get_page(1)
    return {
        "agenda_days": agendas.agenda_days(rows),
        "agenda_notice": AGENDA_NOT_PUBLISHED,
        "outcome_open": {meeting.pk},
        "show_outcomes": True,
        "admin_view": False,
        "published": True,
        "printed_at": timezone.now(),
        "outcome_form": OutcomeForm(
            products=Product.objects.filter(matching_participations=meeting.exhibitor),
            packages=Package.objects.none(),
        ),
        "outcome_problem": "",
        "back_url": f"/temu-bisnis/{event.pk}/agenda/",
        "meeting_time": rows[0].time,
        "meeting_day": rows[0].day,
        "meeting_place": rows[0].place,
        "meeting_status": rows[0].status_label,
        "search_form": DeskSearchForm({}),
        "desk_query": "",
        "desk_show": DeskSearchForm.ALL,
        "desk_today": days[0],
        "desk_days": days,
        "desk_problem": "",
        "desk_page": page,
        "desk_page_links": page.paginator.get_elided_page_range(1, on_ends=1),
        "desk_counts": {"total": 0, "buyers": 0, "exhibitors": 0},
        "desk_recent": [],
        "sheet": agendas.table_sheet(
            slots=[s for s in event.slots.all() if s.starts_at.date() == days[0]],
            meetings=[meeting],
            tables=event.tables,
        ),
        "sheet_day": days[0],
        "day_form": SheetDayForm(days=days),
        "held_status": MeetingStatus.HELD,
    }


def _render(name: str, **extra) -> str:
    event = event_create()
    buyer = buyer_create(event)
    exhibitor = exhibitor_create(event)
    meeting = meeting_create(buyer, exhibitor, slot=event.slots.first(), table=3)
    request = RequestFactory().get("/")
    request.user = buyer.officer.user
    data = {"event": event, "participant": buyer, "meeting": meeting, "user": request.user}
    data |= context(event=event, meeting=meeting) | extra
    return loader.get_template(name).render(data, request)


def test_it_prints_the_agenda_with_its_header_and_without_buttons(db):
    html = _render("matching/agenda/agenda.html")
    assert "Business Matching P3DN Batch XI" in html
    assert "Balai Kota DKI Jakarta" in html
    assert 'class="d-flex flex-wrap gap-2 mb-3 d-print-none"' in html
    assert "css/print.css" in html


def test_it_lays_the_table_sheet_out_for_landscape_paper(db):
    html = _render("matching/agenda/table_sheet.html")
    assert 'class="print-landscape"' in html
    assert "Meja 3" in html


def test_it_shows_the_notice_instead_of_an_empty_agenda(db):
    html = _render("matching/agenda/agenda.html", agenda_days=[], published=False)
    assert str(AGENDA_NOT_PUBLISHED) in html
    assert "Belum ada pertemuan terjadwal" not in html


def test_the_slot_times_are_shown_in_jakarta(db):
    html = _render("matching/agenda/agenda.html")
    assert "09:00-09:30 WIB" in html
