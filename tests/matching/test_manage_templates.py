"""The event-management templates' context for tests/test_templates.py, built by the
selectors the views use, and the templates' own checks (phone-width cards, bars)."""

from django.template import loader
from django.test import RequestFactory

from matching import selectors
from matching.models import Meeting, RunStatus, ScheduleRun
from matching.views.manage import _transitions
from tests.factories import AdminFactory
from tests.matching.factories import buyer_create, event_create, exhibitor_create, meeting_create


def context(*, event, meeting: Meeting) -> dict:
    """What the views of matching.views.manage give templates/matching/manage/*."""
    runs = selectors.schedule_runs(event=event)
    return {
        "days": list(event.days.all()),
        "figures": selectors.event_figures(event=event),
        "opd_rows": selectors.opd_breakdown(event=event),
        "exhibitor_rows": selectors.exhibitor_breakdown(event=event),
        "transitions": _transitions(event),
        "latest_run": runs[0] if runs else None,
        "may_suggest": True,
        "may_schedule": True,
        "runs": runs,
        "latest": runs[0] if runs else None,
        "pending": None,
        "unscheduled": [(meeting, selectors.unscheduled_reason_text("no_table"))],
        "left_out": [
            (meeting, str(meeting.pk), selectors.unscheduled_reason_text("buyer_full")),
            (None, "999", selectors.unscheduled_reason_text("no_slots_left")),
        ],
    }


def _render(name: str, **extra) -> str:
    event = event_create()
    buyer = buyer_create(event)
    exhibitor = exhibitor_create(event)
    meeting = meeting_create(buyer, exhibitor, slot=event.slots.first(), table=3)
    admin = AdminFactory()
    run = ScheduleRun.objects.create(
        event=event,
        requested_by=admin,
        status=RunStatus.DONE,
        requests=1,
        placed=1,
        upper_bound=1,
    )
    request = RequestFactory().get("/")
    request.user = admin
    data = {"event": event, "run": run, "user": admin}
    data |= context(event=event, meeting=meeting) | extra
    return loader.get_template(name).render(data, request)


def test_the_dashboard_tables_turn_into_cards_on_a_phone(db):
    html = _render("matching/manage/dashboard.html")
    assert html.count('class="table table-sm align-top table-cards"') == 2
    assert 'data-label="Nilai minat"' in html
    assert 'class="progress-bar bg-portal pct-w-100"' in html  # requested
    assert "Lanjut ke: Penjadwalan" in html and "Kembali ke: Draf" in html


def test_the_schedule_page_shows_the_reason_and_the_bound(db):
    html = _render("matching/manage/schedule.html")
    assert "Semua meja sudah terpakai" in html
    assert "Paling banyak 1 pertemuan" in html
    assert 'name="keep_current"' in html


def test_the_run_page_names_a_meeting_that_is_gone(db):
    html = _render("matching/manage/run.html")
    assert "Pertemuan #999 (sudah tidak ada)" in html
    assert "Tidak ada lagi sesi acara yang belum dimulai" in html
