"""Uploaded evidence: certificate PDFs and scans, product photos, objection attachments.
Checked by content (never by the name or the browser's word), limited in size, images decoded
and re-encoded (no metadata, no trailing payload), stored privately under a random name. The
name the user's computer gave the file is never used for storage or served back: only a
sanitised copy (`display_name`) may be shown."""

import io
import re
import unicodedata
import uuid
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

DOCUMENT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
_PILLOW_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# A phone photo is 12-50 megapixels; anything far beyond is a decompression bomb.
IMAGE_MAX_PIXELS = 60_000_000
JPEG_QUALITY = 90
# Browsers decide "this is HTML" from the first bytes; a PDF opening with markup is a
# polyglot meant to be rendered as a page, never a scanned certificate.
_MARKUP_HEAD_BYTES = 1024
_MARKUP = re.compile(rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|object|embed|\?xml)", re.I)
# PDF features that run code or carry other files: certificates never need them. (A `/JS`
# key always comes with `/S /JavaScript`; three bytes alone would match compressed data.)
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|Launch|EmbeddedFiles?|RichMedia|XFA)(?![A-Za-z0-9])")
_PDF_TAIL_BYTES = 2048
# The same, as pypdf reads them (name escapes such as `/#4A#61vaScript` decoded, objects
# inside compressed object streams included): keys that carry a script, an attachment or an
# XFA form, and the kinds of action and object that do.
_PDF_ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/Launch", "/EmbeddedFiles", "/EmbeddedFile", "/XFA", "/RichMedia"}
)
_PDF_ACTIVE_NAMES = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/ImportData",
        "/GoToE",
        "/RichMediaExecute",
        "/EmbeddedFile",
        "/RichMedia",
    }
)
_PDF_ACTIVE_NAME_KEYS = ("/S", "/Type", "/Subtype")
_PDF_NESTING_MAX = 64
_CHUNK = 64 * 1024
DISPLAY_NAME_MAX = 100
PRIVATE_FILE_URL = "Private files have no URL: link to the view that serves them."

FILE_TOO_LARGE = _("Berkas terlalu besar ({size}). Batasnya {limit}: perkecil atau pindai ulang.")
FILE_EMPTY = _("Berkas kosong (0 byte). Pilih berkas yang benar di komputer Anda lalu unggah lagi.")
DOCUMENT_WRONG_TYPE = _(
    "Berkas harus PDF, JPG, atau PNG (isi berkasnya diperiksa, bukan namanya). Simpan atau "
    "pindai sertifikat sebagai PDF lalu unggah lagi."
)
PDF_LOCKED = _(
    "PDF ini dikunci dengan kata sandi sehingga isinya tidak dapat diperiksa. Simpan ulang "
    "dokumennya tanpa kata sandi (menu Cetak → Simpan sebagai PDF) lalu unggah lagi."
)
PDF_ACTIVE_CONTENT = _(
    "PDF ini berisi skrip, formulir interaktif, atau berkas tersemat, yang tidak diterima. "
    "Cetak ulang dokumennya ke PDF (menu Cetak → Simpan sebagai PDF) lalu unggah lagi."
)
IMAGE_WRONG_TYPE = _("Foto harus gambar JPG, PNG, atau WebP yang utuh. Pilih berkas foto lain.")
IMAGE_TOO_MANY_PIXELS = _(
    "Gambar terlalu besar (lebih dari 60 megapiksel). Perkecil ukurannya dalam piksel lalu "
    "unggah lagi."
)


def _check_size(upload: UploadedFile) -> None:
    if not upload.size:
        raise ValidationError(FILE_EMPTY, code="file_empty")
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            FILE_TOO_LARGE.format(size=filesizeformat(upload.size), limit=filesizeformat(limit)),
            code="file_too_large",
        )


def _sniff(upload: UploadedFile) -> str | None:
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    return kind.mime if kind else None


