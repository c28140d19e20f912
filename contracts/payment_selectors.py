"""Reads for the payment section: a contract as the user may see it (their OPD's, or their
company's), and its invoices and payments with the figures the page shows."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.models import User
from contracts import payment_rules
from contracts.models import Contract, Invoice, Payment


def visible_contracts(user: User) -> QuerySet[Contract]:
    """An officer's OPD's contracts, or a vendor user's company's; none for anyone else."""
    officer = user.opd_officer
    if officer is not None:
        return Contract.objects.filter(opd_id=officer.opd_id)
    member = user.vendor_member
    if member is not None:
        return Contract.objects.filter(vendor_id=member.vendor_id)
    return Contract.objects.none()


def contract_for(user: User, contract_id: int) -> Contract:
    """404 for a contract the user may not see (another OPD's, another company's)."""
    contract = (
        visible_contracts(user)
        .select_related("opd", "vendor", "package", "handover")
        .filter(pk=contract_id)
        .first()
    )
    if contract is None:
        raise Http404
    return contract


@dataclass(frozen=True)
class PaymentRow:
    payment: Payment
    days_from_bast: int | None


@dataclass(frozen=True)
class InvoiceRow:
    invoice: Invoice
    payments: list[PaymentRow]
    paid: Decimal

    @property
    def open(self) -> Decimal:
        return self.invoice.amount - self.paid


@dataclass(frozen=True)
class Payments:
    """Everything the payment section shows of one contract."""

    value: Decimal
    bast_on: date | None
    invoices: list[InvoiceRow]
    paid: Decimal
    tax_withheld: Decimal
    balance: Decimal
    days_to_payment: int | None  # BAST to full payment
    target_days: int

    @property
    def net(self) -> Decimal:
        return payment_rules.net_of_tax(self.paid, self.tax_withheld)

    @property
    def invoiced(self) -> Decimal:
        return sum((row.invoice.amount for row in self.invoices), Decimal("0"))

    @property
    def open_invoices(self) -> list[Invoice]:
        return [row.invoice for row in self.invoices if row.open > 0]

    @property
    def within_target(self) -> bool | None:
        if self.days_to_payment is None:
            return None
        return self.days_to_payment <= self.target_days


def contract_payments(contract: Contract) -> Payments:
    """Two queries once the BAST is signed (the invoices, their payments), none before; the
    contract comes with its BAST and OPD."""
    handover = getattr(contract, "handover", None)
    bast_on = handover.signed_on if handover is not None else None
    invoices = contract.invoices.order_by("issued_on", "pk").prefetch_related(
        Prefetch(
            "payments",
            queryset=Payment.objects.select_related("recorded_by").order_by("paid_on", "pk"),
        ),
    )
    rows, terms = [], []
    # Invoices follow the BAST: before it there is nothing to read.
    for invoice in invoices.select_related("recorded_by") if bast_on else ():
        payments = list(invoice.payments.all())
        terms += [payment_rules.Term(p.paid_on, p.amount, p.tax_withheld) for p in payments]
        rows.append(
            InvoiceRow(
                invoice,
                [
                    PaymentRow(
                        p,
                        payment_rules.days_between(bast_on, p.paid_on) if bast_on else None,
                    )
                    for p in payments
                ],
                sum((p.amount for p in payments), Decimal("0")),
            )
        )
    paid = sum((t.amount for t in terms), Decimal("0"))
    return Payments(
        value=contract.value,
        bast_on=bast_on,
        invoices=rows,
        paid=paid,
        tax_withheld=sum((t.tax_withheld for t in terms), Decimal("0")),
        balance=payment_rules.balance(contract.value, [paid]),
        days_to_payment=(
            payment_rules.days_to_payment(bast_on=bast_on, value=contract.value, terms=terms)
            if bast_on
            else None
        ),
        target_days=contract.opd.payment_target_days,
    )
