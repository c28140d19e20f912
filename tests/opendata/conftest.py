"""Packages at each stage for the open-data tests: announced with sealed bids, opened,
and contracted (through the real services), each with two bidders."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from procurement import services
from procurement.models import Package
from tests.procurement import conftest as procurement
from tests.procurement.conftest import lines_for, pass_all_bids, past_deadline

# The procurement tests' cast, shared: a PPK and pokja of one OPD, its announced package
# with two items, and two certified small vendors.
ppk = procurement.ppk
pokja = procurement.pokja
announced = procurement.announced
bidder = procurement.bidder
second_bidder = procurement.second_bidder


@pytest.fixture
def with_bids(announced, bidder, second_bidder):
    """The announced package with a sealed bid from each bidder: (package, bid, bid)."""
    user, vendor, desk, cabinet = bidder
    user2, vendor2, desk2, cabinet2 = second_bidder
    first = services.bid_submit(
        package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
    )
    second = services.bid_submit(
        package=announced, vendor=vendor2, by=user2, lines=lines_for(announced, desk2, cabinet2)
    )
    return announced, first, second


@pytest.fixture
def opened(with_bids, pokja):
    package, first, second = with_bids
    past_deadline(package)
    services.package_close(package=package, by=pokja)
    package.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    return package, first, second


@pytest.fixture
def contracted(opened, ppk, pokja):
    """Through evaluation, winner, award and contract: (package, winner bid, other bid)."""
    package, first, second = opened
    pass_all_bids(package)
    services.package_winner_announce(package=package, by=ppk)
    package.refresh_from_db()
    Package.objects.filter(pk=package.pk).update(
        objection_ends_at=timezone.now() - timedelta(seconds=1)
    )
    package.refresh_from_db()
    services.package_award(package=package, by=ppk)
    services.package_contract(
        package=package, by=ppk, number="KTR/027/DISDIK/2026", signed_on=date(2026, 3, 2)
    )
    package.refresh_from_db()
    winner, other = (first, second) if package.winner_id == first.pk else (second, first)
    winner.refresh_from_db()
    other.refresh_from_db()
    return package, winner, other
