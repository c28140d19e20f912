"""Payment arithmetic as pure functions (no ORM, no I/O): a payment's net of the tax withheld,
a contract's balance, days from the BAST to payment, and the figures the programme dashboard
shows per OPD (the median days to payment, the share of small-business contracts paid within
the OPD's target). Domain brief, "After the contract": payment follows the BAST against the
vendor's invoice, the treasurer withholds the tax, and the portal measures days from BAST to
payment rather than assuming a legal deadline.

Definitions:
- A payment's amount is gross; net = gross - tax withheld.
- A contract's balance = contract value - sum of the payments' gross amounts. Payments never
  take the total above the contract value.
- Days to payment (of a contract) = calendar days from the BAST's date to the date of the
  payment that brought the balance to zero; a contract not yet paid in full has none.
- Within target: paid in full no later than `target_days` calendar days after the BAST.
  A contract still unpaid once its target has passed counts as late; one still unpaid and
  still inside its target is not counted yet (it can still be paid on time).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Term:
    """One payment: the date paid, the gross amount and the tax withheld."""

    paid_on: date
    amount: Decimal
    tax_withheld: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return net_of_tax(self.amount, self.tax_withheld)


def net_of_tax(amount: Decimal, tax_withheld: Decimal) -> Decimal:
    """What reaches the vendor: the gross amount less the tax the treasurer withheld."""
    return amount - tax_withheld


def balance(value: Decimal, amounts: Iterable[Decimal]) -> Decimal:
    """What remains to be paid on a contract of `value` after payments of `amounts` (gross)."""
    return value - sum(amounts, ZERO)


def payment_problem(
    *, value: Decimal, paid: Decimal, amount: Decimal, tax_withheld: Decimal
) -> str:
    """The rule a new payment of `amount` (gross) would break, as a code, or "" when none:
    "not_positive", "tax_negative", "tax_above_amount" or "above_balance" (the total paid
    would pass the contract value)."""
    if amount <= 0:
        return "not_positive"
    if tax_withheld < 0:
        return "tax_negative"
    if tax_withheld > amount:
        return "tax_above_amount"
    if paid + amount > value:
        return "above_balance"
    return ""


def days_between(start: date, end: date) -> int:
    """Calendar days from `start` to `end` (the same day is 0)."""
    return (end - start).days


def settled_on(value: Decimal, terms: Iterable[Term]) -> date | None:
    """The date of the payment that brought the balance to zero, or None while it has not."""
    paid = ZERO
    for term in sorted(terms, key=lambda t: t.paid_on):
        paid += term.amount
        if paid >= value:
            return term.paid_on
    return None


def days_to_payment(*, bast_on: date, value: Decimal, terms: Iterable[Term]) -> int | None:
    """Calendar days from the BAST to full payment; None while the contract is not paid."""
    paid_on = settled_on(value, terms)
    return None if paid_on is None else days_between(bast_on, paid_on)


def within_target(
    *, bast_on: date, settled: date | None, target_days: int, today: date
) -> bool | None:
    """True when paid in full within `target_days` of the BAST, False when paid later or
    still unpaid after the target passed, None when unpaid and the target is still ahead."""
    if settled is not None:
        return days_between(bast_on, settled) <= target_days
    if days_between(bast_on, today) > target_days:
        return False
    return None


def median(values: Sequence[int]) -> Decimal | None:
    """The median of whole numbers of days (the mean of the middle two for an even count),
    as a Decimal to one place; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        result = Decimal(ordered[middle])
    else:
        result = Decimal(ordered[middle - 1] + ordered[middle]) / 2
    return result.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ContractPayments:
    """What the dashboard needs of one handed-over contract."""

    small_business: bool
    bast_on: date
    settled_on: date | None


@dataclass(frozen=True)
class PaymentSpeed:
    """Per OPD: the median days BAST -> full payment over its paid contracts, and of its
    small-business (UMK) contracts whose outcome is known, how many were paid within target."""

    paid_contracts: int
    median_days: Decimal | None
    small_counted: int  # UMK contracts paid, or unpaid past their target
    small_on_time: int
    target_days: int

    @property
    def small_on_time_share(self) -> Decimal | None:
        if not self.small_counted:
            return None
        return (Decimal(self.small_on_time) * 100 / self.small_counted).quantize(
            CENT, rounding=ROUND_HALF_UP
        )


def payment_speed(
    contracts: Iterable[ContractPayments], *, target_days: int, today: date
) -> PaymentSpeed:
    days = []
    counted = on_time = 0
    for contract in contracts:
        if contract.settled_on is not None:
            days.append(days_between(contract.bast_on, contract.settled_on))
        if contract.small_business:
            verdict = within_target(
                bast_on=contract.bast_on,
                settled=contract.settled_on,
                target_days=target_days,
                today=today,
            )
            if verdict is not None:
                counted += 1
                on_time += verdict
    return PaymentSpeed(
        paid_contracts=len(days),
        median_days=median(days),
        small_counted=counted,
        small_on_time=on_time,
        target_days=target_days,
    )
