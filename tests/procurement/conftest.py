"""A goods package of one OPD with two items, its PPK and pokja, and two verified small
vendors with certified products: the cast of the procurement tests."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from procurement import services
from procurement.models import Package, RunStatus
from procurement.rules import Status
from tests.factories import (
    OfficerFactory,
    PackageFactory,
    PackageItemFactory,
    ProductFactory,
    TKDNCertificateFactory,
    VendorMemberFactory,
)


@pytest.fixture
def ppk(db):
    return OfficerFactory(position="ppk").user


@pytest.fixture
def pokja(ppk):
    return OfficerFactory(opd=ppk.officer.opd, position="pokja").user


@pytest.fixture
def announced(ppk):
    # HPS = 1,000 x 1,200,000 + 50 x 3,000,000 = 1,350,000,000: both bidders below it.
    package = PackageFactory(
        opd=ppk.officer.opd,
        created_by=ppk,
        status=Status.ANNOUNCED,
        hps=Decimal("1350000000"),
    )
    PackageItemFactory(
        package=package, position=1, quantity=Decimal("1000"), hps_unit_price=Decimal("1200000")
    )
    PackageItemFactory(
        package=package,
        position=2,
        description="Lemari arsip",
        quantity=Decimal("50"),
        unit="unit",
        hps_unit_price=Decimal("3000000"),
    )
    return package


def _bidder(tkdn: str, bmp: str, price_1: str, price_2: str, cabinet_tkdn="21.00", cabinet_bmp="3"):
    member = VendorMemberFactory()
    vendor = member.vendor
    # Furniture, as the package's items (KBLI 31001): no KBLI warning on their bids.
    desk = ProductFactory(
        vendor=vendor, name=f"Meja {vendor.pk}", unit_price=Decimal(price_1), kbli="31001"
    )
    cabinet = ProductFactory(
        vendor=vendor, name=f"Lemari {vendor.pk}", unit_price=Decimal(price_2), kbli="31001"
    )
    TKDNCertificateFactory(
        vendor=vendor, products=[desk], tkdn_pct=Decimal(tkdn), bmp_pct=Decimal(bmp)
    )
    TKDNCertificateFactory(
        vendor=vendor,
        products=[cabinet],
        tkdn_pct=Decimal(cabinet_tkdn),
        bmp_pct=Decimal(cabinet_bmp),
    )
    return member.user, vendor, desk, cabinet


@pytest.fixture
def bidder():
    return _bidder("71.30", "12", "1150000", "2750000")


@pytest.fixture
def second_bidder():
    return _bidder("40.00", "5", "1100000", "2900000")


def lines_for(package: Package, desk, cabinet, desk_price="1150000", cabinet_price="2750000"):
    first, second = package.items.order_by("position")
    return [
        services.LineInput(item=first, product=desk, unit_price=Decimal(desk_price)),
        services.LineInput(
            item=second,
            product=cabinet,
            unit_price=Decimal(cabinet_price),
        ),
    ]


def past_deadline(package: Package) -> None:
    """Move the deadline into the past (the database clock decides, not the test's)."""
    Package.objects.filter(pk=package.pk).update(
        opens_at=timezone.now() - timedelta(days=8), closes_at=timezone.now() - timedelta(seconds=1)
    )
    package.refresh_from_db()


def evaluate_now(package: Package) -> None:
    """Run the package's queued evaluations here and now, as a worker would (closing queues
    one; in tests nothing is committed, so nothing else runs it)."""
    for run in package.evaluation_runs.filter(status=RunStatus.QUEUED).order_by("pk"):
        services.evaluation_execute(run_id=run.pk)
    package.refresh_from_db()


def pass_all_bids(package: Package, by=None) -> None:
    """The pokja passes every opened bid still without a verdict on every requirement, and
    accepts the clarification of each price under 80% of the HPS; the runs this queues
    then rank again: a final ranking, as the winner announcement needs."""
    from procurement.evaluation import is_unreasonably_low
    from procurement.models import BidStatus, Officer

    evaluate_now(package)
    if by is None:
        officer = Officer.objects.filter(
            opd=package.opd, position__in=("pokja", "pejabat_pengadaan")
        ).first()
        by = (officer or OfficerFactory(opd=package.opd, position="pokja")).user
    for bid in package.bids.filter(
        status=BidStatus.ACTIVE, opened_at__isnull=False, verdict__isnull=True
    ):
        services.bid_verdict_record(package=package, bid=bid, by=by, passed=True)
        if is_unreasonably_low(bid.price, package.hps):
            services.bid_clarification_record(
                package=package, bid=bid, by=by, accepted=True, reason="Rincian biaya wajar."
            )
    evaluate_now(package)


def item_input(quantity="1000", price="1200000") -> services.ItemInput:
    """One line of a package as the officer's form gives it to the services."""
    return services.ItemInput(
        "Meja belajar siswa", "31001", Decimal(quantity), "unit", Decimal(price)
    )


def package_fields(**changes) -> dict:
    """The terms of a package as the officer's form gives them to the services."""
    now = timezone.now()
    return {
        "rup_code": "47110234",
        "title": "Pengadaan meja belajar SD",
        "description": "",
        "fiscal_year": 2026,
        "category": "goods",
        "method": "tender",
        "pagu": Decimal("1500000000"),
        "pdn": True,
        "min_tkdn_pct": None,
        "halal_required": False,
        "reservation_exception_reason": "",
        "max_preference_pct": Decimal("25"),
        "opens_at": now,
        "closes_at": now + timedelta(days=7),
        **changes,
    }
