import re

import pytest
from django.core.exceptions import ValidationError

from vendors.validators import (
    HALAL_NUMBER_INVALID,
    KBLI_INVALID,
    NIB_INVALID,
    NPWP_INVALID,
    TKDN_NUMBER_INVALID,
    normalize_certificate_number,
    normalize_npwp,
    validate_halal_certificate_number,
    validate_kbli,
    validate_nib,
    validate_npwp,
    validate_tkdn_certificate_number,
)


def _refuses(validator, value, message):
    with pytest.raises(ValidationError, match=re.escape(str(message))) as raised:
        validator(value)
    assert raised.value.messages == [str(message)]


@pytest.mark.parametrize("value", ["9120001234567", "0000000000000"])
def test_nib_accepts_13_digits(value):
    validate_nib(value)


@pytest.mark.parametrize(
    "value", ["912000123456", "91200012345678", "912000123456A", "", "9120 001234567"]
)
def test_nib_refuses_anything_else(value):
    _refuses(validate_nib, value, NIB_INVALID)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("01.000.013.1-093.000", "010000131093000"),
        ("010000131093000", "010000131093000"),
        (" 0010000131093000 ", "0010000131093000"),
        ("3171012345678901", "3171012345678901"),
    ],
)
def test_npwp_accepts_the_dotted_and_plain_forms_and_stores_digits(typed, stored):
    normalized = normalize_npwp(typed)
    validate_npwp(normalized)
    assert normalized == stored


@pytest.mark.parametrize(
    "typed",
    [
        "01.000.013.1-093",
        "01000013109300",
        "01.000.013.1.093.000",
        "NPWP010000131093000",
        "0100001310930001"[:14],
    ],
)
def test_npwp_refuses_incomplete_or_malformed_numbers(typed):
    _refuses(validate_npwp, normalize_npwp(typed), NPWP_INVALID)


def test_a_partly_dotted_npwp_is_not_silently_stripped():
    assert normalize_npwp("01.000.013.1093000") == "01.000.013.1093000"
    _refuses(validate_npwp, normalize_npwp("01.000.013.1093000"), NPWP_INVALID)


@pytest.mark.parametrize("value", ["10792", "47111"])
def test_kbli_accepts_5_digits(value):
    validate_kbli(value)


@pytest.mark.parametrize("value", ["1079", "107921", "1079A", ""])
def test_kbli_refuses_anything_else(value):
    _refuses(validate_kbli, value, KBLI_INVALID)


@pytest.mark.parametrize(
    "value",
    [
        "1234/SJ-IND.8/TKDN/7/2024",
        "1/SJ-IND.8/TKDN/12/2019",
        "98765/SJ-IND.8/TKDN/01/2025",
        "0312/SJ-IND.8/TKDN/11/2026",
    ],
)
def test_tkdn_certificate_number_accepts_the_official_form(value):
    validate_tkdn_certificate_number(value)


@pytest.mark.parametrize(
    "value",
    [
        "1234/SJ-IND.8/TKDN/13/2024",
        "1234/SJ-IND.8/TKDN/0/2024",
        "0/SJ-IND.8/TKDN/7/2024",
        "0000/SJ-IND.8/TKDN/7/2024",
        "1234/SJ-IND.9/TKDN/7/2024",
        "1234/SJ-IND.8/TKDN/7/24",
        "SJ-IND.8/TKDN/7/2024",
        "",
    ],
)
def test_tkdn_certificate_number_refuses_anything_else(value):
    _refuses(validate_tkdn_certificate_number, value, TKDN_NUMBER_INVALID)


def test_certificate_numbers_are_normalized_before_validation():
    assert (
        normalize_certificate_number(" 1234/sj-ind.8/tkdn/7/2024 ") == "1234/SJ-IND.8/TKDN/7/2024"
    )
    assert normalize_certificate_number("id 3111 0000 1234 5082 4") == "ID31110000123450824"


@pytest.mark.parametrize("value", ["ID" + "1" * 14, "ID" + "2" * 18, "ID31110000123450824"])
def test_halal_number_accepts_id_and_14_to_18_digits(value):
    validate_halal_certificate_number(value)


@pytest.mark.parametrize(
    "value", ["ID" + "1" * 13, "ID" + "1" * 19, "31110000123450824", "IDX1110000123450824", ""]
)
def test_halal_number_refuses_anything_else(value):
    _refuses(validate_halal_certificate_number, value, HALAL_NUMBER_INVALID)
