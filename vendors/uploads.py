"""Uploaded evidence: certificate PDFs and scans, product photos. Checked by content (never
by the name or the browser's word), limited in size, stored privately under a random name."""

import uuid
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import UploadedFile
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

DOCUMENT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
_PILLOW_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}

FILE_TOO_LARGE = _("Berkas terlalu besar ({size}). Batasnya {limit}: perkecil atau pindai ulang.")
DOCUMENT_WRONG_TYPE = _(
    "Berkas harus PDF, JPG, atau PNG (isi berkasnya diperiksa, bukan namanya). Simpan atau "
    "pindai sertifikat sebagai PDF lalu unggah lagi."
)
IMAGE_WRONG_TYPE = _("Foto harus gambar JPG, PNG, atau WebP yang utuh. Pilih berkas foto lain.")


def _check_size(upload: UploadedFile) -> None:
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


def _is_whole_image(upload: UploadedFile, mime: str) -> bool:
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            detected = _PILLOW_FORMATS.get(image.format or "")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False
    finally:
        upload.seek(0)
    return detected == mime


def clean_document(upload: UploadedFile) -> UploadedFile:
    """A certificate: PDF or a scanned image. Returns the upload renamed to its real type."""
    _check_size(upload)
    mime = _sniff(upload)
    if mime not in DOCUMENT_TYPES or (
        mime != "application/pdf" and not _is_whole_image(upload, mime)
    ):
        raise ValidationError(DOCUMENT_WRONG_TYPE, code="file_wrong_type")
    upload.name = f"berkas.{DOCUMENT_TYPES[mime]}"
    upload.content_type = mime
    return upload


def clean_image(upload: UploadedFile) -> UploadedFile:
    _check_size(upload)
    mime = _sniff(upload)
    if mime not in IMAGE_TYPES or not _is_whole_image(upload, mime):
        raise ValidationError(IMAGE_WRONG_TYPE, code="file_wrong_type")
    upload.name = f"foto.{IMAGE_TYPES[mime]}"
    upload.content_type = mime
    return upload


@deconstructible
class RandomName:
    """An upload_to that keeps only the (checked) extension and draws a random name."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, instance: object, filename: str) -> str:
        return f"{self.folder}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RandomName) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)


class PrivateStorage(LazyObject):
    """Files no URL serves: they are read through views that check who asks. Lazy, so that
    the STORAGES setting is read when a file is touched, not when models are imported."""

    def _setup(self) -> None:
        self._wrapped = storages["private"]


private_files = PrivateStorage()


def private_storage() -> PrivateStorage:
    return private_files


@receiver(setting_changed)
def _private_storage_reset(*, setting: str, **kwargs: object) -> None:
    if setting in ("STORAGES", "MEDIA_ROOT"):
        private_files._wrapped = empty
