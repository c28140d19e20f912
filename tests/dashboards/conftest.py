"""A hand-computed programme: five packages of 2026 with known winners (and two that must not
count), so that every share on the dashboard can be checked to the cent. Amounts in
millions of Rupiah in the comments.

| pkg | OPD | category     | method   | closes | pdn | pagu | status     | winner      | value  |
| P1  | A   | goods        | tender   | Feb    | yes | 1000 | contracted | mikro, 40%  | 880 c  |
| P2  | A   | goods        | e-purch. | May    | yes |  500 | awarded    | besar, 10%  | 400 b  |
| P3  | A   | construction | tender   | May    | no  | 2000 | contracted | besar, 0%   | 1700 c |
| P4  | B   | goods        | tender   | Aug    | yes |  300 | awarded    | kecil, 20%  | 250 b  |
| P5  | A   | goods        | tender   | Nov    | yes |  700 | announced  | -           | -      |
(c: contract value, P1's winning bid being 900; b: winning bid price.) P6 of OPD A is
cancelled (999) and P7 is of fiscal year 2025: neither counts.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from procurement.models import OPD, Bid, Package
from procurement.rules import Category, Method, Status
from tests.factories import OfficerFactory, PackageFactory, UserFactory, VendorFactory

JAKARTA = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 9, 15, 10, 0, tzinfo=JAKARTA)
M = Decimal("1000000")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _at(month: int, day: int) -> datetime:
    return datetime.combine(date(2026, month, day), time(10), tzinfo=JAKARTA)


@dataclass
class Programme:
    opd_a: OPD
    opd_b: OPD
    packages: dict[str, Package]
    vendors: dict[str, object]


def _bid(package, vendor, price, tkdn, by) -> Bid:
    return Bid.objects.create(
        package=package,
        vendor=vendor,
        version=1,
        submitted_by=by,
        submitted_at=package.opens_at,
        sealed_content=b"",
        receipt_hash="0" * 64,
        opened_at=package.closes_at,
        price=price,
        tkdn_pct=tkdn,
        tkdn_bmp_pct=tkdn,
    )


def _package(opd, *, closes, pagu, **fields) -> Package:
    return PackageFactory(
        opd=opd,
        pagu=pagu,
        hps=pagu,
        opens_at=closes - timedelta(days=7),
        closes_at=closes,
        **fields,
    )


def _award(package, bid, status, contract_value=None) -> None:
    Package.objects.filter(pk=package.pk).update(
        winner=bid, status=status, contract_value=contract_value
    )


@pytest.fixture
def officer(db):
    return OfficerFactory().user


@pytest.fixture
def programme(officer) -> Programme:
    opd_a = officer.opd_officer.opd
    opd_b = OfficerFactory().opd
    by = UserFactory()
    vendors = {
        "mikro": VendorFactory(scale="mikro", city="Kota Jakarta Timur"),
        "kecil": VendorFactory(scale="kecil", city="Kota Jakarta Timur"),
        "besar": VendorFactory(scale="besar", city="Kota Jakarta Selatan"),
    }
    p1 = _package(opd_a, closes=_at(2, 10), pagu=1000 * M)
    p2 = _package(opd_a, closes=_at(5, 5), pagu=500 * M, method=Method.E_PURCHASING)
    p3 = _package(
        opd_a, closes=_at(5, 20), pagu=2000 * M, pdn=False, category=Category.CONSTRUCTION
    )
    p4 = _package(opd_b, closes=_at(8, 1), pagu=300 * M)
    p5 = _package(opd_a, closes=_at(11, 1), pagu=700 * M, status=Status.ANNOUNCED)
    p6 = _package(
        opd_a, closes=_at(3, 1), pagu=999 * M, status=Status.CANCELLED, cancel_reason="Batal."
    )
    p7 = _package(opd_a, closes=_at(3, 1), pagu=999 * M, fiscal_year=2025)
    _bid(p1, vendors["besar"], 850 * M, Decimal("5"), by)  # the loser: never counted
    _award(p1, _bid(p1, vendors["mikro"], 900 * M, Decimal("40"), by), Status.CONTRACTED, 880 * M)
    _award(p2, _bid(p2, vendors["besar"], 400 * M, Decimal("10"), by), Status.AWARDED)
    _award(p3, _bid(p3, vendors["besar"], 1800 * M, Decimal("0"), by), Status.CONTRACTED, 1700 * M)
    _award(p4, _bid(p4, vendors["kecil"], 250 * M, Decimal("20"), by), Status.AWARDED)
    _award(p7, _bid(p7, vendors["mikro"], 999 * M, Decimal("90"), by), Status.CONTRACTED, 999 * M)
    return Programme(
        opd_a,
        opd_b,
        {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5, "p6": p6, "p7": p7},
        vendors,
    )


@pytest.fixture
def matching(programme, officer):
    """One event of 2026: OPD A's buyer meets the mikro vendor (interest of 300 that became
    P1, which the vendor won) and another exhibitor (no interest); OPD B's buyer meets the
    mikro vendor (interest of 50, no package) and is declined by the other one."""
    from matching.models import FollowUp, MeetingStatus, Outcome
    from tests.factories import VendorMemberFactory
    from tests.matching.factories import (
        buyer_create,
        event_create,
        exhibitor_create,
        meeting_create,
    )

    event = event_create(name="Temu Bisnis Uji 2026")
    buyer_a = buyer_create(event, officer=officer.opd_officer)
    buyer_b = buyer_create(event, officer=OfficerFactory(opd=programme.opd_b))
    exhibitor = exhibitor_create(
        event, member=VendorMemberFactory(vendor=programme.vendors["mikro"])
    )
    other = exhibitor_create(event)
    for buyer, seller, interest, value, package in [
        (buyer_a, exhibitor, True, 300 * M, programme.packages["p1"]),
        (buyer_a, other, False, None, None),
        (buyer_b, exhibitor, True, 50 * M, None),
    ]:
        meeting = meeting_create(buyer, seller, status=MeetingStatus.HELD)
        Outcome.objects.create(
            meeting=meeting,
            interest=interest,
            estimated_value=value,
            package=package,
            follow_up=FollowUp.PACKAGE if package else FollowUp.NONE,
            recorded_by=officer,
        )
    meeting_create(buyer_b, other, status=MeetingStatus.DECLINED)
    return event
