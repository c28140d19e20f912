from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from p3dn_portal.lib.fields import AMOUNT_INVALID, PercentField, RupiahField


@pytest.mark.parametrize(
    ("language", "typed", "value"),
    [
        ("id", "Rp 1.500.000.000", Decimal("1500000000")),
        ("id", "1.500.000.000,50", Decimal("1500000000.50")),
        ("id", "1500000000", Decimal("1500000000")),
        ("en", "1,500,000,000.50", Decimal("1500000000.50")),
        ("en", "Rp1,000", Decimal("1000")),
    ],
)
def test_amounts_are_read_as_people_type_them(language, typed, value):
    with translation.override(language):
        assert RupiahField().clean(typed) == value


def test_words_are_not_amounts():
    with pytest.raises(ValidationError, match="Tulis angka saja, misalnya") as raised:
        RupiahField().clean("satu miliar")
    assert raised.value.messages == [str(AMOUNT_INVALID)]


def test_negative_amounts_are_refused():
    with pytest.raises(
        ValidationError, match="Pastikan nilai ini lebih besar dari atau sama dengan"
    ):
        RupiahField().clean("-5")


@pytest.mark.parametrize(("language", "typed"), [("id", "45,5"), ("id", "45.5"), ("en", "45.5")])
def test_percentages_take_either_decimal_mark(language, typed):
    with translation.override(language):
        assert PercentField().clean(typed) == Decimal("45.5")


def test_percentages_above_100_are_refused():
    with pytest.raises(
        ValidationError, match="Pastikan nilai ini lebih kecil dari atau sama dengan"
    ):
        PercentField().clean("100,01")


def test_amounts_are_shown_grouped_in_the_form():
    with translation.override("id"):
        assert RupiahField().prepare_value(Decimal("1500000000.00")) == "1.500.000.000"
        assert PercentField().prepare_value(Decimal("45.5")) == "45,50"