def sniff_bytes(head: bytes) -> str | None:
    """The content type of a file from its first bytes, or None when not recognised."""
    kind = filetype.guess(head)
    return kind.mime if kind else None


def _chunks(upload: UploadedFile):
    """The whole upload in overlapping pieces, so that a marker cut in two is still seen."""
    upload.seek(0)
    tail = b""
    while piece := upload.read(_CHUNK):
        yield tail + piece
        tail = piece[-32:]
    upload.seek(0)


def _pdf_problem(upload: UploadedFile) -> str | None:
    """None for a plain PDF; otherwise the message to show."""
    upload.seek(0)
    head = upload.read(_MARKUP_HEAD_BYTES)
    upload.seek(max(upload.size - _PDF_TAIL_BYTES, 0))
    tail = upload.read(_PDF_TAIL_BYTES)
    upload.seek(0)
    if _MARKUP.search(head) or b"%%EOF" not in tail:
        return DOCUMENT_WRONG_TYPE
    if any(_PDF_ACTIVE.search(chunk) for chunk in _chunks(upload)):
        return PDF_ACTIVE_CONTENT
    return _parsed_pdf_problem(upload)


def _parsed_pdf_problem(upload: UploadedFile) -> str | None:
    """The PDF as a viewer reads it (pypdf): every object, those in compressed object streams
    too, with names unescaped, so that `/#4A#61vaScript` or a script inside a compressed
    stream is found as well as a plain `/JavaScript`. A file pypdf cannot read is no PDF a
    certificate comes as."""
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return PDF_LOCKED
        for number, generation in _pdf_object_ids(reader):
            if _pdf_active(reader.get_object(IndirectObject(number, generation, reader)), 0):
                return PDF_ACTIVE_CONTENT
    except Exception:  # whatever pypdf raises on a malformed file: not a whole PDF
        return DOCUMENT_WRONG_TYPE
    finally:
        upload.seek(0)
    return None


def _pdf_object_ids(reader: PdfReader):
    for generation, numbers in reader.xref.items():
        for number in numbers:
            yield number, generation
    for number in reader.xref_objStm:
        yield number, 0


def _pdf_active(obj: object, depth: int) -> bool:
    """Whether a PDF object holds a script, a launch action, an attachment or XFA; indirect
    references are not followed (each indirect object is read on its own)."""
    if depth > _PDF_NESTING_MAX:
        return True
    if isinstance(obj, DictionaryObject):
        for key, value in obj.items():
            if key in _PDF_ACTIVE_KEYS:
                return True
            if key in _PDF_ACTIVE_NAME_KEYS and value in _PDF_ACTIVE_NAMES:
                return True
            if _pdf_active(value, depth + 1):
                return True
    elif isinstance(obj, ArrayObject):
        return any(_pdf_active(value, depth + 1) for value in obj)
    return False


def _reencoded(upload: UploadedFile, mime: str, wrong_type: str) -> bytes:
    """The image decoded in full and written again by Pillow: truncated or forged files fail
    here, and what comes out holds pixels only (no EXIF location, no appended payload)."""
    too_many_pixels = ValidationError(IMAGE_TOO_MANY_PIXELS, code="image_too_large")
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if _PILLOW_FORMATS.get(image.format or "") != mime:
                raise ValidationError(wrong_type, code="file_wrong_type")
            width, height = image.size
            if width * height > IMAGE_MAX_PIXELS:
                raise too_many_pixels
            image.load()
            upright = ImageOps.exif_transpose(image)
            return _encode(upright, image.format)
    except ValidationError:
        raise
    # Pillow's own bomb check, above IMAGE_MAX_PIXELS: an error, or a warning that the test
    # settings (and any strict warning filter) turn into one.
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels from None
    # Pillow's decoders raise many kinds of error on hostile input (OSError, ValueError,
    # SyntaxError, struct.error, ZeroDivisionError...): each means "not a whole image".
    except Exception:
        raise ValidationError(wrong_type, code="file_wrong_type") from None
    finally:
        upload.seek(0)


