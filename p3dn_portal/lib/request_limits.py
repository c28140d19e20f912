"""Middleware refusing, before any view reads them, requests no form of the portal can take:
a body larger than REQUEST_MAX_BYTES, and NUL characters in the admin's parameters."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

REQUEST_TOO_LARGE = _(
    "Kiriman terlalu besar ({size} MB; batasnya {limit} MB). Kirim berkas yang lebih kecil, "
    "atau lebih sedikit berkas sekaligus."
)
NULL_CHARACTER = _(
    "Isian berisi karakter NUL (\\0) yang tidak dapat disimpan. Ketik ulang isian itu (jangan "
    "menempel dari berkas biner) lalu kirim lagi."
)


def _plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def request_size_limit(get_response: Callable[[HttpRequest], HttpResponse]):
    """Refuse a request whose body is larger than REQUEST_MAX_BYTES before Django reads it
    (DATA_UPLOAD_MAX_MEMORY_SIZE leaves uploaded files out, so without this a request could
    stream gigabytes to the temporary folder)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.REQUEST_MAX_BYTES
        if length > limit:
            size, most = round(length / 1024 / 1024, 1), round(limit / 1024 / 1024)
            return _plain(REQUEST_TOO_LARGE.format(size=size, limit=most), 413)
        return get_response(request)

    return middleware


class NullCharactersRefusedInAdmin:
    """PostgreSQL text cannot hold NUL. The portal's own forms refuse it field by field (and
    its filter pages report it and go on); Django's admin puts list-filter and search values
    straight into a lookup, where it was a server error. Admin requests carrying NUL get 400."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not (hasattr(view_func, "admin_site") or hasattr(view_func, "model_admin")):
            return None
        params = [request.GET]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            params.append(request.POST)
        for querydict in params:
            for key, values in querydict.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    return _plain(str(NULL_CHARACTER), 400)
        return None
