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
    package = PackageFactory(opd=ppk.officer.opd, created_by=ppk, status=Status.ANNOUNCED)
    PackageItemFactory(
        package=package, position=1, quantity=Decimal("1000"), hps_unit_price=Decimal("1000000")
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
    desk = ProductFactory(vendor=vendor, name=f"Meja {vendor.pk}", unit_price=Decimal(price_1))
    cabinet = ProductFactory(vendor=vendor, name=f"Lemari {vendor.pk}", unit_price=Decimal(price_2))
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
        services.LineInput(
            item=first, product=desk, quantity=first.quantity, unit_price=Decimal(desk_price)
        ),
        services.LineInput(
            item=second,
            product=cabinet,
            quantity=second.quantity,
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
