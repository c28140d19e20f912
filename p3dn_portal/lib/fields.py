"""Form fields for amounts as people type them in Indonesia: `Rp 1.500.000.000`,
`1.500.000.000,50` in Indonesian, `1,500,000,000.50` in English, or plain digits."""

import re
from decimal import Decimal

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

AMOUNT_INVALID = _("Tulis angka saja, misalnya 1.500.000.000 (tanpa huruf).")
PERCENT_INVALID = _("Tulis persen sebagai angka 0 sampai 100, misalnya 45,50.")


def parse_localized_decimal(value: str) -> str:
    """Text a user typed, in the active language's number format, as a plain decimal string."""
    text = re.sub(r"\s|Rp\.?|%", "", value or "", flags=re.IGNORECASE)
    decimal_sep = formats.get_format("DECIMAL_SEPARATOR")
    thousand_sep = formats.get_format("THOUSAND_SEPARATOR")
    # Grouping with the thousand separator only: `1.500.000` in Indonesian.
    if thousand_sep and re.fullmatch(
        rf"-?\d{{1,3}}(\{thousand_sep}\d{{3}})+(\{decimal_sep}\d+)?", text
    ):
        text = text.replace(thousand_sep, "")
    elif thousand_sep in text and decimal_sep not in text and text.count(thousand_sep) == 1:
        # `45.5` typed in Indonesian, or `12,5` in English: a decimal point, not grouping.
        text = text.replace(thousand_sep, decimal_sep)
    return text.replace(decimal_sep, ".")


class LocalizedDecimalField(forms.DecimalField):
    """A decimal typed the way the active language writes numbers; shown the same way."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.widget.input_type = "text"
        self.widget.attrs.setdefault("inputmode", "decimal")

    def to_python(self, value: object) -> Decimal | None:
        if isinstance(value, str):
            value = parse_localized_decimal(value)
        return super().to_python(value)


class RupiahField(LocalizedDecimalField):
    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("error_messages", {"invalid": AMOUNT_INVALID})
        super().__init__(**kwargs)

    def prepare_value(self, value: object) -> object:
        if isinstance(value, Decimal):
            whole = value == value.to_integral()
            return formats.number_format(
                value.quantize(Decimal(1)) if whole else value, use_l10n=True, force_grouping=True
            )
        return value


class PercentField(LocalizedDecimalField):
    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("max_digits", 5)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("max_value", Decimal("100"))
        kwargs.setdefault("error_messages", {"invalid": PERCENT_INVALID})
        super().__init__(**kwargs)

    def prepare_value(self, value: object) -> object:
        if isinstance(value, Decimal):
            return formats.number_format(value, 2, use_l10n=True)
        return value
