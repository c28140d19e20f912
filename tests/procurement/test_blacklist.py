"""A blacklisted vendor in procurement: it cannot bid while listed (told why and until when,
in its language), and a bid it submitted before falls at evaluation (qualification, Perlem
LKPP 12/2021 step 4) with the reason shown to the Pokja and to the vendor; the next bid
wins. Ratings show beside each bid once opened."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from procurement import services
from procurement.models import Bid, BidStatus
from procurement.reasons import reasons_display
from procurement.rules import Status
from tests.factories import AdminFactory
from tests.procurement.conftest import lines_for, pass_all_bids, past_deadline
from vendors import services as vendor_services

pytestmark = pytest.mark.django_db

REASON = "Wanprestasi pada kontrak KTR/011/DISDIK/2025."
REFERENCE = "KEP-45/DH/2026"


def _blacklist(vendor, **dates):
    return vendor_services.blacklisting_create(
        vendor=vendor,
        by=AdminFactory(),
        reason=REASON,
        decision_reference=REFERENCE,
        starts_on=dates.get("starts_on", timezone.localdate()),
        ends_on=dates.get("ends_on", timezone.localdate() + timedelta(days=90)),
    )


def _submit(package, bidder) -> Bid:
    user, vendor, desk, cabinet = bidder
    return services.bid_submit(
        package=package, vendor=vendor, by=user, lines=lines_for(package, desk, cabinet)
    )


def test_a_blacklisted_vendor_cannot_bid_and_is_told_why_and_until_when(announced, bidder):
    listing = _blacklist(bidder[1])
    with pytest.raises(ValidationError, match="daftar hitam") as error:
        _submit(announced, bidder)
    (message,) = error.value.messages
    assert error.value.code == "blacklisted"
    assert listing.period_display() in message
    assert REFERENCE in message and REASON in message
    assert "tidak dapat mengajukan penawaran" in message
    assert not Bid.objects.exists()


def test_the_refusal_is_in_english_for_an_english_reader(announced, bidder):
    listing = _blacklist(bidder[1])
    with translation.override("en"), pytest.raises(ValidationError, match="blacklisted") as error:
        _submit(announced, bidder)
    with translation.override("en"):
        period = listing.period_display()
    assert error.value.messages == [
        f"Your business is blacklisted ({period}; decision {REFERENCE}) for this reason: "
        f"{REASON} During that period you cannot submit bids."
    ]


def test_a_listing_that_starts_tomorrow_or_ended_yesterday_does_not_stop_a_bid(announced, bidder):
    today = timezone.localdate()
    _blacklist(bidder[1], starts_on=today + timedelta(days=1), ends_on=today + timedelta(days=9))
    _blacklist(
        bidder[1],
        starts_on=today - timedelta(days=20),
        ends_on=today - timedelta(days=1),
    )
    assert _submit(announced, bidder).status == BidStatus.ACTIVE


def test_a_listing_ending_today_still_stops_a_bid_and_a_lifted_one_does_not(announced, bidder):
    today = timezone.localdate()
    listing = _blacklist(bidder[1], starts_on=today - timedelta(days=5), ends_on=today)
    with pytest.raises(ValidationError, match="daftar hitam"):
        _submit(announced, bidder)
    vendor_services.blacklisting_update(
        blacklisting=listing, by=listing.decided_by, ends_on=today + timedelta(days=30)
    )
    vendor_services.blacklisting_lift(
        blacklisting=listing, by=listing.decided_by, reason="Banding."
    )
    assert _submit(announced, bidder).status == BidStatus.ACTIVE


def test_the_bid_page_tells_the_blacklisted_vendor_and_saves_nothing(login, announced, bidder):
    user, vendor, desk, cabinet = bidder
    listing = _blacklist(vendor)
    client = login(user)
    page = client.get(reverse("procurement:package-detail", args=[announced.pk]))
    assert listing.period_display() in page.content.decode()
    first, second = announced.items.order_by("position")
    response = client.post(
        reverse("procurement:bid-edit", args=[announced.pk]),
        {
            f"product_{first.pk}": desk.pk,
            f"unit_price_{first.pk}": "1.150.000",
            f"product_{second.pk}": cabinet.pk,
            f"unit_price_{second.pk}": "2.750.000",
        },
    )
    assert REFERENCE in response.content.decode()
    assert not Bid.objects.exists()


@pytest.fixture
def two_bids(announced, bidder, second_bidder, pokja):
    """The first bidder's bid ranks first on its TKDN; the second is cheaper."""
    for who in (bidder, second_bidder):
        _submit(announced, who)
    return announced


