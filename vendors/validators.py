"""Identity and certificate numbers (domain brief, "Identity numbers"). Each validator raises
Django's ValidationError with a message that says what is expected; the `normalize_*`
helpers turn what people type into what is stored."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NIB_INVALID = _("NIB harus tepat 13 angka, seperti yang tertulis di dokumen NIB dari OSS.")
NPWP_INVALID = _(
    "NPWP harus 15 angka (format lama, boleh ditulis 01.234.567.8-901.000) atau 16 angka "
    "(NIK, atau 0 diikuti 15 angka NPWP lama)."
)
KBLI_INVALID = _("Kode KBLI harus 5 angka (KBLI 2020), misalnya 10792.")
TKDN_NUMBER_INVALID = _(
    "Nomor sertifikat TKDN harus berbentuk <nomor urut>/SJ-IND.8/TKDN/<bulan 1-12>/<tahun>, "
    "misalnya 1234/SJ-IND.8/TKDN/7/2024."
)
HALAL_NUMBER_INVALID = _(
    "Nomor sertifikat halal harus diawali ID lalu 14 sampai 18 angka, misalnya ID31110000123450824."
)
HS_CODE_INVALID = _("Kode HS harus 4 sampai 10 angka (boleh dengan titik), misalnya 6403.99.90.")

_NIB = re.compile(r"\d{13}")
_KBLI = re.compile(r"\d{5}")
_TKDN_NUMBER = re.compile(r"(?P<run>\d{1,8})/SJ-IND\.8/TKDN/(?P<month>\d{1,2})/(?P<year>\d{4})")
_HALAL_NUMBER = re.compile(r"ID\d{14,18}")
_NPWP_DOTTED = re.compile(r"\d{2}\.\d{3}\.\d{3}\.\d-\d{3}\.\d{3}")
_HS_CODE = re.compile(r"\d{4,10}")


def _digits(value: str) -> str:
    return re.sub(r"\s", "", value or "")


def normalize_nib(value: str) -> str:
    return _digits(value)


def validate_nib(value: str) -> None:
    if not _NIB.fullmatch(value or ""):
        raise ValidationError(NIB_INVALID, code="nib_invalid")


def normalize_npwp(value: str) -> str:
    """Digits only. The dotted legacy form is accepted only when it is complete."""
    compact = _digits(value)
    if _NPWP_DOTTED.fullmatch(compact):
        return re.sub(r"\D", "", compact)
    return compact


def validate_npwp(value: str) -> None:
    if not re.fullmatch(r"\d{15}|\d{16}", value or ""):
        raise ValidationError(NPWP_INVALID, code="npwp_invalid")


def validate_kbli(value: str) -> None:
    if not _KBLI.fullmatch(value or ""):
        raise ValidationError(KBLI_INVALID, code="kbli_invalid")


def normalize_certificate_number(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def validate_tkdn_certificate_number(value: str) -> None:
    match = _TKDN_NUMBER.fullmatch(value or "")
    if (
        not match
        or int(match["run"]) == 0
        or not 1 <= int(match["month"]) <= 12
        or not 1900 < int(match["year"]) < 2200
    ):
        raise ValidationError(TKDN_NUMBER_INVALID, code="tkdn_number_invalid")


def validate_halal_certificate_number(value: str) -> None:
    if not _HALAL_NUMBER.fullmatch(value or ""):
        raise ValidationError(HALAL_NUMBER_INVALID, code="halal_number_invalid")


def normalize_hs_code(value: str) -> str:
    return re.sub(r"[\s.]", "", value or "")


def validate_hs_code(value: str) -> None:
    if not _HS_CODE.fullmatch(value or ""):
        raise ValidationError(HS_CODE_INVALID, code="hs_code_invalid")
