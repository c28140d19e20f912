"""HTML fragments kept in the cache although they hold forms.

A form's CSRF token belongs to the visitor, so a fragment is rendered with a placeholder in
its place, and the middleware below puts the visitor's own token there in every HTML
response. The placeholder cannot be a token (tokens are 64 letters and digits)."""

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

from django import forms
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import Context
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from freshness.cache import cached, key

ROOT = Path(__file__).resolve().parents[2]
CSRF_PLACEHOLDER = "csrf-token-of-this-visitor"
_PLACEHOLDER = CSRF_PLACEHOLDER.encode()


def render_to_keep(template_name: str, context: dict, request: HttpRequest | None = None) -> str:
    """HTML to keep in the cache: its forms hold the placeholder, not this visitor's token."""
    return render_to_string(template_name, {**context, "csrf_token": CSRF_PLACEHOLDER}, request)


def csrf_placeholders(get_response: Callable[[HttpRequest], HttpResponse]):
    """Listed after CsrfViewMiddleware, so that the token asked for here still gets its
    cookie set on the way out."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if (
            not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and _PLACEHOLDER in response.content
        ):
            response.content = response.content.replace(_PLACEHOLDER, get_token(request).encode())
        return response

    return middleware


def filter_form_html(
    template_name: str, form: forms.Form, *, topics: Iterable[str], parts: Iterable = ()
) -> str:
    """A filter form (GET: no token) as HTML, rendered once per input and per state of the
    data its choices come from (`topics`: the OPDs, the cities...)."""
    return cached(
        template_name,
        lambda: render_to_string(template_name, {"form": form}),
        topics=topics,
        parts=(sorted(form.data.lists()), *parts),
    )


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


def navbar_html(context: Context) -> str:
    """The navigation bar (`{% navbar %}`), rendered once per visitor kind, page, language
    and what it shows of the user (name, role, unread count): every value it depends on is
    in the key, so it needs no data version. Its forms' tokens are filled in per visitor
    (csrf_placeholders above)."""
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
