"""Invoices and payments against the BAST (domain brief, "After the contract": payment follows
the BAST against the vendor's invoice, the treasurer withholds the tax). The PPK or the
Bendahara of the contract's OPD records them; several payments (terms) per contract, never more
than the contract value in total; the contract is paid (`Lunas`) when the balance reaches
zero. Every write is audited and the vendor's users hear of it."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import services as account_services
from accounts.models import User
from audit import services as audit
from audit.models import AuditAction
from contracts import payment_rules, services
from contracts.models import Contract, ContractStatus, Invoice, Payment

# Positions (procurement.models.Position values) that record invoices and payments.
PAYMENT_POSITIONS = frozenset({"ppk", "bendahara"})

POSITION_NOT_ALLOWED = _(
    "Hanya PPK atau Bendahara OPD yang mencatat tagihan dan pembayaran (jabatan Anda: {position})."
)
RECORDERS_ONLY = _("Hanya PPK atau Bendahara OPD kontrak ini yang mencatat tagihan dan pembayaran.")
NO_BAST = _("Pembayaran mengikuti serah terima: catat tagihan dan pembayaran setelah BAST.")
DATE_BEFORE_BAST = _("Tanggal tidak boleh sebelum tanggal BAST ({bast}).")
PAID_BEFORE_INVOICE = _("Tanggal bayar tidak boleh sebelum tanggal tagihan ({issued}).")
NUMBER_TAKEN = _("Nomor tagihan {number} sudah dicatat untuk kontrak ini.")
INVOICES_ABOVE_VALUE = _("Jumlah tagihan melebihi sisa nilai kontrak yang belum ditagih ({left}).")
PAYMENT_ABOVE_BALANCE = _(
    "Pembayaran melebihi sisa kontrak: sisa yang belum dibayar {balance}. Total pembayaran "
    "tidak boleh melebihi nilai kontrak."
)
PAYMENT_ABOVE_INVOICE = _("Pembayaran melebihi sisa tagihan {number}: {left}.")
AMOUNT_NOT_POSITIVE = _("Jumlah harus lebih dari nol.")
TAX_NEGATIVE = _("Pajak yang dipotong tidak boleh negatif.")
TAX_ABOVE_AMOUNT = _("Pajak yang dipotong tidak boleh melebihi jumlah bruto.")

_PROBLEMS = {
    "not_positive": AMOUNT_NOT_POSITIVE,
    "tax_negative": TAX_NEGATIVE,
    "tax_above_amount": TAX_ABOVE_AMOUNT,
}


def _rupiah(amount: Decimal) -> str:
    from p3dn_portal.lib.formatting import rupiah

    return rupiah(amount)


def may_record(*, user: User, contract: Contract) -> bool:
    officer = user.opd_officer if user.is_authenticated else None
    return (
        officer is not None
        and officer.opd_id == contract.opd_id
        and officer.position in PAYMENT_POSITIONS
    )


def _authorize(*, contract: Contract, by: User) -> None:
    services.authorize_officer(
        contract=contract, by=by, positions=PAYMENT_POSITIONS, refusal=POSITION_NOT_ALLOWED
    )


def _lock(contract: Contract) -> Contract:
    # Two payments recorded at once must not both pass the balance: lock the contract.
    return (
        Contract.objects.select_for_update(of=("self",))
        .select_related("handover", "opd", "vendor")
        .get(pk=contract.pk)
    )


def _check_date(day: date, *, bast_on: date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: services.DATE_IN_FUTURE})
    if day < bast_on:
        raise ValidationError({field: DATE_BEFORE_BAST.format(bast=_day(bast_on))})


def _day(value: date) -> str:
    from p3dn_portal.lib.formatting import day

    return day(value)


def _handover_date(contract: Contract) -> date:
    handover = getattr(contract, "handover", None)
    if handover is None:
        raise ValidationError(NO_BAST, code="no_bast")
    return handover.signed_on


def paid_total(contract: Contract) -> Decimal:
    return Payment.objects.filter(invoice__contract=contract).aggregate(
        s=Sum("amount", default=Decimal("0"))
    )["s"]


@transaction.atomic
def invoice_record(
    *, contract: Contract, number: str, issued_on: date, amount: Decimal, by: User
) -> Invoice:
    """The vendor's invoice against the BAST; invoices never add up past the contract value."""
    _authorize(contract=contract, by=by)
    contract = _lock(contract)
    bast_on = _handover_date(contract)
    number = number.strip()
    _check_date(issued_on, bast_on=bast_on, field="issued_on")
    if amount <= 0:
        raise ValidationError({"amount": AMOUNT_NOT_POSITIVE})
    if contract.invoices.filter(number=number).exists():
        raise ValidationError({"number": NUMBER_TAKEN.format(number=number)})
    invoiced = contract.invoices.aggregate(s=Sum("amount", default=Decimal("0")))["s"]
    if invoiced + amount > contract.value:
        left = contract.value - invoiced
        raise ValidationError({"amount": INVOICES_ABOVE_VALUE.format(left=_rupiah(left))})
    invoice = Invoice.objects.create(
        contract=contract,
        number=number,
        issued_on=issued_on,
        amount=amount,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    audit.record(
        actor=by,
        action=AuditAction.INVOICE_RECORDED,
        obj=contract,
        changes={
            "invoice": [None, number],
            "invoice_issued_on": [None, issued_on],
            "invoice_amount": [None, amount],
        },
    )
    _notify_vendor(contract, "contracts/invoice_recorded", invoice=invoice)
    return invoice


@transaction.atomic
def payment_record(
    *, invoice: Invoice, paid_on: date, amount: Decimal, tax_withheld: Decimal, by: User
) -> Payment:
    """A payment (term) of an invoice: gross amount and the tax withheld. The total paid
    never passes the contract value; reaching it makes the contract paid (Lunas)."""
    contract = invoice.contract
    _authorize(contract=contract, by=by)
    contract = _lock(contract)
    bast_on = _handover_date(contract)
    _check_date(paid_on, bast_on=bast_on, field="paid_on")
    if paid_on < invoice.issued_on:
        raise ValidationError(
            {"paid_on": PAID_BEFORE_INVOICE.format(issued=_day(invoice.issued_on))}
        )
    paid = paid_total(contract)
    problem = payment_rules.payment_problem(
        value=contract.value, paid=paid, amount=amount, tax_withheld=tax_withheld
    )
    if problem == "above_balance":
        balance = payment_rules.balance(contract.value, [paid])
        raise ValidationError(
            {"amount": PAYMENT_ABOVE_BALANCE.format(balance=_rupiah(balance))},
            code="above_balance",
        )
    if problem:
        field = "amount" if problem == "not_positive" else "tax_withheld"
        raise ValidationError({field: _PROBLEMS[problem]}, code=problem)
    invoice_paid = invoice.payments.aggregate(s=Sum("amount", default=Decimal("0")))["s"]
    if invoice_paid + amount > invoice.amount:
        left = invoice.amount - invoice_paid
        raise ValidationError(
            {"amount": PAYMENT_ABOVE_INVOICE.format(number=invoice.number, left=_rupiah(left))}
        )
    payment = Payment.objects.create(
        invoice=invoice,
        paid_on=paid_on,
        amount=amount,
        tax_withheld=tax_withheld,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    balance = payment_rules.balance(contract.value, [paid, amount])
    changes = {
        "payment_invoice": [None, invoice.number],
        "payment_paid_on": [None, paid_on],
        "payment_amount": [None, amount],
        "payment_tax_withheld": [None, tax_withheld],
        "balance": [payment_rules.balance(contract.value, [paid]), balance],
    }
    if balance == 0 and contract.status != ContractStatus.PAID:
        changes["status"] = [contract.status, ContractStatus.PAID]
        contract.status = ContractStatus.PAID
        contract.save(update_fields=["status"])
    audit.record(actor=by, action=AuditAction.PAYMENT_RECORDED, obj=contract, changes=changes)
    _notify_vendor(
        contract,
        "contracts/payment_recorded",
        invoice=invoice,
        payment=payment,
        balance=balance,
        days=payment_rules.days_between(bast_on, paid_on),
    )
    return payment


def _notify_vendor(contract: Contract, template: str, **context) -> None:
    users = [m.user for m in contract.vendor.members.select_related("user")]
    account_services.notify(
        users=users,
        template=template,
        context={"contract": contract, **context},
        link=reverse("contracts:payments", args=[contract.pk]),
    )