def _encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif fmt == "PNG":
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
            image = image.convert("RGBA")
        image.save(buffer, "PNG", optimize=True)
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(buffer, "WEBP", quality=JPEG_QUALITY)
    return buffer.getvalue()


def _checked(content: bytes, stem: str, mime: str, extension: str, original: str) -> UploadedFile:
    upload = SimpleUploadedFile(f"{stem}.{extension}", content, content_type=mime)
    upload.display_name = display_name(original)
    return upload


def clean_document(upload: UploadedFile) -> UploadedFile:
    """A certificate or an attachment: PDF or a scanned image. Returns the upload named by
    its real type (a scan re-encoded), with the sanitised original name as `display_name`."""
    _check_size(upload)
    mime = _sniff(upload)
    if mime not in DOCUMENT_TYPES:
        raise ValidationError(DOCUMENT_WRONG_TYPE, code="file_wrong_type")
    original = upload.name or ""
    if mime != "application/pdf":
        content = _reencoded(upload, mime, DOCUMENT_WRONG_TYPE)
        return _checked(content, "berkas", mime, DOCUMENT_TYPES[mime], original)
    problem = _pdf_problem(upload)
    if problem is not None:
        code = "file_wrong_type"
        if problem is PDF_ACTIVE_CONTENT:
            code = "pdf_active_content"
        elif problem is PDF_LOCKED:
            code = "pdf_locked"
        raise ValidationError(problem, code=code)
    upload.name = "berkas.pdf"
    upload.content_type = mime
    upload.display_name = display_name(original)
    return upload


def clean_image(upload: UploadedFile) -> UploadedFile:
    """A product photo: JPG, PNG or WebP, re-encoded."""
    _check_size(upload)
    mime = _sniff(upload)
    if mime not in IMAGE_TYPES:
        raise ValidationError(IMAGE_WRONG_TYPE, code="file_wrong_type")
    content = _reencoded(upload, mime, IMAGE_WRONG_TYPE)
    return _checked(content, "foto", mime, IMAGE_TYPES[mime], upload.name or "")


def display_name(name: str) -> str:
    """The name a user's computer gave a file, safe to show: the last path part only (either
    slash), no control characters, NFC, at most DISPLAY_NAME_MAX characters with the
    extension kept. Never used to store or serve the file."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    text = " ".join(text.split()).strip(" .")
    if not text:
        return "berkas"
    if len(text) > DISPLAY_NAME_MAX:
        suffix = PurePath(text).suffix[:10]
        text = text[: DISPLAY_NAME_MAX - len(suffix)].rstrip(" .") + suffix
    return text


_SAFE_SUFFIX = re.compile(r"\.[a-z0-9]{1,5}")


@deconstructible
class RandomName:
    """An upload_to that keeps only the (checked) extension and draws a random name."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, instance: object, filename: str) -> str:
        suffix = PurePath(str(filename).replace("\\", "/")).suffix.lower()
        return f"{self.folder}/{uuid.uuid4().hex}{suffix if _SAFE_SUFFIX.fullmatch(suffix) else ''}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RandomName) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)


class PrivateStorage(LazyObject):
    """Files no URL serves: they are read through views that check who asks. Lazy, so that
    the STORAGES setting is read when a file is touched, not when models are imported."""

    def _setup(self) -> None:
        self._wrapped = storages["private"]

    def url(self, name: str | None) -> str:
        # FileSystemStorage falls back to MEDIA_URL when base_url is None: a link built from
        # it would name the stored file and lead nowhere. Link to the view that checks who
        # asks instead (certificate-file, product-photo, objection-attachment).
        raise ValueError(PRIVATE_FILE_URL)


private_files = PrivateStorage()


def private_storage() -> PrivateStorage:
    return private_files


@receiver(setting_changed)
def _private_storage_reset(*, setting: str, **kwargs: object) -> None:
    if setting in ("STORAGES", "MEDIA_ROOT"):
        private_files._wrapped = empty
