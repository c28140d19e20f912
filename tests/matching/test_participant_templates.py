"""The participant templates' context for tests/test_templates.py, built by the helpers the
views use, and the templates' own checks at phone width (table cards)."""

from django.template import loader
from django.test import RequestFactory
from django.utils import timezone

from matching.models import MeetingStatus, Suggestion
from matching.rules import Reason
from matching.views import participant as views
from tests.matching.factories import buyer_create, event_create, exhibitor_create, meeting_create


def context(*, event, buyer, exhibitor, meeting) -> dict:
    """What the participant views give templates/matching/participant/* beyond the basics."""
    suggestion = Suggestion.objects.create(
        need=buyer.needs.first(),
        exhibitor=exhibitor,
        product=exhibitor.products.first(),
        score=70,
        reasons=[Reason.KBLI_SAME, Reason.TIER_T1],
    )
    pending = meeting_create(buyer, exhibitor_create(event), status=MeetingStatus.PENDING)
    board = views._meeting_board(buyer, [meeting, pending], timezone.now())
    suggestions = views._with_reason_labels([suggestion])
    for row in suggestions:
        row.counterpart, row.meeting = row.exhibitor, None
    return {
        "board": board,
        "suggestions": suggestions,
        "slot_days": views._slot_days(event.slots.order_by("starts_at"), [meeting.slot_id]),
        "slot_counts": {"total": event.slots.count(), "unavailable": 1},
        "limit": event.max_meetings_per_participant,
        "can_request": True,
        "can_edit_availability": True,
        "agenda_ready": True,
        "products": list(exhibitor.products.all()),
    }


def _render(name: str) -> str:
    event = event_create()
    buyer = buyer_create(event)
    exhibitor = exhibitor_create(event)
    meeting = meeting_create(buyer, exhibitor, slot=event.slots.first(), table=3)
    request = RequestFactory().get("/")
    request.user = buyer.officer.user
    data = {
        "event": event,
        "participant": buyer,
        "needs": list(buyer.needs.all()),
        "user": request.user,
        "request": request,
    }
    data |= context(event=event, buyer=buyer, exhibitor=exhibitor, meeting=meeting)
    return loader.get_template(name).render(data, request)


def test_the_participation_page_lays_its_tables_out_as_cards_on_phones(db):
    html = _render("matching/participant/participation.html")
    assert html.count('class="table table-sm align-middle table-cards"') >= 4
    assert 'id="permintaan"' in html
    assert str(Reason.KBLI_SAME.label) in html
    assert "Batalkan permintaan" in html
    assert "Batalkan pertemuan" in html


def test_the_availability_grid_ticks_the_marked_slot(db):
    html = _render("matching/participant/availability.html")
    assert html.count('type="checkbox"') == 10
    assert html.count(" checked") == 1
