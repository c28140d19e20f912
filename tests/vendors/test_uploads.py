import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import PDF_BYTES, image_bytes, image_upload, pdf_upload
from vendors.uploads import (
    DOCUMENT_WRONG_TYPE,
    IMAGE_WRONG_TYPE,
    RandomName,
    clean_document,
    clean_image,
)


def test_a_valid_pdf_is_accepted_and_named_by_its_type():
    upload = clean_document(pdf_upload("Sertifikat TKDN final (1).PDF"))
    assert upload.name == "berkas.pdf"
    assert upload.content_type == "application/pdf"


def test_a_scanned_image_is_accepted_as_a_document():
    assert clean_document(image_upload("scan.png")).name == "berkas.png"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("sertifikat.pdf", b"MZ\x90\x00\x03\x00\x00\x00 this is a Windows program"),
        ("sertifikat.pdf", b"PK\x03\x04 a zip or docx renamed to pdf"),
        ("sertifikat.pdf", b"<html><script>alert(1)</script></html>"),
        ("sertifikat.pdf", b""),
    ],
)
def test_a_renamed_non_pdf_is_refused(name, content):
    with pytest.raises(ValidationError) as raised:
        clean_document(SimpleUploadedFile(name, content, content_type="application/pdf"))
    assert raised.value.messages == [str(DOCUMENT_WRONG_TYPE)]


def test_a_truncated_image_is_refused():
    broken = image_bytes("PNG", (64, 64))[:60]
    with pytest.raises(ValidationError):
        clean_document(SimpleUploadedFile("scan.png", broken, content_type="image/png"))


def test_an_oversized_file_is_refused_with_the_limit(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    big = SimpleUploadedFile("besar.pdf", PDF_BYTES + b"0" * 2048, content_type="application/pdf")
    with pytest.raises(ValidationError) as raised:
        clean_document(big)
    assert raised.value.code == "file_too_large"
    assert "1,0" in raised.value.messages[0] or "1.0" in raised.value.messages[0]


def test_photos_must_be_whole_images():
    assert clean_image(image_upload("foto.jpg", "JPEG")).name == "foto.jpg"
    with pytest.raises(ValidationError) as raised:
        clean_image(pdf_upload("foto.png"))
    assert raised.value.messages == [str(IMAGE_WRONG_TYPE)]


def test_stored_names_are_random_and_keep_only_the_checked_extension():
    upload_to = RandomName("tkdn")
    first, second = upload_to(None, "berkas.pdf"), upload_to(None, "berkas.pdf")
    assert first != second
    assert first.startswith("tkdn/") and first.endswith(".pdf")
    assert "berkas" not in first
