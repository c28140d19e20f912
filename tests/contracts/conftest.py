"""Contracts for the contracts tests: one made through procurement's real services (the
signal path), and a quick one made from factories (an OPD's PPK, a vendor with two
certified products, a contract of two lines)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts.models import Contract, ContractLine
from procurement import services
from procurement.models import Package
from tests.factories import (
    OfficerFactory,
    PackageFactory,
    PackageItemFactory,
    ProductFactory,
    TKDNCertificateFactory,
    VendorMemberFactory,
)
from tests.procurement import conftest as procurement
from tests.procurement.conftest import lines_for, pass_all_bids, past_deadline

ppk = procurement.ppk
pokja = procurement.pokja
announced = procurement.announced
bidder = procurement.bidder
second_bidder = procurement.second_bidder


@pytest.fixture
def contracted(announced, bidder, second_bidder, ppk, pokja):
    """A package taken through bids, evaluation, award and contract: (package, winner)."""
    for user, vendor, desk, cabinet in (bidder, second_bidder):
        services.bid_submit(
            package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
        )
    past_deadline(announced)
    services.package_close(package=announced, by=pokja)
    announced.refresh_from_db()
    pass_all_bids(announced)
    services.package_winner_announce(package=announced, by=ppk)
    Package.objects.filter(pk=announced.pk).update(
        objection_ends_at=timezone.now() - timedelta(seconds=1)
    )
    announced.refresh_from_db()
    services.package_award(package=announced, by=ppk)
    services.package_contract(
        package=announced, by=ppk, number="KTR/027/DISDIK/2026", signed_on=date(2026, 3, 2)
    )
    announced.refresh_from_db()
    return announced, announced.winner


@pytest.fixture
def desk_ppk(db):
    return OfficerFactory(position="ppk").user


@pytest.fixture
def supplier():
    """(user, vendor, desk, cabinet): desk TKDN 60 + BMP 10, cabinet TKDN 30 + BMP 5."""
    member = VendorMemberFactory()
    vendor = member.vendor
    desk = ProductFactory(vendor=vendor, name="Meja belajar", kbli="31001")
    cabinet = ProductFactory(vendor=vendor, name="Lemari arsip", kbli="31001")
    TKDNCertificateFactory(
        vendor=vendor, products=[desk], tkdn_pct=Decimal("60"), bmp_pct=Decimal("10")
    )
    TKDNCertificateFactory(
        vendor=vendor, products=[cabinet], tkdn_pct=Decimal("30"), bmp_pct=Decimal("5")
    )
    return member.user, vendor, desk, cabinet


def make_contract(ppk_user, supplier_tuple, *, number="KTR/001/2026") -> Contract:
    """A signed contract of the PPK's OPD with the supplier: 100 desks at Rp1,000,000
    (TKDN 60, BMP 10) and 10 cabinets at Rp2,000,000 (TKDN 30, BMP 5); value Rp120,000,000,
    offered TKDN (100M x 60 + 20M x 30) / 120M = 55.00, TKDN + BMP 64.17."""
    _user, vendor, desk, cabinet = supplier_tuple
    opd = ppk_user.officer.opd
    package = PackageFactory(opd=opd, created_by=ppk_user, status="contracted")
    item_desk = PackageItemFactory(package=package, position=1, quantity=Decimal("100"))
    item_cabinet = PackageItemFactory(
        package=package, position=2, description="Lemari arsip", quantity=Decimal("10")
    )
    contract = Contract.objects.create(
        package=package,
        opd=opd,
        vendor=vendor,
        number=number,
        signed_on=timezone.localdate() - timedelta(days=20),
        value=Decimal("120000000"),
        offered_tkdn_pct=Decimal("55.00"),
        offered_tkdn_bmp_pct=Decimal("64.17"),
        vendor_small_business=vendor.is_umk,
    )
    for position, item, product, qty, price, tkdn, bmp in (
        (1, item_desk, desk, "100", "1000000", "60", "10"),
        (2, item_cabinet, cabinet, "10", "2000000", "30", "5"),
    ):
        ContractLine.objects.create(
            contract=contract,
            position=position,
            item=item,
            product=product,
            description=item.description,
            product_name=product.name,
            unit="unit",
            quantity=Decimal(qty),
            unit_price=Decimal(price),
            offered_tkdn_pct=Decimal(tkdn),
            offered_bmp_pct=Decimal(bmp),
            certificate_number=product.tkdn_certificates.order_by("pk").first().number,
        )
    return contract


@pytest.fixture
def contract(desk_ppk, supplier) -> Contract:
    return make_contract(desk_ppk, supplier)
