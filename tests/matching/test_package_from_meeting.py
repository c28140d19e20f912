"""A procurement package created after a business-matching meeting is linked to it: the
follow-up the programme reports (meeting -> interest -> package -> bid -> award)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from matching.models import FollowUp, MeetingStatus, Outcome
from procurement.models import Package
from tests.factories import OfficerFactory
from tests.matching.factories import buyer_create, event_create, exhibitor_create, meeting_create
from tests.procurement.test_officer_packages import _data

ADD = reverse("procurement:officer-package-add")


@pytest.fixture
def held(db):
    """A held meeting of a PPK's need (budget Rp 250 million) with an exhibitor."""
    event = event_create(status="running")
    ppk = OfficerFactory(position="ppk")
    buyer = buyer_create(
        event,
        officer=ppk,
        description="Seragam batik untuk pegawai kelurahan\nukuran S sampai XXL",
        estimated_budget=Decimal("250000000"),
    )
    meeting = meeting_create(
        buyer,
        exhibitor_create(event),
        slot=event.slots.first(),
        table=1,
        status=MeetingStatus.HELD,
        need=buyer.needs.get(),
    )
    return meeting


def test_the_form_starts_from_the_need(held, login):
    client = login(held.buyer.officer.user)
    page = client.get(ADD, {"pertemuan": held.pk})
    form = page.context["form"]
    assert form.initial["title"] == "Seragam batik untuk pegawai kelurahan"
    assert form.initial["pagu"] == Decimal("250000000")
    assert held.exhibitor.vendor.name in form.initial["description"]
    assert f'name="pertemuan" value="{held.pk}"' in page.content.decode()


def test_saving_links_the_package_to_the_meeting_and_the_need(held, login):
    client = login(held.buyer.officer.user)
    response = client.post(f"{ADD}?pertemuan={held.pk}", _data(pertemuan=str(held.pk)))
    package = Package.objects.get()
    assert response.status_code == 302
    outcome = Outcome.objects.get(meeting=held)
    assert (outcome.follow_up, outcome.package) == (FollowUp.PACKAGE, package)
    held.need.refresh_from_db()
    assert held.need.package == package


def test_another_opds_meeting_is_ignored(held, login):
    stranger = OfficerFactory(position="ppk").user
    client = login(stranger)
    page = client.get(ADD, {"pertemuan": held.pk})
    assert "title" not in page.context["form"].initial
    client.post(ADD, _data(pertemuan=str(held.pk)))
    assert Package.objects.count() == 1
    assert not Outcome.objects.exists()


@pytest.mark.parametrize("value", ["abc", "", "999999"])
def test_a_bad_meeting_reference_is_ignored(held, login, value):
    page = login(held.buyer.officer.user).get(ADD, {"pertemuan": value})
    assert page.status_code == 200 and "title" not in page.context["form"].initial


def test_a_meeting_not_held_gives_no_package(held, login):
    held.status = MeetingStatus.ACCEPTED
    held.save()
    page = login(held.buyer.officer.user).get(ADD, {"pertemuan": held.pk})
    assert page.context["meeting"] is None


def test_a_bad_submit_keeps_the_link_and_saves_nothing(held, login):
    client = login(held.buyer.officer.user)
    page = client.post(ADD, _data(pertemuan=str(held.pk), pagu="banyak"))
    assert page.status_code == 200 and page.context["meeting"] == held
    assert not Package.objects.exists() and not Outcome.objects.exists()
