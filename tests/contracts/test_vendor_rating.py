"""The vendor's average ratings, kept on the vendor by contracts in the transaction that
writes a rating: per aspect and overall, with their count; shown in the directory."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.models import Rating
from tests.contracts.conftest import make_contract
from vendors import directory

D = Decimal


def _rate(contract, marks, note=""):
    quality, cost, time, service = marks
    return Rating.objects.create(
        contract=contract,
        quality=quality,
        cost=cost,
        time=time,
        service=service,
        note=note,
        rated_by=contract.opd.officers.first().user,
        rated_at=timezone.now(),
    )


@pytest.mark.django_db
def test_the_averages_follow_each_rating_written_or_removed(desk_ppk, supplier):
    vendor = supplier[1]
    first = make_contract(desk_ppk, supplier, number="KTR/001/2026")
    second = make_contract(desk_ppk, supplier, number="KTR/002/2026")
    _rate(first, (4, 3, 2, 4), note="Terlambat dua hari.")
    vendor.refresh_from_db()
    assert (vendor.rating_count, vendor.rating_overall) == (1, D("3.25"))
    rating = _rate(second, (3, 3, 4, 3))
    vendor.refresh_from_db()
    # By hand: quality (4+3)/2 = 3.5, cost 3, time (2+4)/2 = 3, service 3.5; overall 3.25.
    assert (
        vendor.rating_count,
        vendor.rating_quality,
        vendor.rating_cost,
        vendor.rating_time,
        vendor.rating_service,
        vendor.rating_overall,
    ) == (2, D("3.50"), D("3.00"), D("3.00"), D("3.50"), D("3.25"))
    # No history row for the company: the averages are no edit of its data.
    assert vendor.history.count() == 1
    rating.delete()
    vendor.refresh_from_db()
    assert (vendor.rating_count, vendor.rating_time) == (1, D("2.00"))


@pytest.mark.django_db
def test_a_vendor_never_rated_has_no_average(desk_ppk, supplier):
    make_contract(desk_ppk, supplier)
    vendor = supplier[1]
    vendor.refresh_from_db()
    assert (vendor.rating_count, vendor.rating_overall) == (0, None)


@pytest.mark.django_db
def test_the_directory_shows_the_average_and_its_count(client, desk_ppk, supplier):
    vendor = supplier[1]
    _rate(make_contract(desk_ppk, supplier), (4, 4, 3, 4))
    directory.listing_current(on=timezone.localdate())
    listing = client.get(reverse("vendors:directory")).content.decode()
    assert "3,8/4 dari 1 penilaian" in listing  # 3.75
    page = client.get(reverse("vendors:directory-vendor", args=[vendor.pk])).content.decode()
    assert "3,8/4 dari 1 penilaian" in page
    assert "Layanan" in page and "4,0" in page
