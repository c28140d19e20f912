"""HTML fragments kept in the cache although they hold forms.

A form's CSRF token belongs to the visitor, so a fragment is rendered with a placeholder in
its place, and the middleware below puts the visitor's own token there in every HTML
response. The placeholder cannot be a token (tokens are 64 letters and digits)."""

from collections.abc import Callable, Iterable

from django import forms
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from freshness.cache import cached

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
