"""A buyer's needs (add, change, delete) and a participant's availability grid."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from matching import services
from matching.forms import DESCRIPTION_REQUIRED, PACKAGE_NOT_LISTED, SLOT_NOT_LISTED, YEAR_INVALID
from matching.models import Event, Need, Suggestion
from matching.rules import EventStatus, Reason
from matching.views import participant as views
from tests.factories import PackageFactory
from tests.matching.factories import buyer_create, event_create
from vendors.validators import KBLI_INVALID

pytestmark = pytest.mark.django_db


def _add(event) -> str:
    return reverse("matching:need-add", args=[event.pk])


def _edit(need) -> str:
    return reverse("matching:need-edit", args=[need.participant.event_id, need.pk])


def _delete(need) -> str:
    return reverse("matching:need-delete", args=[need.participant.event_id, need.pk])


def _availability(event) -> str:
    return reverse("matching:availability", args=[event.pk])


def _hub(event) -> str:
    return reverse("matching:participation", args=[event.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def _status(event, status: str):
    Event.objects.filter(pk=event.pk).update(status=status)
    event.refresh_from_db()
    return event


def _data(**overrides) -> dict:
    return {
        "description": "Kursi lipat untuk aula kelurahan, 200 buah",
        "kbli": "31001",
        "estimated_budget": "Rp 150.000.000",
        "fiscal_year": "2027",
        "package": "",
        **overrides,
    }


# Who may ------------------------------------------------------------------------------------------


def test_needs_need_a_login(client, buyer, event):
    need = buyer.needs.get()
    assert _is_login_redirect(client.get(_add(event)))
    assert _is_login_redirect(client.post(_edit(need), _data()))
    assert _is_login_redirect(client.post(_delete(need)))
    assert Need.objects.count() == 1


def test_needs_are_for_officers_only(login, vendor_owner, admin_user, buyer, exhibitor, event):
    need = buyer.needs.get()
    for user in (vendor_owner, admin_user):
        client = login(user)
        assert client.get(_add(event)).status_code == 403
        assert client.post(_edit(need), _data()).status_code == 403
        assert client.post(_delete(need)).status_code == 403
    assert Need.objects.get().description == need.description


def test_an_officer_not_registered_as_a_buyer_gets_404(login, other_officer, buyer, event):
    assert login(other_officer).get(_add(event)).status_code == 404
    assert login(other_officer).post(_add(event), _data()).status_code == 404
    assert Need.objects.count() == 1


def test_another_buyers_need_is_404(login, officer, buyer, other_buyer, event):
    theirs = other_buyer.needs.get()
    client = login(officer)
    assert client.get(_edit(theirs)).status_code == 404
    assert client.post(_edit(theirs), _data()).status_code == 404
    assert client.post(_delete(theirs)).status_code == 404
    assert Need.objects.get(pk=theirs.pk).description == theirs.description


def test_a_need_of_another_event_is_404(login, officer, buyer, event):
    other_event = event_create()
    elsewhere = buyer_create(other_event, officer=officer.officer).needs.get()
    url = reverse("matching:need-edit", args=[event.pk, elsewhere.pk])
    assert login(officer).get(url).status_code == 404


# Adding and changing ------------------------------------------------------------------------------


def test_the_form_offers_only_the_officers_opd_packages(
    login, officer, other_officer, buyer, event
):
    PackageFactory(opd=officer.officer.opd, title="Pengadaan kursi aula")
    PackageFactory(opd=other_officer.officer.opd, title="Paket OPD lain")
    html = login(officer).get(_add(event)).content.decode()
    assert "Pengadaan kursi aula" in html
    assert "Paket OPD lain" not in html
    assert f'value="{timezone.localdate().year}"' in html


def test_a_buyer_adds_a_need(login, officer, buyer, event):
    package = PackageFactory(opd=officer.officer.opd)
    response = login(officer).post(_add(event), _data(package=package.pk))
    assert response.status_code == 302
    assert response.url == _hub(event)
    assert _messages(response) == [str(views.NEED_SAVED)]
    need = buyer.needs.latest("pk")
    assert need.description == "Kursi lipat untuk aula kelurahan, 200 buah"
    assert need.kbli == "31001"
    assert need.estimated_budget == Decimal("150000000")
    assert need.fiscal_year == 2027
    assert need.package == package
    assert need.is_food is False


def test_a_food_kbli_makes_the_need_a_food_need(login, officer, buyer, event):
    login(officer).post(_add(event), _data(description="Nasi kotak rapat", kbli="56210"))
    assert buyer.needs.latest("pk").is_food is True


def test_kbli_and_budget_may_be_left_empty(login, officer, buyer, event):
    login(officer).post(_add(event), _data(kbli="", estimated_budget=""))
    need = buyer.needs.latest("pk")
    assert need.kbli == ""
    assert need.estimated_budget is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kbli", "3100", KBLI_INVALID),
        ("kbli", "31A01", KBLI_INVALID),
        ("fiscal_year", "27", YEAR_INVALID),
        ("estimated_budget", "seratus juta", "Tulis angka saja"),
        ("description", "", DESCRIPTION_REQUIRED),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    login, officer, buyer, event, field, value, message
):
    response = login(officer).post(_add(event), _data(**{field: value}))
    assert response.status_code == 200
    assert str(message) in response.content.decode()
    assert buyer.needs.count() == 1


def test_a_package_of_another_opd_cannot_be_linked(login, officer, other_officer, buyer, event):
    foreign = PackageFactory(opd=other_officer.officer.opd)
    response = login(officer).post(_add(event), _data(package=foreign.pk))
    assert response.status_code == 200
    assert str(PACKAGE_NOT_LISTED) in response.content.decode()
    assert buyer.needs.count() == 1


def test_a_buyer_changes_its_need(login, officer, buyer, event):
    need = buyer.needs.get()
    client = login(officer)
    html = client.get(_edit(need)).content.decode()
    assert "Kerupuk udang untuk konsumsi rapat" in html
    response = client.post(
        _edit(need), _data(description="Kerupuk udang 300 bungkus", kbli="10792")
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.description == "Kerupuk udang 300 bungkus"
    assert need.is_food is True
    assert buyer.needs.count() == 1


# Deleting -----------------------------------------------------------------------------------------


def test_a_buyer_deletes_its_need_and_its_suggestions(login, officer, buyer, exhibitor, event):
    need = buyer.needs.get()
    Suggestion.objects.create(
        need=need,
        exhibitor=exhibitor,
        product=exhibitor.products.get(),
        score=50,
        reasons=[Reason.KBLI_SAME],
    )
    response = login(officer).post(_delete(need))
    assert response.status_code == 302
    assert response.url == _hub(event)
    assert _messages(response) == [str(views.NEED_DELETED)]
    assert not Need.objects.exists()
    assert not Suggestion.objects.exists()


def test_deleting_is_a_post(login, officer, buyer, event):
    assert login(officer).get(_delete(buyer.needs.get())).status_code == 302
    assert Need.objects.count() == 1


# Availability -------------------------------------------------------------------------------------


def test_availability_needs_a_login(client, buyer, event):
    assert _is_login_redirect(client.get(_availability(event)))
    assert _is_login_redirect(client.post(_availability(event), {}))


def test_availability_is_for_participants(login, admin_user, other_officer, buyer, event):
    assert login(admin_user).get(_availability(event)).status_code == 403
    assert login(other_officer).get(_availability(event)).status_code == 404
    assert login(other_officer).post(_availability(event), {}).status_code == 404


def test_the_grid_shows_the_slots_by_day_in_jakarta_time(login, officer, buyer, event):
    first = event.slots.order_by("starts_at").first()
    buyer.unavailable_slots.set([first])
    response = login(officer).get(_availability(event))
    html = response.content.decode()
    days = response.context["slot_days"]
    assert [day.day for day in days] == [d.day for d in event.days.all()]
    assert [row.label for row in days[0].slots] == [
        f"{start}\N{EN DASH}{end}"
        for start, end in [
            ("09:00", "09:30"),
            ("09:30", "10:00"),
            ("10:30", "11:00"),
            ("11:00", "11:30"),
            ("11:30", "12:00"),
        ]
    ]
    assert days[0].slots[0].unavailable is True
    assert f'value="{first.pk}" id="slot-{first.pk}" checked' in html


def test_a_participant_marks_the_slots_it_cannot_attend(login, vendor_staff, exhibitor, event):
    chosen = list(event.slots.order_by("starts_at")[:2])
    response = login(vendor_staff).post(
        _availability(event), {"unavailable": [s.pk for s in chosen]}
    )
    assert response.status_code == 302
    assert response.url == _hub(event)
    assert _messages(response) == [str(views.AVAILABILITY_SAVED.format(count=2))]
    assert set(exhibitor.unavailable_slots.all()) == set(chosen)


def test_unticking_every_slot_clears_the_unavailability(login, officer, buyer, event):
    buyer.unavailable_slots.set(event.slots.all()[:3])
    login(officer).post(_availability(event), {})
    assert not buyer.unavailable_slots.exists()


def test_a_slot_of_another_event_is_refused(login, officer, buyer, event):
    foreign = event_create().slots.first()
    mine = event.slots.first()
    response = login(officer).post(_availability(event), {"unavailable": [mine.pk, foreign.pk]})
    assert response.status_code == 200
    assert str(SLOT_NOT_LISTED) in response.content.decode()
    assert not buyer.unavailable_slots.exists()


def test_availability_is_locked_once_the_event_runs(login, officer, buyer, event):
    _status(event, EventStatus.RUNNING)
    client = login(officer)
    html = client.get(_availability(event)).content.decode()
    assert "disabled" in html
    response = client.post(_availability(event), {"unavailable": [event.slots.first().pk]})
    assert response.status_code == 302
    assert _messages(response) == [str(services.AVAILABILITY_LOCKED)]
    assert not buyer.unavailable_slots.exists()


def test_availability_is_fixed_once_the_schedule_is_published(login, officer, buyer, event):
    """A change then would contradict agendas already mailed: the organisers handle it."""
    _status(event, EventStatus.PUBLISHED)
    response = login(officer).post(_availability(event), {"unavailable": [event.slots.first().pk]})
    assert _messages(response) == [str(services.AVAILABILITY_LOCKED)]
    assert buyer.unavailable_slots.count() == 0
