"""Pinned query counts: the page aggregates in the database, so the count does not grow with
the number of packages, OPDs, vendors or meetings."""

from decimal import Decimal

import pytest
from django.urls import reverse

from procurement.rules import Status
from tests.dashboards.conftest import M, _award, _bid, _package
from tests.factories import OfficerFactory, UserFactory, VendorFactory

pytestmark = pytest.mark.django_db

URL = reverse("dashboards:home")

# Every request: user (with its officer and OPD, and the menu's unread count) (1) and the
# data versions (1). On the first request for the data as it is (nothing cached yet):
# whether a group of the summary is stale (1) and, the packages having just been written,
# its refresh (a savepoint, the marks, the old rows, the packages' measures, the new rows,
# the release: 6); package totals, months and OPD ranking from the summary (3); vendors by
# scale and by city, TKDN and halal certificates, halal assistance (5); matching per event
# and per year (2); the realisation funnel: the OPDs' names and payment targets, one
# grouped query per stage, the BASTs' payment dates, the contracts flagged at delivery (7).
SUMMARY_REFRESH_QUERIES = 6
FIGURE_QUERIES = 1 + SUMMARY_REFRESH_QUERIES + 3 + 5 + 2 + 7
DOWNLOAD_QUERIES = 1 + 1 + FIGURE_QUERIES
# The page adds nothing: the menu's unread count comes with the user.
OFFICER_QUERIES = DOWNLOAD_QUERIES
# And the admin's filter form lists the OPDs (1).
ADMIN_QUERIES = OFFICER_QUERIES + 1


def _grow(programme, n: int = 12) -> None:
    """More OPDs, vendors and awarded packages: the counts must not move."""
    by = UserFactory()
    for i in range(n):
        opd = OfficerFactory().opd if i % 2 else programme.opd_a
        vendor = VendorFactory(scale="kecil" if i % 3 else "besar", city=f"Kota Uji {i % 4}")
        package = _package(opd, closes=programme.packages["p1"].closes_at, pagu=10 * M)
        _award(package, _bid(package, vendor, 9 * M, Decimal(i), by), Status.AWARDED)
        _contract_paid(package, vendor, by, i)


def _contract_paid(package, vendor, by, i: int) -> None:
    """A contract, its BAST and a payment: the funnel's counts must not move either."""
    from datetime import date

    from contracts.models import Contract, Handover, Invoice, Payment

    contract = Contract.objects.create(
        package=package,
        opd=package.opd,
        vendor=vendor,
        number=f"KTR/TUMBUH/{i}",
        signed_on=date(2026, 3, 1),
        value=9 * M,
        offered_tkdn_pct=Decimal(i),
        offered_tkdn_bmp_pct=Decimal(i),
        vendor_small_business=vendor.scale == "kecil",
        status="paid",
    )
    Handover.objects.create(
        contract=contract,
        number=f"BAST/TUMBUH/{i}",
        signed_on=date(2026, 3, 5),
        signed_by=by,
        signed_at=package.closes_at,
        accepted_value=9 * M,
        achieved_tkdn_pct=Decimal(i),
        achieved_tkdn_bmp_pct=Decimal(i),
    )
    invoice = Invoice.objects.create(
        contract=contract,
        number="INV",
        issued_on=date(2026, 3, 6),
        amount=9 * M,
        recorded_by=by,
        recorded_at=package.closes_at,
    )
    Payment.objects.create(
        invoice=invoice,
        paid_on=date(2026, 3, 6 + i),
        amount=9 * M,
        recorded_by=by,
        recorded_at=package.closes_at,
    )


@pytest.mark.parametrize("grow", [False, True], ids=["small", "large"])
def test_the_admin_page_has_a_fixed_number_of_queries(
    login, admin_user, programme, matching, grow, django_assert_num_queries
):
    if grow:
        _grow(programme)
    client = login(admin_user)
    with django_assert_num_queries(ADMIN_QUERIES):
        response = client.get(URL, {"year": 2026})
    assert response.status_code == 200


@pytest.mark.parametrize("grow", [False, True], ids=["small", "large"])
def test_the_officer_page_has_a_fixed_number_of_queries(
    login, officer, programme, matching, grow, django_assert_num_queries
):
    if grow:
        _grow(programme)
    client = login(officer)
    with django_assert_num_queries(OFFICER_QUERIES):
        response = client.get(URL, {"year": 2026})
    assert response.status_code == 200


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("grow", [False, True], ids=["small", "large"])
def test_the_downloads_have_a_fixed_number_of_queries(
    login, admin_user, programme, matching, grow, fmt, django_assert_num_queries
):
    if grow:
        _grow(programme)
    client = login(admin_user)
    with django_assert_num_queries(DOWNLOAD_QUERIES):
        response = client.get(URL, {"year": 2026, "format": fmt})
    assert response.status_code == 200


def test_choosing_an_opd_adds_one_query(
    login, admin_user, programme, matching, django_assert_num_queries
):
    client = login(admin_user)
    # The chosen OPD is looked up to validate it (1).
    with django_assert_num_queries(ADMIN_QUERIES + 1):
        response = client.get(URL, {"year": 2026, "opd": programme.opd_b.pk})
    assert response.status_code == 200


@pytest.mark.parametrize("fmt", ["html", "csv"])
def test_the_figures_are_computed_once_per_state_of_the_data(
    login, admin_user, programme, matching, fmt, django_assert_num_queries
):
    client = login(admin_user)
    first = client.get(URL, {"year": 2026, "format": fmt})
    # The page's form (with the OPDs) is cached too.
    extra = OFFICER_QUERIES - DOWNLOAD_QUERIES if fmt == "html" else 0
    with django_assert_num_queries(DOWNLOAD_QUERIES - FIGURE_QUERIES + extra):
        again = client.get(URL, {"year": 2026, "format": fmt})
    if fmt == "csv":
        assert again.content == first.content


def test_a_change_of_the_data_shows_on_the_next_request(login, admin_user, programme, matching):
    """The figures are cached, never stale: awarding P5 (700) shows at once."""
    client = login(admin_user)
    awarded = "Nilai kontrak/penetapan (Rp),total.awarded,"
    assert (
        awarded + "3230000000.00"
        in client.get(URL, {"year": 2026, "format": "csv"}).content.decode()
    )
    p5 = programme.packages["p5"]
    _award(p5, _bid(p5, programme.vendors["mikro"], 650 * M, Decimal("30"), admin_user), "awarded")
    after = client.get(URL, {"year": 2026, "format": "csv"}).content.decode()
    assert awarded + "3880000000.00" in after  # 3230 + 650
