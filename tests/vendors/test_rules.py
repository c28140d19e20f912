"""UMKM scale (PP 7/2021 art. 35), TKDN tiers and the NPWP check digit, without a database."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from vendors.rules import (
    BusinessScale,
    ScaleBasis,
    Tier,
    business_scale,
    format_npwp,
    is_umk,
    local_content_of,
    npwp_check_digit_ok,
    scale_basis,
    tkdn_tier,
)

B = Decimal("1000000000")
ONE = Decimal("1")


@pytest.mark.parametrize(
    ("capital", "expected"),
    [
        (Decimal("0"), BusinessScale.MIKRO),
        (1 * B, BusinessScale.MIKRO),
        (1 * B + ONE, BusinessScale.KECIL),
        (5 * B, BusinessScale.KECIL),
        (5 * B + ONE, BusinessScale.MENENGAH),
        (10 * B, BusinessScale.MENENGAH),
        (10 * B + ONE, BusinessScale.BESAR),
    ],
)
def test_capital_bounds_are_inclusive_on_the_upper_side(capital, expected):
    assert business_scale(capital=capital) == expected


@pytest.mark.parametrize(
    ("sales", "expected"),
    [
        (2 * B, BusinessScale.MIKRO),
        (2 * B + ONE, BusinessScale.KECIL),
        (15 * B, BusinessScale.KECIL),
        (15 * B + ONE, BusinessScale.MENENGAH),
        (50 * B, BusinessScale.MENENGAH),
        (50 * B + ONE, BusinessScale.BESAR),
    ],
)
def test_annual_sales_bounds_are_inclusive_on_the_upper_side(sales, expected):
    assert business_scale(annual_sales=sales) == expected


def test_annual_sales_decide_when_both_are_given():
    # Capital says mikro, sales say menengah: an existing business is judged by its sales.
    assert business_scale(capital=1 * B, annual_sales=20 * B) == BusinessScale.MENENGAH
    assert scale_basis(capital=1 * B, annual_sales=20 * B) == ScaleBasis.ANNUAL_SALES


def test_capital_decides_without_sales():
    assert scale_basis(capital=3 * B) == ScaleBasis.CAPITAL
    assert business_scale(capital=3 * B) == BusinessScale.KECIL


def test_the_scale_needs_one_of_the_two():
    with pytest.raises(ValueError, match="needs the business capital"):
        business_scale()


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError, match="Capital and sales cannot be negative"):
        business_scale(capital=Decimal("-1"))


def test_floats_are_refused():
    with pytest.raises(TypeError, match="Rupiah amounts are Decimal, not float"):
        business_scale(capital=1.0)


@pytest.mark.parametrize(
    ("scale", "umk"),
    [("mikro", True), ("kecil", True), ("menengah", False), ("besar", False), ("", False)],
)
def test_umk_means_micro_and_small(scale, umk):
    assert is_umk(scale) is umk


@pytest.mark.parametrize(
    ("tkdn", "bmp", "tier"),
    [
        (None, None, Tier.T4),
        (Decimal("0"), Decimal("10"), Tier.T4),
        (Decimal("0.01"), Decimal("0"), Tier.T3),
        (Decimal("24.99"), Decimal("15"), Tier.T3),
        (Decimal("25"), Decimal("0"), Tier.T2),
        (Decimal("25"), Decimal("14.99"), Tier.T2),
        (Decimal("25"), Decimal("15"), Tier.T1),
        (Decimal("40"), Decimal("0"), Tier.T1),
    ],
)
def test_tkdn_tiers(tkdn, bmp, tier):
    assert tkdn_tier(tkdn, bmp) == tier


def test_without_a_certificate_the_local_content_is_nil_and_t4():
    content = local_content_of(None)
    assert (content.tkdn_pct, content.bmp_pct, content.tier, content.certificate) == (
        Decimal("0"),
        Decimal("0"),
        Tier.T4,
        None,
    )


def test_the_local_content_is_the_certificates_with_its_tier():
    certificate = SimpleNamespace(tkdn_pct=Decimal("30"), bmp_pct=Decimal("12"))
    content = local_content_of(certificate)
    assert (content.tkdn_pct, content.bmp_pct, content.tier) == (
        Decimal("30"),
        Decimal("12"),
        Tier.T1,
    )
    assert content.certificate is certificate


@pytest.mark.parametrize(
    ("npwp", "ok"),
    [
        ("010000131093000", True),  # 01.000.013.1-093.000
        ("010000132093000", False),  # the same with a mistyped 9th digit
        ("0010000131093000", True),  # the 16-digit form: 0 + the legacy 15
        ("0010000132093000", False),
        ("3171012345678901", True),  # a NIK-based NPWP has no such check digit
    ],
)
def test_the_legacy_npwp_check_digit(npwp, ok):
    assert npwp_check_digit_ok(npwp) is ok


def test_it_formats_a_legacy_npwp_the_usual_way():
    assert format_npwp("010000131093000") == "01.000.013.1-093.000"
    assert format_npwp("3171012345678901") == "3171012345678901"
