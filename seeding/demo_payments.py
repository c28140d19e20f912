"""Demo payments after the BAST, through the real services: the PPKUKM batik uniforms handed
over 12 days ago and paid by the Bendahara within the OPD's 15-day target; the posyandu
shrimp crackers handed over 40 days ago and paid 30 days after their BAST (late); the Disdik
chairs and cabinets (handed over in seeding/demo_contracts.py) invoiced in full and paid in
part, a first term. Loading twice changes nothing."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from contracts import payments, services
from contracts.models import Contract
from contracts.services import DeliveryLineInput, RatingInput
from procurement.models import Package
from seeding.demo_contracts import demo_contract, demo_user

DOMAIN = "demo.p3dn.id"
ON_TIME_RUP_CODE = "48210009"  # Dinas PPKUKM: batik uniforms
LATE_RUP_CODE = "48210010"  # Dinkes: shrimp crackers
PARTLY_PAID_RUP_CODE = "48210008"  # Disdik: chairs and cabinets, handed over already
TAX_RATE = Decimal("0.015")  # PPh 22, as the treasurer withholds it on goods


def _hand_over(contract: Contract, *, ppk: User, days_ago: int) -> None:
    """Signed that many days ago (the demo moves the contract's date back to make room),
    everything delivered and accepted, the vendor rated well."""
    day = timezone.localdate() - timedelta(days=days_ago)
    Contract.objects.filter(pk=contract.pk).update(signed_on=day - timedelta(days=10))
    Package.objects.filter(pk=contract.package_id).update(
        contract_signed_on=day - timedelta(days=10)
    )
    contract.refresh_from_db()
    services.delivery_record(
        contract=contract,
        by=ppk,
        delivered_on=day,
        lines=[
            DeliveryLineInput(line, line.quantity, line.quantity) for line in contract.lines.all()
        ],
        note="Diperiksa: jumlah dan mutu sesuai kontrak.",
    )
    services.handover_sign(contract=contract, by=ppk, signed_on=day, rating=RatingInput(4, 4, 4, 4))


def _pay(contract: Contract, *, by: User, invoice_days_ago: int, terms: list[tuple[int, Decimal]]):
    contract.refresh_from_db()
    today = timezone.localdate()
    invoice = payments.invoice_record(
        contract=contract,
        number=f"INV/{contract.vendor_id}/{contract.pk}",
        issued_on=today - timedelta(days=invoice_days_ago),
        amount=contract.value,
        by=by,
    )
    for days_ago, share in terms:
        amount = (contract.value * share).quantize(Decimal("1"))
        payments.payment_record(
            invoice=invoice,
            paid_on=today - timedelta(days=days_ago),
            amount=amount,
            tax_withheld=(amount * TAX_RATE).quantize(Decimal("1")),
            by=by,
        )


def load() -> None:
    on_time = demo_contract(ON_TIME_RUP_CODE)
    if on_time is not None and not on_time.invoices.exists():
        _hand_over(on_time, ppk=demo_user("ppk.ppkukm"), days_ago=12)
        # BAST 12 days ago, paid 7 days after it: within the 15-day target.
        _pay(
            on_time, by=demo_user("bendahara.ppkukm"), invoice_days_ago=11, terms=[(5, Decimal(1))]
        )
    late = demo_contract(LATE_RUP_CODE)
    if late is not None and not late.invoices.exists():
        _hand_over(late, ppk=demo_user("ppk.dinkes"), days_ago=40)
        # BAST 40 days ago, paid 30 days after it: past the target.
        _pay(late, by=demo_user("ppk.dinkes"), invoice_days_ago=38, terms=[(10, Decimal(1))])
    partly = demo_contract(PARTLY_PAID_RUP_CODE)
    if partly is not None and hasattr(partly, "handover") and not partly.invoices.exists():
        # Handed over today: invoiced in full, a first term of 60% paid today.
        _pay(partly, by=demo_user("ppk.disdik"), invoice_days_ago=0, terms=[(0, Decimal("0.6"))])
