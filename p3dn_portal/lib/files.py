"""Serving a private file (never from a public URL) once a view has checked who asks."""

import filetype
from django.http import FileResponse, Http404
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

# What the portal ever stores (uploads are checked by content); anything else read back from
# the storage is served as bytes to download, never as something a browser renders.
SERVED_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
}
DOWNLOAD = "application/octet-stream"
# Even a file a browser does render may run nothing and load nothing.
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
FILE_MISSING = _("Berkas tidak ditemukan di penyimpanan. Minta pemiliknya mengunggah ulang.")


def download_name(stem: str, extension: str) -> str:
    """A file name that is safe in a header on any browser: ASCII letters, digits and
    dashes, from domain data (a certificate number, an id), never from the uploader."""
    base = slugify(stem)[:80].strip("-") or "berkas"
    return f"{base}.{extension}"


def private_file_response(field_file, *, name: str) -> FileResponse:
    """The stored file as a download (`Content-Disposition: attachment`), typed by what its
    bytes are, not by its name. Every file, photos too: opened on its own it is downloaded,
    never rendered as a page of the portal's origin, and an <img> shows a photo all the same
    (browsers ignore Content-Disposition for images in a page)."""
    try:
        handle = field_file.storage.open(field_file.name, "rb")
    except FileNotFoundError:
        raise Http404(FILE_MISSING) from None
    head = handle.read(8192)
    handle.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind and kind.mime in SERVED_TYPES else DOWNLOAD
    response = FileResponse(
        handle,
        content_type=mime,
        as_attachment=True,
        filename=download_name(name, SERVED_TYPES.get(mime, "bin")),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, max-age=300"
    return response
