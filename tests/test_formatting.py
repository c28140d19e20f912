from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils import translation

from p3dn_portal.lib.formatting import jakarta, percent, rupiah
from p3dn_portal.lib.money import round_percent, round_rupiah


def test_it_rounds_rupiah_half_up():
    assert round_rupiah(Decimal("1050000000.5")) == Decimal("1050000001")
    assert round_rupiah(Decimal("1050000000.49")) == Decimal("1050000000")


def test_it_rounds_percentages_half_up_to_two_places():
    assert round_percent(Decimal("42.125")) == Decimal("42.13")
    assert round_percent(Decimal("42.124")) == Decimal("42.12")


def test_it_refuses_floats_for_money():
    with pytest.raises(TypeError, match="Rupiah amounts are Decimal, not float"):
        round_rupiah(1.5)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("id", "Rp1.050.000.000"), ("en", "Rp1,050,000,000")],
)
def test_it_formats_rupiah_for_the_language(language, expected):
    with translation.override(language):
        assert rupiah(Decimal("1050000000")) == expected


def test_it_formats_rupiah_with_cents_and_negatives():
    with translation.override("id"):
        assert rupiah(Decimal("-1500.5"), 2) == "-Rp1.500,50"
        assert rupiah(None) == ""


def test_it_formats_percentages_the_indonesian_way():
    with translation.override("id"):
        assert percent(Decimal("42.5")) == "42,50%"
    with translation.override("en"):
        assert percent(Decimal("42.5")) == "42.50%"


def test_it_shows_times_in_jakarta():
    noon_utc = datetime(2026, 3, 9, 5, 0, tzinfo=UTC)
    with translation.override("id"):
        assert jakarta(noon_utc) == "9 Mar 2026 12:00 WIB"
    with translation.override("en"):
        assert jakarta(noon_utc) == "9 Mar 2026 12:00 WIB"
        assert jakarta(None) == ""
