"""The values of an entry's changes as people read them, in the reader's language: a
choice's label instead of its stored value ("Terverifikasi", not "verified"), a moment in
Jakarta time in the portal's date-time format, a day in its date format, Ya/Tidak, money
as Rupiah and percentages as percentages. The log stores the values as `readable` wrote
them (audit.services); this is only how the admin page and the export show them, beside
the stored value the export keeps too."""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _

from p3dn_portal.lib.formatting import jakarta, percent, rupiah

NOTHING = "—"
# A moment as `readable` stores it (ISO 8601, with its offset), alone or inside a text such
# as a schedule run's "2026-12-08T11:30:00+07:00 / meja 1".
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:[+-]\d{2}:\d{2}|Z)")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Money fields: Rupiah amounts are DecimalField(max_digits=18, decimal_places=2) throughout.
MONEY_DIGITS = 18


def _field(object_type: str, key: str) -> models.Field | None:
    try:
        found = apps.get_model(object_type)._meta.get_field(key)
    except (LookupError, ValueError, FieldDoesNotExist):
        return None
    return found if isinstance(found, models.Field) else None


def _moment(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return jakarta(moment)


def _day(text: str) -> str:
    try:
        return formats.date_format(date.fromisoformat(text), "DATE_FORMAT")
    except ValueError:
        return text


def _number(field: models.Field, key: str, value: object) -> str | None:
    """Money as Rupiah, a percentage as one, another number in the reader's notation."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    name = f"{key} {field.verbose_name}" if field is not None else key
    if key.endswith("_pct") or "(%)" in name:
        return percent(number)
    if isinstance(field, models.DecimalField) and (
        field.max_digits == MONEY_DIGITS and field.decimal_places == 2
    ):
        return rupiah(number, 0 if number == number.to_integral_value() else 2)
    if isinstance(field, models.DecimalField):
        return formats.number_format(number, field.decimal_places, use_l10n=True)
    return None


def value_text(object_type: str, key: str, value: object) -> str:
    """How a before or after value of the field `key` of an `object_type` reads."""
    if value is None or value == "" or value == []:
        return NOTHING
    if isinstance(value, bool):
        return str(_("Ya") if value else _("Tidak"))
    if isinstance(value, list):
        return "; ".join(value_text(object_type, key, item) for item in value)
    if isinstance(value, dict):
        return "; ".join(
            f"{inner}: {value_text(object_type, str(inner), item)}" for inner, item in value.items()
        )
    field = _field(object_type, key)
    if field is not None and field.choices:
        labels = {str(stored): label for stored, label in field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if isinstance(value, int | float | Decimal) or (
        isinstance(field, models.DecimalField) and isinstance(value, str)
    ):
        shown = _number(field, key, value)
        if shown is not None:
            return shown
    if isinstance(value, str):
        if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
            return _day(value)
        if DAY.fullmatch(value):
            return _day(value)
        return MOMENT.sub(lambda found: _moment(found.group(0)), value)
    return str(value)
