"""The dashboard's summary table (dashboards.models.PackageSummary) against the packages:
the figures summed from it equal, digit for digit and scale for scale, the same measures
aggregated over the packages themselves (what the dashboard computed before the summary),
for every filter and after every kind of write that changes them."""

from dataclasses import fields
from datetime import datetime
from decimal import Decimal
from itertools import product

import pytest
from django.db.models.functions import ExtractMonth

from dashboards import summary
from dashboards.models import PackageSummary, StaleSummary
from dashboards.selectors import (
    Filters,
    Realisation,
    package_measures,
    procurement_figures,
    scoped_packages,
)
from procurement.models import Bid, Package
from procurement.rules import Category, Method, Status
from tests.dashboards.conftest import JAKARTA, M, _award, _bid, _package
from tests.factories import OfficerFactory, UserFactory, VendorFactory
from vendors.models import Vendor

pytestmark = pytest.mark.django_db


def _realisation(row: dict) -> Realisation:
    return Realisation(**{f.name: row[f"m_{f.name}"] for f in fields(Realisation)})


def _direct(filters: Filters) -> tuple:
    """The figures aggregated over the packages, as the dashboard did before the summary."""
    packages = scoped_packages(filters)
    total = _realisation(packages.aggregate(**package_measures()))
    months = {
        row["month"]: _realisation(row)
        for row in packages.annotate(month=ExtractMonth("closes_at"))
        .values("month")
        .annotate(**package_measures())
        .order_by("month")
    }
    opds = {
        row["opd_id"]: _realisation(row)
        for row in packages.values("opd_id").annotate(**package_measures()).order_by()
    }
    return total, months, opds


def _exact(figures: Realisation) -> dict[str, str]:
    """Every measure as text: 0 and 0.00 differ in a download, so the scale must match too."""
    return {f.name: str(getattr(figures, f.name)) for f in fields(Realisation)}


def _assert_same(filters: Filters) -> None:
    from_summary = procurement_figures(filters)
    total, months, opds = _direct(filters)
    assert _exact(from_summary.total) == _exact(total), filters
    assert {m.month: _exact(m.figures) for m in from_summary.months} == {
        month: _exact(figures) for month, figures in months.items()
    }, filters
    assert {o.opd_id: _exact(o.figures) for o in from_summary.opds} == {
        opd_id: _exact(figures) for opd_id, figures in opds.items()
    }, filters


@pytest.fixture
def edges(programme):
    """The programme, plus every case a measure treats apart: a winner in the objection
    period (not awarded yet), a winning bid without price or TKDN, TKDN exactly 25, a
    menengah and a besar winner, a contract value of zero, packages closing on either side
    of a month's and a quarter's end in Jakarta time (UTC is seven hours behind), another
    fiscal year, and an OPD with nothing awarded."""
    by = UserFactory()
    opd_a, opd_b = programme.opd_a, programme.opd_b
    opd_c = OfficerFactory().opd
    menengah = VendorFactory(scale="menengah")
    vendors = programme.vendors

    def at(year, month, day, hour, minute=0):
        return datetime(year, month, day, hour, minute, tzinfo=JAKARTA)

    cases = [
        # (opd, closes, pagu, fields, winner vendor, price, tkdn, status, contract value)
        (opd_a, at(2026, 3, 31, 23, 30), 10, {}, vendors["kecil"], 9, "25", Status.AWARDED, None),
        (opd_a, at(2026, 4, 1, 0, 30), 20, {}, menengah, 19, "24.99", Status.CONTRACTED, 18),
        (opd_b, at(2026, 6, 30, 23, 59), 30, {}, vendors["besar"], 29, None, Status.AWARDED, None),
        (opd_b, at(2026, 7, 1, 6, 0), 40, {}, vendors["mikro"], None, "50", Status.AWARDED, None),
        (opd_b, at(2026, 9, 1, 8, 0), 50, {}, vendors["mikro"], 45, "60", Status.OBJECTION, None),
        (opd_a, at(2026, 12, 31, 23, 0), 60, {}, vendors["kecil"], 55, "30", Status.CONTRACTED, 0),
        (
            opd_c,
            at(2026, 1, 1, 0, 15),
            70,
            {"pdn": False},
            None,
            None,
            None,
            Status.ANNOUNCED,
            None,
        ),
        (
            opd_c,
            at(2026, 10, 5, 9, 0),
            80,
            {"category": Category.CONSULTANCY, "method": Method.DIRECT_PROCUREMENT},
            vendors["besar"],
            75,
            "0",
            Status.FAILED,
            None,
        ),
        (
            opd_a,
            at(2025, 12, 31, 23, 30),
            90,
            {"fiscal_year": 2025},
            menengah,
            85,
            "45",
            Status.AWARDED,
            None,
        ),
    ]
    for opd, closes, pagu, extra, vendor, price, tkdn, status, contract in cases:
        package = _package(opd, closes=closes, pagu=pagu * M, **extra)
        if vendor is None:
            Package.objects.filter(pk=package.pk).update(status=status)
            continue
        bid = _bid(
            package,
            vendor,
            None if price is None else price * M,
            None if tkdn is None else Decimal(tkdn),
            by,
        )
        _award(package, bid, status, None if contract is None else contract * M)
    return programme


