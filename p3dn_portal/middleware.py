import sys
from collections.abc import Callable

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

# Seconds a client (or a proxy) is asked to wait before trying again.
DATABASE_RETRY_AFTER = 120


def indonesian_first(get_response: Callable[[HttpRequest], HttpResponse]):
    """The portal speaks Bahasa Indonesia unless the user chose English with the switcher:
    a browser or phone set to English does not decide it. (Django's LocaleMiddleware would
    follow the Accept-Language header; without it, it falls back to the cookie, then 'id'.)"""

    def middleware(request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return get_response(request)

    return middleware


def database_unavailable(get_response: Callable[[HttpRequest], HttpResponse]):
    """A request that failed because PostgreSQL could not be reached (restarting, failing
    over, out of connections) gets a 503 page saying to try again shortly, with Retry-After,
    instead of the 500 page. Nothing else is needed to recover: with CONN_HEALTH_CHECKS the
    next request drops the broken connection and opens a new one.

    Django turns an exception into a response at every middleware layer, so an outer layer
    never sees it: the got_request_exception signal, sent while it is being handled, marks
    the request, and this middleware replaces the error response."""
    got_request_exception.connect(_mark_database_failure, dispatch_uid=__name__)

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if getattr(request, "_p3dn_database_unavailable", False):
            return database_unavailable_response()
        return response

    return middleware


def _mark_database_failure(sender, request: HttpRequest | None = None, **kwargs) -> None:
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, OperationalError | InterfaceError):
        request._p3dn_database_unavailable = True


def database_unavailable_response() -> HttpResponse:
    # Rendered without the request: the context processors would query the database.
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response
