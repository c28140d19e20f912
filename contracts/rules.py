"""The rules of delivery and handover, as pure functions on figures (no database).

Achieved local content (domain brief, "After the contract": "the achieved TKDN of what was
delivered is recorded and compared with the offer"): the bid's own formula
(`procurement.rules.bid_local_content`, value-weighted, two places, half up) over the
accepted quantities at the offered unit prices, with the TKDN and BMP of what was delivered.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from procurement.rules import BidLocalContent, LineFigures, bid_local_content

RUPIAH = Decimal("0.01")
ZERO = Decimal("0")


@dataclass(frozen=True)
class AcceptedLine:
    """What was accepted of one contract line in one delivery."""

    quantity_accepted: Decimal
    unit_price: Decimal  # the contract's (offered) unit price
    tkdn_pct: Decimal  # of what was delivered (its certificate on the delivery day)
    bmp_pct: Decimal


def achieved_local_content(lines: Iterable[AcceptedLine]) -> BidLocalContent:
    """TKDN and TKDN + BMP of what was accepted, weighted by its value at the offered unit
    prices: the bid's formula, written once (procurement.rules.bid_local_content)."""
    return bid_local_content(
        LineFigures(
            quantity=line.quantity_accepted,
            unit_price=line.unit_price,
            tkdn_pct=line.tkdn_pct,
            bmp_pct=line.bmp_pct,
        )
        for line in lines
    )


@dataclass(frozen=True)
class Shortfall:
    points: Decimal  # offered TKDN minus achieved TKDN, in percentage points
    value: Decimal  # the domestic content missing, in rupiah: accepted value x points / 100


def tkdn_shortfall(
    *, offered_tkdn_pct: Decimal, achieved_tkdn_pct: Decimal, accepted_value: Decimal
) -> Shortfall | None:
    """How far the achieved TKDN falls below the offered one, in points and in value (the
    accepted value's domestic share that was offered but not delivered); None when it does
    not fall below."""
    points = offered_tkdn_pct - achieved_tkdn_pct
    if points <= 0:
        return None
    value = (accepted_value * points / 100).quantize(RUPIAH, rounding=ROUND_HALF_UP)
    return Shortfall(points, value)


def remaining_quantity(*, contracted: Decimal, accepted_before: Iterable[Decimal]) -> Decimal:
    """What is still to be delivered of a line: the contracted volume less what earlier
    deliveries had accepted (a rejected quantity is delivered again)."""
    return contracted - sum(accepted_before, ZERO)


class QuantityProblem:
    NEGATIVE = "negative"
    ACCEPTED_OVER_DELIVERED = "accepted_over_delivered"
    OVER_REMAINING = "over_remaining"


def quantity_problem(*, delivered: Decimal, accepted: Decimal, remaining: Decimal) -> str | None:
    """Why a line's quantities cannot be recorded (a QuantityProblem), or None: neither
    below zero, accepted at most what was delivered, delivered at most what remains."""
    if delivered < 0 or accepted < 0:
        return QuantityProblem.NEGATIVE
    if accepted > delivered:
        return QuantityProblem.ACCEPTED_OVER_DELIVERED
    if delivered > remaining:
        return QuantityProblem.OVER_REMAINING
    return None


class Lapse:
    EXPIRED = "expired"
    REVOKED = "revoked"


def certificate_lapse(
    *, status: str, expires_on: date | None, delivered_on: date, revoked_status: str
) -> str | None:
    """Whether the certificate the bid offered had lapsed by the delivery day: revoked (its
    status is `revoked_status`), or expired (its end date before that day); None if it
    still held."""
    if status == revoked_status:
        return Lapse.REVOKED
    if expires_on is not None and expires_on < delivered_on:
        return Lapse.EXPIRED
    return None


def substitution_needed(
    *,
    offered_product_id: int | None,
    delivered_product_id: int,
    offered_certificate_number: str,
    delivered_certificate_number: str,
) -> bool:
    """A product other than the one bid, or a certificate other than the one offered (none
    where one was offered included), needs a reason."""
    if offered_product_id is not None and delivered_product_id != offered_product_id:
        return True
    return (offered_certificate_number or "") != (delivered_certificate_number or "")


LOW_MARK = 2


def rating_needs_note(marks: Iterable[int]) -> bool:
    """A mark of 1 (kurang) or 2 (cukup) needs a written note."""
    return any(mark <= LOW_MARK for mark in marks)
