"""Steps that cannot be undone ask first, on the server: an unconfirmed POST answers with
a page saying what will happen and changes nothing; the confirmed POST takes the step."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from p3dn_portal.lib.confirm import CONFIRMED
from procurement import services, views
from procurement.models import Package
from procurement.rules import Status
from tests.factories import OfficerFactory
from tests.procurement.conftest import evaluate_now, lines_for, past_deadline

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_back():
    """A request in English leaves English active in the thread: back to Indonesian."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _url(name: str, package: Package) -> str:
    return reverse(f"procurement:officer-package-{name}", args=[package.pk])


@pytest.fixture
def objection_over(announced, bidder, second_bidder):
    """The winner announced and the objection period over: the award is the next step."""
    for who in (bidder, second_bidder):
        user, vendor, desk, cabinet = who
        services.bid_submit(
            package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
        )
    past_deadline(announced)
    services.packages_close_due()
    evaluate_now(announced)
    winner = announced.bids.get(vendor=bidder[1], status="active")
    Package.objects.filter(pk=announced.pk).update(
        status=Status.OBJECTION,
        winner=winner,
        objection_ends_at=timezone.now() - timedelta(minutes=1),
    )
    announced.refresh_from_db()
    return announced


def test_the_award_asks_first_and_says_what_will_happen(login, ppk, objection_over, bidder):
    client = login(ppk)
    response = client.post(_url("award", objection_over))
    assert response.status_code == 200
    html = response.content.decode()
    assert str(views.ASK_AWARD) in html
    assert bidder[1].name in html and "Rp1.287.500.000" in html
    assert str(views.ASK_AWARD_TOLD) in html
    assert 'name="konfirmasi" value="ya"' in html
    assert reverse("procurement:package-detail", args=[objection_over.pk]) in html  # back
    assert Package.objects.get(pk=objection_over.pk).status == Status.OBJECTION
    response = client.post(_url("award", objection_over), CONFIRMED)
    assert response.status_code == 302
    assert Package.objects.get(pk=objection_over.pk).status == Status.AWARDED


def test_the_award_during_the_objection_period_does_not_ask(login, ppk, objection_over):
    Package.objects.filter(pk=objection_over.pk).update(
        objection_ends_at=timezone.now() + timedelta(days=1)
    )
    response = login(ppk).post(_url("award", objection_over), follow=True)
    assert str(views.ASK_AWARD) not in response.content.decode()
    assert "Masa sanggah masih berjalan" in response.content.decode()


def test_who_may_not_award_is_refused_before_any_question(
    client, login, objection_over, bidder, pokja
):
    url = _url("award", objection_over)
    assert client.post(url).status_code == 302  # to the login page
    assert login(bidder[0]).post(url).status_code == 403
    stranger = OfficerFactory(position="ppk").user  # another OPD
    assert login(stranger).post(url).status_code == 404
    html = login(pokja).post(url, follow=True).content.decode()  # a position that may not
    assert str(views.ASK_AWARD) not in html
    assert Package.objects.get(pk=objection_over.pk).status == Status.OBJECTION


def test_an_incomplete_contract_is_refused_without_asking(login, ppk, objection_over):
    Package.objects.filter(pk=objection_over.pk).update(status=Status.AWARDED)
    response = login(ppk).post(
        _url("contract", objection_over), {"number": " ", "signed_on": ""}, follow=True
    )
    html = response.content.decode()
    assert str(views.ASK_CONTRACT) not in html
    assert str(services.CONTRACT_NUMBER_REQUIRED) in html


def test_cancelling_asks_with_the_reason_and_then_cancels(login, ppk, announced):
    client = login(ppk)
    reason = {"reason": "Anggaran dialihkan."}
    html = client.post(_url("cancel", announced), reason).content.decode()
    assert str(views.ASK_CANCEL) in html and "Anggaran dialihkan." in html
    assert str(views.ASK_ENDED) in html
    assert Package.objects.get(pk=announced.pk).status == Status.ANNOUNCED
    client.post(_url("cancel", announced), reason | CONFIRMED)
    assert Package.objects.get(pk=announced.pk).status == Status.CANCELLED


def test_the_question_reads_in_english(login, ppk, announced):
    client = login(ppk)
    client.cookies["p3dn_language"] = "en"
    html = client.post(_url("close", announced)).content.decode()
    assert "Close and open the bids?" in html
    assert "This step cannot be undone." in html
