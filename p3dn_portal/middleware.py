from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


def indonesian_first(get_response: Callable[[HttpRequest], HttpResponse]):
    """The portal speaks Bahasa Indonesia unless the user chose English with the switcher:
    a browser or phone set to English does not decide it. (Django's LocaleMiddleware would
    follow the Accept-Language header; without it, it falls back to the cookie, then 'id'.)"""

    def middleware(request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return get_response(request)

    return middleware
