"""A procurement package created after a business-matching meeting is linked to it: the
follow-up the programme reports (meeting -> interest -> package -> bid -> award). The page
is matching's (`matching:meeting-package`); the form and the save are procurement's."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.decorators import WRONG_ROLE
from matching.models import FollowUp, MeetingStatus, Outcome
from procurement.models import Package
from procurement.services import POSITION_NOT_ALLOWED
from tests.factories import OfficerFactory, PackageFactory, VendorMemberFactory
from tests.matching.factories import buyer_create, event_create, exhibitor_create, meeting_create
from tests.procurement.test_officer_packages import _data


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


def _url(meeting) -> str:
    return reverse("matching:meeting-package", args=[meeting.pk])


def test_the_form_starts_from_the_need(held, login):
    client = login(held.buyer.officer.user)
    page = client.get(_url(held))
    form = page.context["form"]
    assert form.initial["title"] == "Seragam batik untuk pegawai kelurahan"
    assert form.initial["pagu"] == Decimal("250000000")
    assert held.exhibitor.vendor.name in form.initial["description"]
    assert page.context["meeting"] == held
    assert held.event.name in page.content.decode()


def test_saving_links_the_package_to_the_meeting_and_the_need(held, login):
    client = login(held.buyer.officer.user)
    response = client.post(_url(held), _data())
    package = Package.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("procurement:package-detail", args=[package.pk])
    outcome = Outcome.objects.get(meeting=held)
    assert (outcome.follow_up, outcome.package) == (FollowUp.PACKAGE, package)
    held.need.refresh_from_db()
    assert held.need.package == package


def test_another_officer_of_the_opd_may_grow_the_package(held, login):
    colleague = OfficerFactory(opd=held.buyer.officer.opd, position="pptk")
    response = login(colleague.user).post(_url(held), _data())
    assert response.status_code == 302
    assert Outcome.objects.get(meeting=held).package == Package.objects.get()


def test_it_sends_anonymous_visitors_to_the_login_page(held, client):
    for method in ("get", "post"):
        response = getattr(client, method)(_url(held))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    assert not Package.objects.exists()


def test_vendors_and_admins_are_refused(held, login, admin_user):
    for user in (VendorMemberFactory().user, admin_user):
        response = login(user).post(_url(held), _data())
        assert response.status_code == 403
        assert str(WRONG_ROLE).split("{")[0] in response.content.decode()
    assert not Package.objects.exists()


def test_a_position_that_may_not_edit_packages_is_refused(held, login):
    pokja = OfficerFactory(opd=held.buyer.officer.opd, position="pokja")
    response = login(pokja.user).post(_url(held), _data())
    assert response.status_code == 403
    assert str(POSITION_NOT_ALLOWED).split("(")[0] in response.content.decode()
    assert not Package.objects.exists() and not Outcome.objects.exists()


def test_another_opds_meeting_is_not_found(held, login):
    client = login(OfficerFactory(position="ppk").user)
    assert client.get(_url(held)).status_code == 404
    assert client.post(_url(held), _data()).status_code == 404
    assert not Package.objects.exists() and not Outcome.objects.exists()


def test_a_meeting_that_does_not_exist_is_not_found(held, login):
    client = login(held.buyer.officer.user)
    assert client.get(reverse("matching:meeting-package", args=[held.pk + 1000])).status_code == 404
    assert client.get(_url(held).replace(f"/{held.pk}/", f"/{held.pk}abc/")).status_code == 404


def test_a_meeting_not_held_gives_no_package(held, login):
    held.status = MeetingStatus.ACCEPTED
    held.save()
    assert login(held.buyer.officer.user).get(_url(held)).status_code == 404


def test_a_meeting_already_followed_by_a_package_gives_no_second(held, login):
    package = PackageFactory(opd=held.buyer.officer.opd)
    Outcome.objects.create(
        meeting=held,
        interest=True,
        follow_up=FollowUp.PACKAGE,
        package=package,
        recorded_by=held.buyer.officer.user,
    )
    client = login(held.buyer.officer.user)
    assert client.post(_url(held), _data()).status_code == 404
    assert Package.objects.count() == 1


def test_a_bad_submit_keeps_the_link_and_saves_nothing(held, login):
    client = login(held.buyer.officer.user)
    page = client.post(_url(held), _data(pagu="banyak"))
    assert page.status_code == 200 and page.context["meeting"] == held
    assert "pagu" in page.context["form"].errors
    assert not Package.objects.exists() and not Outcome.objects.exists()


def test_adding_a_row_keeps_the_link_and_saves_nothing(held, login):
    client = login(held.buyer.officer.user)
    page = client.post(_url(held), _data(tambah_baris="1"))
    assert page.status_code == 200 and page.context["meeting"] == held
    assert page.context["items"].total_form_count() == 3
    assert not Package.objects.exists() and not Outcome.objects.exists()


def test_the_procurement_form_knows_no_meeting(held, login):
    """A meeting named in the query of procurement's own form is not followed."""
    client = login(held.buyer.officer.user)
    page = client.get(reverse("procurement:officer-package-add"), {"pertemuan": held.pk})
    assert "title" not in page.context["form"].initial
    client.post(reverse("procurement:officer-package-add"), _data(pertemuan=str(held.pk)))
    assert Package.objects.count() == 1
    assert not Outcome.objects.exists()
