"""Display formatting shared by every app: `{% load p3dn %}`."""

import hashlib
from collections import OrderedDict
from functools import cache
from pathlib import Path

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms, template
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from freshness.cache import cached, key
from p3dn_portal.lib import form_html, formatting
from p3dn_portal.lib.fragments import render_to_keep

register = template.Library()
ROOT = Path(__file__).resolve().parents[2]

register.filter("rupiah", formatting.rupiah)
register.filter("percent", formatting.percent)
register.filter("jakarta", formatting.jakarta)
register.filter("jakarta_seconds", formatting.jakarta_seconds)
register.filter("day", formatting.day)


@register.filter
def verbose_name(instance: object) -> str:
    """The model's name of an object, capitalised: `Sertifikat TKDN`."""
    return capfirst(instance._meta.verbose_name)


@register.filter
def bootstrap_form(value: forms.BaseForm) -> str:
    """`{{ form|bootstrap_form }}`: the form as crispy's `|crispy` renders it, written directly when
    all its fields are simple (p3dn_portal.lib.form_html), through crispy otherwise."""
    if isinstance(value, forms.BaseForm) and form_html.is_simple(value):
        return form_html.form_html(value)
    return as_crispy_form(value)


NAVBAR = "includes/navbar.html"
NAVBAR_SECONDS = 60 * 60
# What the bar is made of: a deployment that changes any of them renders it anew, whatever
# the cache still holds from the code before.
NAVBAR_SOURCES = (
    ROOT / "templates" / NAVBAR,
    ROOT / "templates" / "includes" / "language_form.html",
    ROOT / "p3dn_portal" / "navigation.py",
)
# Bars already rendered by this process, the newest last: most requests find theirs here
# without asking the cache server.
NAVBAR_KEPT = 512
navbars_kept: OrderedDict[str, str] = OrderedDict()


@cache
def navbar_version() -> str:
    """A digest of the bar's template and code, part of its key."""
    digest = hashlib.blake2b(digest_size=8)
    for source in NAVBAR_SOURCES:
        digest.update(source.read_bytes())
    return digest.hexdigest()


@register.simple_tag(takes_context=True)
def navbar(context: template.Context) -> str:
    """The navigation bar, rendered once per visitor kind, page, language and what it shows
    of the user (name, role, unread count): every value it depends on is in the key, so it
    needs no data version. Its forms' tokens are filled in per visitor (lib.fragments)."""
    request = context.get("request")
    # No request, or one refused before the user was known (an error page): as anonymous.
    if request is None or not hasattr(request, "user"):
        return context.template.engine.get_template(NAVBAR).render(context)
    user = request.user
    parts = [navbar_version(), request.get_full_path()]
    if user.is_authenticated:
        unread = context.get("unread_notifications", 0)
        parts += [user.role, user.get_short_name(), user.vendor_member is not None, str(unread)]

    cache_key = key("navbar", (), parts, {})
    html = navbars_kept.get(cache_key)
    if html is None:
        html = cached(
            "navbar",
            lambda: render_to_keep(NAVBAR, context.flatten()),
            topics=(),
            parts=parts,
            timeout=NAVBAR_SECONDS,
        )
        navbars_kept[cache_key] = html
        if len(navbars_kept) > NAVBAR_KEPT:
            navbars_kept.popitem(last=False)
    return mark_safe(html)  # rendered from our own template, escaped there
