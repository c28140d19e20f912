"""The sealed bid's content: one dataclass (procurement.sealing.BidContent) writes and reads
its stored layout, and a bid sealed in an earlier layout still reads and opens."""

from decimal import Decimal

import pytest

from procurement import sealing, services
from procurement.models import Bid, BidLine
from tests.procurement.conftest import lines_for, past_deadline

pytestmark = pytest.mark.django_db


def _submit(package, bidder) -> Bid:
    user, vendor, desk, cabinet = bidder
    return services.bid_submit(
        package=package, vendor=vendor, by=user, lines=lines_for(package, desk, cabinet)
    )


def test_a_bid_reads_back_exactly_as_it_was_sealed(announced, bidder):
    bid = _submit(announced, bidder)
    stored = sealing.unseal(bid.sealed_content)
    content = services.bid_content(bid)
    assert content.to_dict() == stored
    assert stored["format"] == sealing.CONTENT_FORMAT
    assert (content.package, content.vendor, content.version) == (
        announced.pk,
        bidder[1].pk,
        1,
    )
    assert content.total == Decimal("1287500000")
    assert [line.quantity for line in content.lines] == [Decimal("1000"), Decimal("50")]


def test_a_bid_sealed_before_the_format_was_numbered_still_reads_and_opens(
    announced, bidder, django_capture_on_commit_callbacks
):
    bid = _submit(announced, bidder)
    # The layout of the first bids: no format number, no KBLI on the lines.
    legacy = sealing.unseal(bid.sealed_content)
    del legacy["format"]
    for line in legacy["lines"]:
        del line["kbli"]
    Bid.objects.filter(pk=bid.pk).update(**sealing.sealed_fields(legacy))
    bid.refresh_from_db()
    assert services.bid_receipt_matches(bid)
    content = services.bid_content(bid)
    assert [line.kbli for line in content.lines] == ["", ""]
    assert content.total == Decimal("1287500000")
    past_deadline(announced)
    with django_capture_on_commit_callbacks(execute=True):
        services.packages_close_due()
    bid.refresh_from_db()
    assert bid.price == Decimal("1287500000")
    assert list(BidLine.objects.filter(bid=bid).values_list("product_kbli", flat=True)) == [
        "",
        "",
    ]


def test_a_content_of_an_unknown_format_is_refused_not_misread(announced, bidder):
    stored = sealing.unseal(_submit(announced, bidder).sealed_content)
    stored["format"] = sealing.CONTENT_FORMAT + 1
    with pytest.raises(ValueError, match="format 2; this portal reads 1"):
        sealing.BidContent.from_dict(stored)
