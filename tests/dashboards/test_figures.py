"""The figures against the hand-computed programme of conftest.py."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dashboards.selectors import Filters, procurement_figures, share, vendor_figures
from procurement.rules import Category, Method
from tests.dashboards.conftest import M
from tests.factories import HalalCertificateFactory, TKDNCertificateFactory, VendorFactory
from vendors.models import AssistanceStatus, CertificateStatus, HalalAssistance, HalalScheme

pytestmark = pytest.mark.django_db


def test_it_counts_planned_and_awarded_value_of_the_year(programme):
    total = procurement_figures(Filters(year=2026)).total

    assert total.packages == 5  # P1-P5: P6 cancelled, P7 of 2025
    assert total.pagu == 4500 * M
    assert total.pdn_packages == 4
    assert total.pdn_pagu == 2500 * M
    assert total.pdn_pagu_share == Decimal("55.56")  # 2500 / 4500
    assert total.awarded_packages == 4
    assert total.awarded == 3230 * M  # 880 contract + 400 bid + 1700 contract + 250 bid


def test_it_splits_the_awarded_value_by_tkdn_and_scale_of_the_winner(programme):
    total = procurement_figures(Filters(year=2026)).total

    assert total.domestic == 1530 * M  # P1, P2, P4: TKDN > 0
    assert total.domestic_share == Decimal("47.37")  # 1530 / 3230 = 47.368
    assert total.tkdn25 == 880 * M  # P1 only
    assert total.tkdn25_share == Decimal("27.24")  # 880 / 3230 = 27.244
    assert total.small == 1130 * M  # P1 mikro + P4 kecil
    assert total.small_share == Decimal("34.98")  # 1130 / 3230 = 34.984
    # (880x40 + 400x10 + 1700x0 + 250x20) / 3230 = 44200 / 3230 = 13.684
    assert total.average_tkdn == Decimal("13.68")
    assert total.domestic_met is False
    assert total.small_met is False


def test_it_ranks_opds_by_domestic_share(programme):
    opds = procurement_figures(Filters(year=2026)).opds

    assert [row.opd_id for row in opds] == [programme.opd_b.pk, programme.opd_a.pk]
    b, a = opds[0].figures, opds[1].figures
    assert (b.awarded, b.domestic_share, b.small_share, b.average_tkdn) == (
        250 * M,
        Decimal("100.00"),
        Decimal("100.00"),
        Decimal("20.00"),
    )
    assert a.awarded == 2980 * M
    assert a.domestic_share == Decimal("42.95")  # 1280 / 2980 = 42.953
    assert a.small_share == Decimal("29.53")  # 880 / 2980 = 29.530
    assert a.average_tkdn == Decimal("13.15")  # 39200 / 2980 = 13.154


def test_the_months_add_up_to_the_year(programme):
    figures = procurement_figures(Filters(year=2026))

    assert [m.month for m in figures.months] == [2, 5, 8, 11]
    assert sum(m.figures.awarded for m in figures.months) == figures.total.awarded
    assert sum(m.figures.pagu for m in figures.months) == figures.total.pagu
    may = figures.months[1]
    assert (may.figures.awarded, may.bar) == (2100 * M, 100)
    assert figures.months[0].bar == 42  # 880 / 2100


@pytest.mark.parametrize(
    ("filters", "awarded", "domestic_share"),
    [
        ({"quarter": 2}, 2100 * M, Decimal("19.05")),  # P2 + P3: 400 / 2100
        ({"category": Category.CONSTRUCTION}, 1700 * M, Decimal("0.00")),
        ({"method": Method.E_PURCHASING}, 400 * M, Decimal("100.00")),
        ({"quarter": 4}, Decimal("0"), None),  # P5 has no winner yet
    ],
)
def test_it_filters_by_quarter_category_and_method(programme, filters, awarded, domestic_share):
    total = procurement_figures(Filters(year=2026, **filters)).total

    assert total.awarded == awarded
    assert total.domestic_share == domestic_share


def test_it_filters_by_opd(programme):
    total = procurement_figures(Filters(year=2026, opd_id=programme.opd_b.pk)).total

    assert (total.packages, total.awarded, total.small_share) == (1, 250 * M, Decimal("100.00"))


def test_shares_round_half_up_and_are_none_of_nothing():
    assert share(Decimal("1"), Decimal("8")) == Decimal("12.50")
    assert share(1, 200) == Decimal("0.50")
    assert share(Decimal("1"), Decimal("0.0008")) == Decimal("125000.00")
    assert share(5, 0) is None


def test_it_counts_vendors_certificates_and_halal_assistance(db):
    today = timezone.localdate()
    mikro = VendorFactory(scale="mikro", city="Kota Jakarta Barat")
    VendorFactory(scale="mikro", city="Kota Jakarta Barat", status="pending", verified_at=None)
    VendorFactory(scale="besar", city="Kota Bekasi")
    TKDNCertificateFactory(vendor=mikro, expires_on=today + timedelta(days=30))
    TKDNCertificateFactory(vendor=mikro, expires_on=today + timedelta(days=31))
    TKDNCertificateFactory(vendor=mikro, expires_on=today + timedelta(days=400))
    TKDNCertificateFactory(
        vendor=mikro, expires_on=today + timedelta(days=5), status=CertificateStatus.PENDING
    )
    TKDNCertificateFactory(vendor=mikro, expires_on=today - timedelta(days=1))
    HalalCertificateFactory(vendor=mikro, expires_on=today + timedelta(days=90))
    HalalCertificateFactory(vendor=mikro)
    for status in (
        AssistanceStatus.UNDER_REVIEW,
        AssistanceStatus.UNDER_REVIEW,
        AssistanceStatus.SUBMITTED,
    ):
        HalalAssistance.objects.create(vendor=mikro, scheme=HalalScheme.SELF_DECLARE, status=status)

    figures = vendor_figures()

    assert (figures.registered, figures.verified) == (3, 2)
    scales = {row.key: (row.total, row.verified) for row in figures.scales}
    assert scales == {"mikro": (2, 1), "kecil": (0, 0), "menengah": (0, 0), "besar": (1, 1)}
    assert [(r.label, r.total, r.verified) for r in figures.cities] == [
        ("Kota Jakarta Barat", 2, 1),
        ("Kota Bekasi", 1, 1),
    ]
    tkdn, halal = figures.certificates
    assert (tkdn.verified, tkdn.expiring) == (4, {30: 1, 90: 2})
    assert (halal.verified, halal.expiring) == (2, {30: 0, 90: 1})
    assistance = {row.key: row.total for row in figures.assistance}
    assert assistance["under_review"] == 2
    assert assistance["submitted"] == 1
    assert figures.assistance_total == 3


def test_the_totals_match_the_underlying_package_list(programme):
    """The same packages, summed one by one in Python, give the dashboard's totals."""
    from dashboards.selectors import scoped_packages

    filters = Filters(year=2026)
    packages = list(scoped_packages(filters).select_related("winner__vendor"))
    awarded = [p for p in packages if p.status in ("awarded", "contracted") and p.winner]
    value = {p.pk: p.contract_value or p.winner.price for p in awarded}
    total = procurement_figures(filters).total

    assert {p.rup_code for p in packages} == {
        programme.packages[k].rup_code for k in ("p1", "p2", "p3", "p4", "p5")
    }
    assert total.pagu == sum(p.pagu for p in packages)
    assert total.awarded == sum(value.values())
    assert total.domestic == sum(value[p.pk] for p in awarded if p.winner.tkdn_pct > 0)
    assert total.small == sum(
        value[p.pk] for p in awarded if p.winner.vendor.scale in ("mikro", "kecil")
    )
