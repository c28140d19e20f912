"""Middleware refusing, before any view reads them, requests no form of the portal can take:
a body larger than REQUEST_MAX_BYTES, and admin parameters no admin page sends."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import TO_FIELD_VAR
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

REQUEST_TOO_LARGE = _(
    "Kiriman terlalu besar ({size} MB; batasnya {limit} MB). Kirim berkas yang lebih kecil, "
    "atau lebih sedikit berkas sekaligus."
)
BAD_ADMIN_LINK = _(
    "Permintaan ini berisi nilai yang tidak dikirim halaman admin mana pun (tautan yang "
    "diubah, atau halaman lama). Buka lagi halaman daftar dari menu admin, lalu ulangi."
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


class AdminParametersChecked:
    """Django's admin puts some request parameters straight into a lookup, where a value no
    admin page sends was a server error: NUL (PostgreSQL text cannot hold it) in list
    filters and search, an empty `_to_field` on a change page (FieldDoesNotExist), and a
    `_selected_action` that is no id of the model (ValueError). The portal's own forms
    refuse such values field by field; an admin request carrying one gets 400."""

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
            if TO_FIELD_VAR in querydict and not querydict[TO_FIELD_VAR]:
                return _plain(str(BAD_ADMIN_LINK), 400)
        model_admin = getattr(view_func, "model_admin", None)
        if model_admin is not None and request.method == "POST":
            selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
            if not _all_ids_of(model_admin.model, selected):
                return _plain(str(BAD_ADMIN_LINK), 400)
        return None


def _all_ids_of(model, values: list[str]) -> bool:
    try:
        for value in values:
            model._meta.pk.to_python(value)
    except ValidationError:
        return False
    return True
