"""Contracts, BASTs and payments on top of the hand-computed programme (tests/dashboards/
conftest.py), for the realisation funnel. Millions of Rupiah in the comments.

| pkg | reserved | contract                | BAST                          | payments          |
| P1  | yes      | C1 880, TKDN 40, UMK    | 2 Mar, accepted 880, TKDN 20  | 500 (10 Mar),     |
|     |          |                         |                               | 380 (12 Mar): paid |
| P2  | yes      | -                       | -                             | -                 |
| P3  | no       | C3 1700, TKDN 0, large  | 1 Jun, accepted 1700, TKDN 0  | 1000 (1 Jul)      |
| P4  | yes      | -                       | -                             | -                 |
| P5  | no       | -                       | -                             | -                 |
Planned 4500 (PDN 2500 = 55.56%, reserved 1800 = 40.00%); contracted 2580 (TKDN > 0 880 =
34.11%, TKDN >= 25 880 = 34.11%, UMK 880 = 34.11%, 57.33% of the pagu); delivered 2580
(achieved TKDN > 0 880 = 34.11%, >= 25 none, UMK 34.11%); paid 1880 (TKDN > 0 880 = 46.81%,
>= 25 none, UMK 46.81%, 41.78% of the pagu). OPD A: one contract paid, median 10 days; its one
UMK contract paid within 15 days: 100%. OPD B has no BAST.
Flags at delivery: C1 achieved 20 against 40 offered, 20 points of 880 = 176 short; C3's
certificate lapsed before its delivery (no value). Both are OPD A's; C3 is construction.
"""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from contracts.models import (
    Contract,
    ContractFlag,
    ContractStatus,
    FlagKind,
    Handover,
    Invoice,
    Payment,
)
from procurement.models import Package
from tests.factories import UserFactory

M = Decimal("1000000")
JAKARTA = ZoneInfo("Asia/Jakarta")


def _contract(package, vendor, *, value, tkdn, small, status, number):
    return Contract.objects.create(
        package=package,
        opd=package.opd,
        vendor=vendor,
        number=number,
        signed_on=package.closes_at.date(),
        value=value,
        offered_tkdn_pct=tkdn,
        offered_tkdn_bmp_pct=tkdn,
        vendor_small_business=small,
        status=status,
    )


def _handover(contract, *, on, accepted, tkdn, by):
    return Handover.objects.create(
        contract=contract,
        number=f"BAST/UJI/{contract.pk}",
        signed_on=on,
        signed_by=by,
        signed_at=datetime.combine(on, time(10), tzinfo=JAKARTA),
        accepted_value=accepted,
        achieved_tkdn_pct=tkdn,
        achieved_tkdn_bmp_pct=tkdn,
    )


def _pay(contract, by, *terms):
    invoice = Invoice.objects.create(
        contract=contract,
        number=f"INV/{contract.pk}",
        issued_on=terms[0][0],
        amount=sum((amount for _on, amount in terms), Decimal("0")),
        recorded_by=by,
        recorded_at=datetime.combine(terms[0][0], time(10), tzinfo=JAKARTA),
    )
    for on, amount in terms:
        Payment.objects.create(
            invoice=invoice,
            paid_on=on,
            amount=amount,
            tax_withheld=amount / 100,
            recorded_by=by,
            recorded_at=datetime.combine(on, time(10), tzinfo=JAKARTA),
        )


def build_funnel(programme) -> dict[str, Contract]:
    by = UserFactory()
    p = programme.packages
    Package.objects.filter(pk__in=[p["p3"].pk, p["p5"].pk]).update(
        reserved_for_small_business=False
    )
    Package.objects.filter(pk__in=[p["p1"].pk, p["p2"].pk, p["p4"].pk]).update(
        reserved_for_small_business=True
    )
    c1 = _contract(
        p["p1"],
        programme.vendors["mikro"],
        value=880 * M,
        tkdn=Decimal("40"),
        small=True,
        status=ContractStatus.PAID,
        number="KTR/P1",
    )
    _handover(c1, on=date(2026, 3, 2), accepted=880 * M, tkdn=Decimal("20"), by=by)
    _pay(c1, by, (date(2026, 3, 10), 500 * M), (date(2026, 3, 12), 380 * M))
    c3 = _contract(
        p["p3"],
        programme.vendors["besar"],
        value=1700 * M,
        tkdn=Decimal("0"),
        small=False,
        status=ContractStatus.HANDED_OVER,
        number="KTR/P3",
    )
    _handover(c3, on=date(2026, 6, 1), accepted=1700 * M, tkdn=Decimal("0"), by=by)
    _pay(c3, by, (date(2026, 7, 1), 1000 * M))
    raised = datetime.combine(date(2026, 6, 1), time(10), tzinfo=JAKARTA)
    ContractFlag.objects.create(
        contract=c1,
        kind=FlagKind.TKDN_SHORTFALL,
        shortfall_pct=Decimal("20"),
        shortfall_value=176 * M,
        raised_at=raised,
    )
    ContractFlag.objects.create(contract=c3, kind=FlagKind.CERTIFICATE_LAPSED, raised_at=raised)
    return {"c1": c1, "c3": c3}
