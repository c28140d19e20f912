"""Evaluation reasons, flags and corrections in the reader's language. The rule core and the
services store each as a code with plain-decimal parameters (procurement.evaluation); they are
worded here, at display time, from the same source texts (translated in locale/), with
percentages and Rupiah written the way the active language writes them."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.formats import date_format
from django.utils.translation import gettext

from p3dn_portal.lib.formatting import percent, rupiah
from procurement import evaluation as ev
from procurement.evaluation import CLARIFICATION_PENDING, REASON_TEXT, VERDICT_PENDING
from vendors.rules import BusinessScale


def _value(name: str, value: str) -> str:
    try:
        if name.endswith("_pct"):
            return percent(Decimal(value))
        if name.endswith("_rp"):
            return rupiah(Decimal(value))
    except InvalidOperation:
        return value
    if name.endswith("_on"):
        try:
            return date_format(date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    if name == "scale" and value in BusinessScale.values:
        return str(BusinessScale(value).label)
    return value


def reason_display(reason: object) -> str:
    """One stored reason as a sentence. Rankings stored before reasons had codes hold plain
    (Indonesian) text, shown as it is."""
    if not isinstance(reason, dict):
        return str(reason)
    template = REASON_TEXT.get(reason.get("code", ""))
    if template is None:
        return str(reason.get("code", ""))
    params = {name: _value(name, str(value)) for name, value in reason.get("params", {}).items()}
    try:
        return gettext(template).format(**params)
    except (KeyError, IndexError):  # a translation that names another parameter
        return template.format(**params)


def reasons_display(reasons: object) -> list[str]:
    return [reason_display(r) for r in (reasons or [])]


# Notes on where a bid stands in the evaluation, not why it fell or ranks where it does.
STATUS_NOTES = frozenset({VERDICT_PENDING, CLARIFICATION_PENDING})


def decisive_reasons_display(reasons: object) -> list[str]:
    """The reasons that decided a bid's place, without the notes on pending steps."""
    return [
        reason_display(r)
        for r in (reasons or [])
        if not (isinstance(r, dict) and r.get("code") in STATUS_NOTES)
    ]


# The stage of the evaluation each reason or flag belongs to (Perlem LKPP 12/2021): the
# minutes and the verdict page put each under its own stage.
ADMINISTRATIVE_TECHNICAL = "administrative_technical"
PRICE = "price"
RANKING = "ranking"
STAGE_OF = {
    **dict.fromkeys(
        (
            ev.FAILED_EVALUATION,
            ev.VERDICT_FAILED,
            ev.VERDICT_PENDING,
            ev.KBLI_MISMATCH,
            ev.VENDOR_NOT_VERIFIED,
            ev.RESERVED_NOT_SMALL,
            ev.MIN_TKDN_NOT_MET,
            ev.CERTIFICATE_REVOKED,
            ev.CERTIFICATE_EXPIRED,
            ev.HALAL_MISSING,
            # Qualification (step 4) is decided with the administrative checks: a verified
            # business, not blacklisted.
            ev.VENDOR_BLACKLISTED,
            ev.VENDOR_BLACKLISTED_OPEN,
        ),
        ADMINISTRATIVE_TECHNICAL,
    ),
    **dict.fromkeys(
        (
            ev.ABOVE_HPS,
            ev.PRICE_UNREASONABLE,
            ev.CLARIFICATION_PENDING,
            ev.CLARIFICATION_ACCEPTED,
            ev.UNBALANCED,
            ev.UNREASONABLY_LOW,
        ),
        PRICE,
    ),
}


def at_stage(reasons: object, stage: str) -> list[object]:
    """The stored reasons (or flags) of one stage; plain-text reasons of older rankings, and
    codes of no other stage, count as the ranking's."""
    return [
        r
        for r in (reasons or [])
        if (STAGE_OF.get(r.get("code")) if isinstance(r, dict) else None) == stage
        or (stage == RANKING and (not isinstance(r, dict) or r.get("code") not in STAGE_OF))
    ]
