"""Sealed bids never reach open data: before closing, neither a bid's price nor its
bidder's name appears in the export, the download or the package endpoint."""

import io
import json

import pytest
from django.urls import reverse

from opendata import ocds
from procurement.models import Bid
from procurement.services import bid_content

pytestmark = pytest.mark.django_db


def _secrets(bid: Bid) -> list[str]:
    """What a sealed bid must not reveal, as it would be written: the total and each line
    price (the bid's own columns are empty until opening, so take them from the content),
    and the bidder's name and NIB."""
    lines = bid_content(bid).lines
    prices = [line.unit_price for line in lines]
    total = sum(line.unit_price * line.quantity for line in lines)
    return [bid.vendor.name, bid.vendor.nib, str(int(total)), *(str(int(p)) for p in prices)]


def _export_text() -> str:
    out = io.StringIO()
    ocds.write_release_package(out, uri="https://contoh.id/ocds.json")
    return out.getvalue()


def test_an_announced_package_publishes_no_bid(with_bids, client):
    package, first, second = with_bids
    texts = [
        _export_text(),
        client.get(reverse("opendata:package-json", args=[package.pk])).content.decode(),
        b"".join(client.get(reverse("opendata:download")).streaming_content).decode(),
    ]
    for text in texts:
        data = json.loads(text)
        releases = data["records"][0]["releases"] if "records" in data else data["releases"]
        assert [r["tag"] for r in releases] == [["tender"]]
        assert '"bids"' not in text
        assert "tenderer" not in text
        for secret in _secrets(first) + _secrets(second):
            assert secret not in text


def test_a_package_in_memory_still_sealed_publishes_no_bid(opened):
    """Even with opened bids prefetched, a package object in a sealed state shows none."""
    package, first, _ = opened
    fresh = ocds.published_package(package.pk)
    fresh.status = "announced"
    text = json.dumps(ocds.package_releases(fresh))
    assert first.vendor.name not in text
    assert '"bids"' not in text


def test_bids_appear_once_opened(opened):
    _, first, second = opened
    text = _export_text()
    for bid in (first, second):  # the same search finds them now: it would have before
        name, nib, total, *_ = _secrets(bid)
        assert name in text and nib in text and total in text
        assert int(bid.price) == int(total)
