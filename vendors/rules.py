"""The vendor register's rules, as pure functions (no ORM, no I/O).

UMKM scale: PP 7/2021 art. 35. TKDN tiers: Perpres 16/2018 art. 66 as amended.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class BusinessScale(models.TextChoices):
    MIKRO = "mikro", _("Mikro")
    KECIL = "kecil", _("Kecil")
    MENENGAH = "menengah", _("Menengah")
    BESAR = "besar", _("Besar")


class ScaleBasis(models.TextChoices):
    ANNUAL_SALES = "annual_sales", _("hasil penjualan tahunan")
    CAPITAL = "capital", _("modal usaha (di luar tanah dan bangunan)")


class Tier(models.TextChoices):
    T1 = "T1", _("T1: TKDN ≥ 25%, TKDN + BMP ≥ 40%")
    T2 = "T2", _("T2: TKDN ≥ 25%")
    T3 = "T3", _("T3: TKDN di bawah 25%")
    T4 = "T4", _("T4: tanpa sertifikat TKDN")


BILLION = Decimal("1000000000")

# Upper bounds, inclusive: (scale, capital at most, annual sales at most).
SCALE_BOUNDS = (
    (BusinessScale.MIKRO, 1 * BILLION, 2 * BILLION),
    (BusinessScale.KECIL, 5 * BILLION, 15 * BILLION),
    (BusinessScale.MENENGAH, 10 * BILLION, 50 * BILLION),
)

UMK_SCALES = frozenset({BusinessScale.MIKRO, BusinessScale.KECIL})

TKDN_MIN_FOR_PREFERENCE = Decimal("25")
TKDN_BMP_MIN_FOR_T1 = Decimal("40")
BMP_MAX = Decimal("15")


def scale_basis(
    *, capital: Decimal | None = None, annual_sales: Decimal | None = None
) -> ScaleBasis:
    """Annual sales decide for an existing business; capital when sales are not given."""
    if annual_sales is not None:
        return ScaleBasis.ANNUAL_SALES
    if capital is not None:
        return ScaleBasis.CAPITAL
    raise ValueError("The scale needs the business capital or the annual sales.")


def business_scale(
    *, capital: Decimal | None = None, annual_sales: Decimal | None = None
) -> BusinessScale:
    basis = scale_basis(capital=capital, annual_sales=annual_sales)
    amount = annual_sales if basis == ScaleBasis.ANNUAL_SALES else capital
    if not isinstance(amount, Decimal):
        raise TypeError(f"Rupiah amounts are Decimal, not {type(amount).__name__}.")
    if amount < 0:
        raise ValueError("Capital and sales cannot be negative.")
    for scale, capital_max, sales_max in SCALE_BOUNDS:
        if amount <= (sales_max if basis == ScaleBasis.ANNUAL_SALES else capital_max):
            return scale
    return BusinessScale.BESAR


def is_umk(scale: str) -> bool:
    """'Usaha kecil' in the procurement rules: micro and small businesses (UMK)."""
    return scale in UMK_SCALES


def tkdn_tier(tkdn_pct: Decimal | None, bmp_pct: Decimal | None = None) -> Tier:
    """The domestic-product tier of a product from its certified TKDN and BMP (percent)."""
    tkdn = tkdn_pct or Decimal(0)
    bmp = bmp_pct or Decimal(0)
    if tkdn <= 0:
        return Tier.T4
    if tkdn < TKDN_MIN_FOR_PREFERENCE:
        return Tier.T3
    if tkdn + bmp >= TKDN_BMP_MIN_FOR_T1:
        return Tier.T1
    return Tier.T2


@dataclass(frozen=True)
class LocalContent:
    """A product's effective local content: what its newest verified, unexpired TKDN
    certificate says; without one it counts as 0 TKDN (tier T4)."""

    tkdn_pct: Decimal
    bmp_pct: Decimal
    tier: Tier
    certificate: object | None  # the TKDNCertificate it comes from


NO_LOCAL_CONTENT = LocalContent(Decimal("0"), Decimal("0"), Tier.T4, None)


def local_content_of(certificate: object | None) -> LocalContent:
    """The local content a certificate (with `tkdn_pct` and `bmp_pct`) gives, or none."""
    if certificate is None:
        return NO_LOCAL_CONTENT
    tkdn_pct, bmp_pct = certificate.tkdn_pct, certificate.bmp_pct
    return LocalContent(tkdn_pct, bmp_pct, tkdn_tier(tkdn_pct, bmp_pct), certificate)


def luhn_check_digit(digits: str) -> int:
    """The Luhn check digit for a string of digits."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def npwp_check_digit_ok(npwp_digits: str) -> bool:
    """Legacy (15-digit) NPWP: the 9th digit is the Luhn check digit of the first 8. Holds on
    every real example known, but is not official: a mismatch is a warning, not an error.
    16-digit NPWPs (a NIK, or 0 + the legacy 15) are checked on their legacy part."""
    legacy = npwp_digits[1:] if len(npwp_digits) == 16 and npwp_digits[0] == "0" else npwp_digits
    if len(legacy) != 15:
        return True  # a NIK-based NPWP has no such check digit
    return luhn_check_digit(legacy[:8]) == int(legacy[8])


def format_npwp(digits: str) -> str:
    """`AA.BBB.BBB.C-DDD.EEE` for the legacy 15 digits; 16 digits are shown as they are."""
    if len(digits) == 15:
        return (
            f"{digits[0:2]}.{digits[2:5]}.{digits[5:8]}.{digits[8]}-{digits[9:12]}.{digits[12:15]}"
        )
    return digits


# The blacklist (daftar hitam) ---------------------------------------------------------------


def listed_on(*, starts_on: date, ends_on: date | None, lifted_on: date | None, day: date) -> bool:
    """Whether a blacklisting holds on `day`: from its first day to its last day (both
    included; no last day: until lifted), and no longer from the day it was lifted."""
    if day < starts_on:
        return False
    if ends_on is not None and day > ends_on:
        return False
    return lifted_on is None or day < lifted_on


def lifted_early(*, ends_on: date | None, lifted_on: date | None) -> bool:
    """Lifted before it would have ended by itself (an indefinite one always is)."""
    return lifted_on is not None and (ends_on is None or lifted_on <= ends_on)
