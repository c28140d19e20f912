"""Display formatting shared by every app: `{% load p3dn %}`."""

from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django import template
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from freshness.cache import cached
from p3dn_portal.lib.fragments import render_to_keep
from p3dn_portal.lib.money import round_percent, round_rupiah

register = template.Library()

JAKARTA = ZoneInfo("Asia/Jakarta")


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
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


@register.filter
def percent(value: object) -> str:
    """`42,50%` in Indonesian, `42.50%` in English."""
    number = _decimal(value)
    if number is None:
        return ""
    return f"{formats.number_format(round_percent(number), 2, use_l10n=True)}%"


@register.filter
def jakarta(value: datetime | None) -> str:
    """An aware date-time shown in the portal's zone (Asia/Jakarta) with its zone name."""
    if not isinstance(value, datetime):
        return ""
    local = timezone.localtime(value, JAKARTA)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} WIB"


@register.filter
def jakarta_seconds(value: datetime | None) -> str:
    """A moment to the second, in Jakarta time: what a receipt shows."""
    if not isinstance(value, datetime):
        return ""
    local = timezone.localtime(value, JAKARTA)
    return f"{formats.date_format(local, 'DATE_FORMAT')} {local:%H:%M:%S} WIB"


@register.filter
def verbose_name(instance: object) -> str:
    """The model's name of an object, capitalised: `Sertifikat TKDN`."""
    return capfirst(instance._meta.verbose_name)


NAVBAR = "includes/navbar.html"
NAVBAR_SECONDS = 60 * 60


@register.simple_tag(takes_context=True)
def navbar(context: template.Context) -> str:
    """The navigation bar, rendered once per visitor kind, page and what it shows of the
    user (name, role, unread count): every value it depends on is in the key, so it needs
    no data version. Its forms' tokens are filled in per visitor (lib.fragments)."""
    request = context.get("request")
    # No request, or one refused before the user was known (an error page): as anonymous.
    if request is None or not hasattr(request, "user"):
        return context.template.engine.get_template(NAVBAR).render(context)
    user = request.user
    parts = [request.get_full_path()]
    if user.is_authenticated:
        unread = context.get("unread_notifications", 0)
        parts += [user.role, user.get_short_name(), user.vendor_member is not None, str(unread)]

    html = cached(
        "navbar",
        lambda: render_to_keep(NAVBAR, context.flatten()),
        topics=(),
        parts=parts,
        timeout=NAVBAR_SECONDS,
    )
    return mark_safe(html)  # rendered from our own template, escaped there