def _close(package, pokja):
    past_deadline(package)
    services.package_close(package=package, by=pokja)
    package.refresh_from_db()


def test_a_bid_in_before_the_listing_falls_at_evaluation_and_the_next_bid_wins(
    two_bids, bidder, second_bidder, pokja
):
    package = two_bids
    _close(package, pokja)
    pass_all_bids(package)
    run = package.evaluation_runs.filter(status="succeeded").order_by("-pk").first()
    assert run.results.get(rank=1).bid.vendor == bidder[1]  # before the listing
    listing = _blacklist(bidder[1])
    run = services.evaluation_request(package=package, by=pokja)
    services.evaluation_execute(run_id=run.pk)
    run.refresh_from_db()
    fallen = run.results.get(bid__vendor=bidder[1])
    assert (fallen.eligible, fallen.rank) == (False, None)
    assert any(r.get("code") == "vendor_blacklisted" for r in fallen.reasons)
    text = " ".join(reasons_display(fallen.reasons))
    assert "Gugur pada kualifikasi: penyedia masuk daftar hitam" in text
    assert REFERENCE in text and REASON in text
    assert listing.starts_on.strftime("%Y") in text
    winner = run.results.get(rank=1)
    assert winner.bid.vendor == second_bidder[1]
    assert run.final


def test_the_pokja_and_the_vendor_see_why_the_bid_fell(
    login, two_bids, bidder, second_bidder, pokja, ppk
):
    package = two_bids
    _close(package, pokja)
    _blacklist(bidder[1])
    pass_all_bids(package)
    verdicts = login(pokja).get(reverse("procurement:officer-verdicts", args=[package.pk]))
    html = verdicts.content.decode()
    assert "Gugur pada kualifikasi: penyedia masuk daftar hitam" in html and REFERENCE in html
    # It falls by itself, even passed on every requirement by the pokja (as pass_all_bids
    # does): it is not ranked, and the winner announced is the next bid.
    assert Bid.objects.get(vendor=bidder[1]).verdict.passed
    services.package_winner_announce(package=package, by=ppk)
    package.refresh_from_db()
    assert package.winner.vendor == second_bidder[1]
    mine = login(bidder[0]).get(reverse("procurement:vendor-evaluation", args=[package.pk]))
    assert mine.status_code == 200
    assert "Gugur pada kualifikasi: penyedia masuk daftar hitam" in mine.content.decode()


def test_the_vendor_reads_the_reason_in_english(login, two_bids, bidder, pokja):
    package = two_bids
    _close(package, pokja)
    _blacklist(bidder[1])
    pass_all_bids(package)
    client = login(pokja)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("procurement:officer-verdicts", args=[package.pk])).content.decode()
    assert "Failed at qualification: the vendor is blacklisted" in html


def test_ratings_show_beside_each_opened_bid_to_officers(login, two_bids, bidder, pokja, ppk):
    package = two_bids
    vendor_services.vendor_ratings_set(
        vendor_id=bidder[1].pk,
        count=3,
        averages={"quality": "3.5", "cost": "3", "time": "2.5", "service": "4"},
    )
    _close(package, pokja)
    assert package.status == Status.EVALUATION
    client = login(ppk)
    bids = client.get(reverse("procurement:officer-package-bids", args=[package.pk]))
    html = bids.content.decode()
    assert "3,3/4 dari 3 penilaian" in html  # (3.5 + 3 + 2.5 + 4) / 4 = 3.25, shown 3,3
    assert "Belum ada penilaian" in html  # the second bidder
    verdicts = login(pokja).get(reverse("procurement:officer-verdicts", args=[package.pk]))
    html = verdicts.content.decode()
    assert "3,3/4 dari 3 penilaian" in html
    assert "Mutu" in html and "3,5" in html  # the four aspects on the verdict page
