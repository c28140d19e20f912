"""Rupiah and percentages: Decimal only, one rounding rule (half up)."""

from decimal import ROUND_HALF_UP, Decimal

RUPIAH_PLACES = Decimal("1")
PERCENT_PLACES = Decimal("0.01")


def round_rupiah(amount: Decimal, places: Decimal = RUPIAH_PLACES) -> Decimal:
    """Round an amount of Rupiah half up (to whole Rupiah unless told otherwise)."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"Rupiah amounts are Decimal, not {type(amount).__name__}.")
    return amount.quantize(places, rounding=ROUND_HALF_UP)


def round_percent(value: Decimal) -> Decimal:
    """Round a percentage half up to two decimal places."""
    if not isinstance(value, Decimal):
        raise TypeError(f"Percentages are Decimal, not {type(value).__name__}.")
    return value.quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)