FILTERS = [
    Filters(year=year, opd_id=opd, category=category, method=method, quarter=quarter)
    for year, opd, category, method, quarter in product(
        (2025, 2026, 2027),
        ("none", "a", "b"),
        ("", Category.GOODS, Category.CONSTRUCTION),
        ("", Method.TENDER),
        (None, 1, 2, 3, 4),
    )
]


def _filters(programme, f: Filters) -> Filters:
    opd = {"none": None, "a": programme.opd_a.pk, "b": programme.opd_b.pk}[f.opd_id]
    return Filters(f.year, opd, f.category, f.method, f.quarter)


def test_every_filter_gives_the_figures_of_the_packages(edges):
    for f in FILTERS:
        _assert_same(_filters(edges, f))


def _check_all(programme) -> None:
    for year, opd in product((2025, 2026), (None, programme.opd_a.pk, programme.opd_b.pk)):
        for quarter in (None, 2):
            _assert_same(Filters(year=year, opd_id=opd, quarter=quarter))


def _winner(programme, key: str) -> int:
    return Package.objects.get(pk=programme.packages[key].pk).winner_id


def _change_winner_price(programme):
    Bid.objects.filter(pk=_winner(programme, "p4")).update(price=260 * M)


def _change_winner_tkdn(programme):
    bid = Bid.objects.get(pk=_winner(programme, "p2"))
    bid.tkdn_pct = Decimal("30")
    bid.save()


def _change_scale(programme):
    Vendor.objects.filter(pk=programme.vendors["besar"].pk).update(scale="kecil")


def _change_scale_by_save(programme):
    vendor = Vendor.objects.get(pk=programme.vendors["mikro"].pk)
    vendor.scale = "menengah"
    vendor.save()


def _award_p5(programme):
    p5 = programme.packages["p5"]
    _award(
        p5, _bid(p5, programme.vendors["mikro"], 650 * M, Decimal("30"), UserFactory()), "awarded"
    )


def _contract(programme):
    Package.objects.filter(pk=programme.packages["p2"].pk).update(
        status=Status.CONTRACTED, contract_value=390 * M
    )


def _cancel(programme):
    package = Package.objects.get(pk=programme.packages["p4"].pk)
    package.status = Status.CANCELLED
    package.cancel_reason = "Batal."
    package.save()


def _move(programme):
    """Another OPD and fiscal year: the groups it leaves are recomputed too."""
    Package.objects.filter(pk=programme.packages["p1"].pk).update(
        opd=programme.opd_b, fiscal_year=2025
    )


def _reschedule(programme):
    Package.objects.filter(pk=programme.packages["p2"].pk).update(
        closes_at=datetime(2026, 12, 1, 9, 0, tzinfo=JAKARTA)
    )


def _delete(programme):
    Package.objects.filter(pk=programme.packages["p5"].pk).delete()


def _create(programme):
    _package(programme.opd_b, closes=datetime(2026, 2, 2, 9, 0, tzinfo=JAKARTA), pagu=5 * M)


@pytest.mark.parametrize(
    "change",
    [
        _change_winner_price,
        _change_winner_tkdn,
        _change_scale,
        _change_scale_by_save,
        _award_p5,
        _contract,
        _cancel,
        _move,
        _reschedule,
        _delete,
        _create,
    ],
)
def test_a_write_shows_in_the_next_read(edges, change):
    _check_all(edges)  # the summary is up to date, nothing stale
    assert not StaleSummary.objects.exists()
    before = procurement_figures(Filters(year=2026))
    change(edges)
    assert StaleSummary.objects.exists()  # marked in the writing transaction
    _check_all(edges)
    assert procurement_figures(Filters(year=2026)) != before


def test_a_write_that_changes_no_figure_marks_nothing(edges):
    _check_all(edges)
    winners = Package.objects.filter(winner__isnull=False).values("winner_id")
    loser = Bid.objects.exclude(pk__in=winners).first()
    Bid.objects.filter(pk=loser.pk).update(price=1 * M)
    Vendor.objects.filter(pk=edges.vendors["besar"].pk).update(name="Nama Baru")
    assert not StaleSummary.objects.exists()


def test_refresh_recomputes_only_the_marked_groups(edges, django_assert_num_queries):
    summary.refresh()
    other = PackageSummary.objects.filter(opd=edges.opd_b).order_by("pk")
    kept = list(other.values_list("pk", flat=True))
    Package.objects.filter(pk=edges.packages["p2"].pk).update(pagu=501 * M)
    assert list(StaleSummary.objects.values_list("fiscal_year", "opd_id")) == [
        (2026, edges.opd_a.pk)
    ]
    assert summary.refresh() == 1
    assert list(other.values_list("pk", flat=True)) == kept  # OPD B's rows untouched
    with django_assert_num_queries(1):  # nothing stale: one look
        assert summary.refresh() == 0


def test_an_empty_year_sums_to_zero(edges):
    figures = procurement_figures(Filters(year=2030))
    assert figures.total == Realisation()
    assert figures.months == [] and figures.opds == []
