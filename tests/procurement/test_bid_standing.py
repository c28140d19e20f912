"""After the award a vendor's bids read as won or not won (and superseded, withdrawn) in
"Penawaran saya", and the package page shows the contract's number and date to the
package's officers and the winner only."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from procurement import services
from procurement.models import Package
from procurement.rules import BidStanding, Status, bid_standing
from tests.factories import OfficerFactory, PackageFactory
from tests.procurement.conftest import evaluate_now, lines_for, past_deadline

MY_BIDS = reverse("procurement:my-bids")


@pytest.mark.parametrize(
    ("bid_status", "package_status", "is_winner", "standing"),
    [
        ("active", Status.ANNOUNCED, False, BidStanding.ACTIVE),
        ("active", Status.EVALUATION, False, BidStanding.ACTIVE),
        ("active", Status.OBJECTION, True, BidStanding.WINNER_ANNOUNCED),
        ("active", Status.OBJECTION, False, BidStanding.NOT_WON),
        ("active", Status.AWARDED, True, BidStanding.WON),
        ("active", Status.CONTRACTED, True, BidStanding.WON),
        ("active", Status.CONTRACTED, False, BidStanding.NOT_WON),
        ("active", Status.FAILED, False, BidStanding.NO_WINNER),
        ("active", Status.CANCELLED, False, BidStanding.NO_WINNER),
        ("superseded", Status.CONTRACTED, False, BidStanding.SUPERSEDED),
        ("withdrawn", Status.AWARDED, False, BidStanding.WITHDRAWN),
    ],
)
def test_a_bid_stands_by_its_status_its_package_and_the_winner(
    bid_status, package_status, is_winner, standing
):
    assert (
        bid_standing(bid_status=bid_status, package_status=package_status, is_winner=is_winner)
        == standing
    )


@pytest.fixture(autouse=True)
def _language_back():
    """A request in English leaves English active in the thread: back to Indonesian."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _submit(package, bidder, **prices):
    user, vendor, desk, cabinet = bidder
    return services.bid_submit(
        package=package, vendor=vendor, by=user, lines=lines_for(package, desk, cabinet, **prices)
    )


@pytest.fixture
def contracted(db, announced, bidder, second_bidder):
    """Two bidders, the first with a superseded version; the second wins, the contract is
    recorded (the states set directly: the life cycle has its own tests)."""
    superseded = _submit(announced, bidder)
    loser = _submit(announced, bidder)
    winner = _submit(announced, second_bidder, desk_price="1100000", cabinet_price="2900000")
    past_deadline(announced)
    services.packages_close_due()
    evaluate_now(announced)
    Package.objects.filter(pk=announced.pk).update(
        status=Status.CONTRACTED,
        winner=winner,
        contract_value=Decimal("1245000000"),
        contract_number="027/KTR/DISDIK/2026",
        contract_signed_on=date(2026, 12, 3),
    )
    announced.refresh_from_db()
    return announced, superseded, loser, winner


def _standing_cell(html: str, bid) -> str:
    receipt = reverse("procurement:bid-receipt", args=[bid.pk])
    row = html[: html.index(receipt)]
    return row[row.rindex("<tr>") :]


@pytest.mark.django_db
def test_my_bids_read_won_and_not_won_after_the_award(login, contracted, bidder, second_bidder):
    _package, superseded, loser, winner = contracted
    html = login(second_bidder[0]).get(MY_BIDS).content.decode()
    assert ">Menang<" in _standing_cell(html, winner)
    assert ">Aktif<" not in html
    html = login(bidder[0]).get(MY_BIDS).content.decode()
    assert ">Tidak menang<" in _standing_cell(html, loser)
    assert ">Diganti revisi<" in _standing_cell(html, superseded)
    assert ">Aktif<" not in html


@pytest.mark.django_db
def test_my_bids_read_in_english(login, contracted, bidder, second_bidder):
    _package, _superseded, loser, winner = contracted
    client = login(second_bidder[0])
    client.cookies["p3dn_language"] = "en"
    assert ">Won<" in _standing_cell(client.get(MY_BIDS).content.decode(), winner)
    client = login(bidder[0])
    client.cookies["p3dn_language"] = "en"
    assert ">Not won<" in _standing_cell(client.get(MY_BIDS).content.decode(), loser)


def _detail(package) -> str:
    return reverse("procurement:package-detail", args=[package.pk])


@pytest.mark.django_db
def test_the_officer_and_the_winner_read_the_contract_number_and_date(
    login, ppk, contracted, bidder, second_bidder
):
    package = contracted[0]
    for user in (ppk, second_bidder[0]):
        html = login(user).get(_detail(package)).content.decode()
        assert "027/KTR/DISDIK/2026" in html, user
        assert "3 Des 2026" in html, user  # the date format of the language
        assert "Rp1.245.000.000" in html, user
    # The public, another bidder and an officer of another OPD see the value only.
    others = [bidder[0], OfficerFactory(position="ppk").user]
    pages = [Client().get(_detail(package))] + [login(u).get(_detail(package)) for u in others]
    for response in pages:
        html = response.content.decode()
        assert "027/KTR/DISDIK/2026" not in html
        assert "Rp1.245.000.000" in html


@pytest.mark.django_db
def test_no_contract_block_before_the_contract(login, ppk):
    package = PackageFactory(opd=ppk.opd_officer.opd, created_by=ppk, status=Status.AWARDED)
    html = login(ppk).get(_detail(package)).content.decode()
    assert 'id="kontrak"' not in html
