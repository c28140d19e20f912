"""How the portal writes money, percentages and moments for people, in the active language.
Templates reach these through `{% load p3dn %}`; exports, reasons and forms call them here."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.utils import formats, timezone

from p3dn_portal.lib.money import round_percent, round_rupiah

JAKARTA = ZoneInfo("Asia/Jakarta")


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


def rupiah(value: object, places: int = 0) -> str:
    """`Rp1.050.000.000` in Indonesian, `Rp1,050,000,000` in English; empty for no value."""
    amount = _decimal(value)
    if amount is None:
        return ""
    places = int(places)
    rounded = round_rupiah(amount, Decimal(1).scaleb(-places))
    sign = "-" if rounded < 0 else ""
    number = formats.number_format(abs(rounded), places, use_l10n=True, force_grouping=True)
    return f"{sign}Rp{number}"


def percent(value: object) -> str:
    """`42,50%` in Indonesian, `42.50%` in English."""
    number = _decimal(value)
    if number is None:
        return ""
    return f"{formats.number_format(round_percent(number), 2, use_l10n=True)}%"


def jakarta(value: datetime | None) -> str:
    """An aware date-time shown in the portal's zone (Asia/Jakarta) with its zone name."""
    if not isinstance(value, datetime):
        return ""
    local = timezone.localtime(value, JAKARTA)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} WIB"


def jakarta_seconds(value: datetime | None) -> str:
    """A moment to the second, in Jakarta time: what a receipt shows."""
    if not isinstance(value, datetime):
        return ""
    local = timezone.localtime(value, JAKARTA)
    return f"{formats.date_format(local, 'DATE_FORMAT')} {local:%H:%M:%S} WIB"


def day(value: date | None) -> str:
    """A day with its weekday, for a heading or a slot's day: `Senin, 7 Des 2026` (the
    portal's DATE_FORMAT, the weekday before it)."""
    if not isinstance(value, date):
        return ""
    return f"{formats.date_format(value, 'l')}, {formats.date_format(value, 'DATE_FORMAT')}"


def quantity(value: object) -> str:
    """A volume without trailing zeros: `1.250` and `12,5` in Indonesian, `1,250` and `12.5`
    in English."""
    number = _decimal(value)
    if number is None:
        return ""
    places = max(0, -number.normalize().as_tuple().exponent)
    return formats.number_format(number, places, use_l10n=True, force_grouping=True)
