import io
import re
import struct
import zlib
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.static import serve
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfWriter

from p3dn_portal import settings as conf
from p3dn_portal.lib.files import download_name
from p3dn_portal.lib.request_limits import REQUEST_TOO_LARGE
from procurement import services as procurement_services
from procurement.rules import Status
from tests import factories
from tests.factories import PDF_BYTES, image_bytes, image_upload, pdf_upload
from tests.procurement.conftest import (
    _bidder,
    evaluate_now,
    lines_for,
    pass_all_bids,
    past_deadline,
)
from vendors.models import Product, ProductPhoto, VendorStatus
from vendors.uploads import (
    DISPLAY_NAME_MAX,
    DOCUMENT_WRONG_TYPE,
    FILE_EMPTY,
    IMAGE_TOO_MANY_PIXELS,
    IMAGE_WRONG_TYPE,
    PDF_ACTIVE_CONTENT,
    PDF_LOCKED,
    RandomName,
    clean_document,
    clean_image,
    display_name,
)

# Tests of storing and serving files run on the folder and on an S3 bucket.
both_storages = pytest.mark.both_storages

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
POLYGLOT_PDF_HTML = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n" + PDF_BYTES
PDF_WITH_SCRIPT = PDF_BYTES.replace(
    b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>"
)
PDF_WITH_EMBEDDED_FILE = PDF_BYTES.replace(
    b"/Type/Catalog", b"/Type/Catalog/Names<</EmbeddedFiles 4 0 R>>"
)


# The catalog's opening action with its names escaped (`#4A` is J): no byte says JavaScript.
PDF_WITH_ESCAPED_SCRIPT = PDF_BYTES.replace(
    b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/#4A#61vaScript/#4A#53(app.alert(1))>>"
)


def pdf_with_object_stream(inner: bytes) -> bytes:
    """A PDF 1.5 whose object 4 (the catalog's /OpenAction) lives in a compressed object
    stream, indexed by a cross-reference stream, as today's PDF writers make them: `inner`
    never appears in the file's bytes."""
    body = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    plain = {
        1: b"<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>",
        2: b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        3: b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>",
    }
    for number, content in plain.items():
        offsets[number] = len(body)
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    index = b"4 0 "
    packed = zlib.compress(index + inner)
    offsets[5] = len(body)
    body += (
        b"5 0 obj\n<</Type/ObjStm/N 1/First %d/Filter/FlateDecode/Length %d>>\nstream\n"
        % (len(index), len(packed))
        + packed
        + b"\nendstream\nendobj\n"
    )
    offsets[6] = len(body)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    rows += [struct.pack(">BIH", 1, offsets[n], 0) for n in (1, 2, 3)]
    rows.append(struct.pack(">BIH", 2, 5, 0))  # object 4: in object stream 5, first in it
    rows += [struct.pack(">BIH", 1, offsets[n], 0) for n in (5, 6)]
    table = b"".join(rows)
    body += (
        b"6 0 obj\n<</Type/XRef/Size 7/W[1 4 2]/Root 1 0 R/Length %d>>\nstream\n" % len(table)
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[6]
    )
    return bytes(body)


def _encrypted_pdf(user_password: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password=user_password, owner_password="pemilik", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _refusal(clean, upload, message) -> ValidationError:
    with pytest.raises(ValidationError, match=re.escape(str(message))) as raised:
        clean(upload)
    return raised.value


# Checked by content --------------------------------------------------------------------------


def test_a_valid_pdf_is_accepted_and_named_by_its_type():
    upload = clean_document(pdf_upload("Sertifikat TKDN final (1).PDF"))
    assert upload.name == "berkas.pdf"
    assert upload.content_type == "application/pdf"
    assert upload.display_name == "Sertifikat TKDN final (1).PDF"


def test_a_scanned_image_is_accepted_as_a_document():
    assert clean_document(image_upload("scan.png")).name == "berkas.png"


def test_a_pdf_renamed_jpg_is_a_pdf_for_a_certificate_and_no_photo():
    assert clean_document(pdf_upload("scan.jpg")).name == "berkas.pdf"
    refusal = _refusal(clean_image, _upload("foto.jpg", PDF_BYTES, "image/jpeg"), IMAGE_WRONG_TYPE)
    assert refusal.messages == [str(IMAGE_WRONG_TYPE)]


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00\x03\x00\x00\x00 this is a Windows program",
        b"PK\x03\x04 a zip or docx renamed to pdf",
        HTML,
        SVG,
        b"%PDF-1.4 cut off before its end",  # no %%EOF: not a whole PDF
        POLYGLOT_PDF_HTML,
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;" + HTML,  # a GIF is no accepted type either
    ],
    ids=["exe", "zip", "html", "svg", "truncated-pdf", "pdf-html-polyglot", "gif-polyglot"],
)
def test_a_renamed_or_polyglot_file_is_refused_as_a_document(content):
    refusal = _refusal(clean_document, _upload("sertifikat.pdf", content), DOCUMENT_WRONG_TYPE)
    assert refusal.messages == [str(DOCUMENT_WRONG_TYPE)]
    assert refusal.code == "file_wrong_type"


@pytest.mark.parametrize("content", [PDF_WITH_SCRIPT, PDF_WITH_EMBEDDED_FILE])
def test_a_pdf_with_scripts_or_embedded_files_is_refused_with_what_to_do(content):
    refusal = _refusal(clean_document, _upload("sertifikat.pdf", content), PDF_ACTIVE_CONTENT)
    assert refusal.messages == [str(PDF_ACTIVE_CONTENT)]
    assert "Simpan sebagai PDF" in refusal.messages[0]


@pytest.mark.parametrize(
    "content",
    [
        PDF_WITH_ESCAPED_SCRIPT,
        pdf_with_object_stream(b"<</S/JavaScript/JS(app.alert(1))>>"),
        pdf_with_object_stream(b"<</S/#4A#61vaScript/JS 7 0 R>>"),
        pdf_with_object_stream(b"<</S/Launch/F(cmd.exe)>>"),
        pdf_with_object_stream(b"<</Type/Filespec/EF<</F<</Type/EmbeddedFile>>>>>>"),
        pdf_with_object_stream(b"<</S/GoTo/D[3 0 R/Fit]/Next<</AcroForm<</XFA[]>>>>>>"),
    ],
    ids=["escaped-name", "objstm-js", "objstm-escaped-js", "launch", "embedded-file", "xfa"],
)
def test_a_pdf_hiding_scripts_or_attachments_from_a_byte_search_is_refused(content):
    assert b"JavaScript" not in content and b"Launch" not in content
    refusal = _refusal(clean_document, _upload("sertifikat.pdf", content), PDF_ACTIVE_CONTENT)
    assert refusal.messages == [str(PDF_ACTIVE_CONTENT)]
    assert refusal.code == "pdf_active_content"


def test_a_pdf_with_an_object_stream_and_a_plain_action_is_accepted():
    content = pdf_with_object_stream(b"<</S/GoTo/D[3 0 R/Fit]>>")
    assert clean_document(_upload("sertifikat.pdf", content)).name == "berkas.pdf"


def test_a_pdf_locked_with_a_password_is_refused_and_one_only_restricted_is_taken():
    refusal = _refusal(
        clean_document, _upload("sertifikat.pdf", _encrypted_pdf("rahasia")), PDF_LOCKED
    )
    assert refusal.messages == [str(PDF_LOCKED)]
    assert clean_document(_upload("sertifikat.pdf", _encrypted_pdf(""))).name == "berkas.pdf"


def test_a_script_marker_split_across_reading_chunks_is_still_found():
    start = PDF_BYTES.index(b"trailer")
    # `/JavaScript` starts 5 bytes before the first 64 KiB piece ends.
    padding = b"%" + b"x" * (64 * 1024 - 5 - start - 2) + b"\n"
    content = PDF_BYTES[:start] + padding + b"/JavaScript " + PDF_BYTES[start:]
    assert content.index(b"/JavaScript") == 64 * 1024 - 5
    refusal = _refusal(clean_document, _upload("sertifikat.pdf", content), PDF_ACTIVE_CONTENT)
    assert refusal.messages == [str(PDF_ACTIVE_CONTENT)]


@pytest.mark.parametrize("clean", [clean_document, clean_image])
def test_an_empty_file_is_refused_as_empty(clean):
    refusal = _refusal(clean, _upload("kosong.pdf", b""), FILE_EMPTY)
    assert refusal.messages == [str(FILE_EMPTY)]
    assert refusal.code == "file_empty"


def test_a_truncated_image_is_refused():
    broken = image_bytes("PNG", (64, 64))[:60]
    refusal = _refusal(
        clean_document, _upload("scan.png", broken, "image/png"), DOCUMENT_WRONG_TYPE
    )
    assert refusal.messages == [str(DOCUMENT_WRONG_TYPE)]


def test_an_oversized_file_is_refused_with_the_limit(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    big = _upload("besar.pdf", PDF_BYTES + b"0" * 2048)
    refusal = _refusal(clean_document, big, "Berkas terlalu besar")
    assert refusal.code == "file_too_large"
    assert "1,0" in refusal.messages[0] or "1.0" in refusal.messages[0]


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    buffer = io.BytesIO()
    # 1-bit pixels: 144 megapixels, a few kilobytes on disk, 2 GB once decoded as RGB.
    Image.new("1", (12000, 12000)).save(buffer, "PNG")
    refusal = _refusal(
        clean_image, _upload("bom.png", buffer.getvalue(), "image/png"), IMAGE_TOO_MANY_PIXELS
    )
    assert refusal.messages == [str(IMAGE_TOO_MANY_PIXELS)]


def test_photos_must_be_whole_images():
    assert clean_image(image_upload("foto.jpg", "JPEG")).name == "foto.jpg"
    refusal = _refusal(clean_image, pdf_upload("foto.png"), IMAGE_WRONG_TYPE)
    assert refusal.messages == [str(IMAGE_WRONG_TYPE)]


def test_a_photo_is_re_encoded_without_its_metadata_or_a_payload_after_it():
    exif = Image.Exif()
    exif[0x010F] = "Kamera Rahasia"  # Make
    buffer = io.BytesIO()
    Image.new("RGB", (32, 16), (10, 120, 30)).save(buffer, "JPEG", exif=exif.tobytes())
    sent = buffer.getvalue() + HTML  # a JPEG polyglot: HTML after the end of the image
    cleaned = clean_image(_upload("foto.jpg", sent, "image/jpeg"))
    content = cleaned.read()
    assert b"Kamera Rahasia" not in content
    assert b"<script" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert (image.format, image.size) == ("JPEG", (32, 16))
        assert not image.getexif()


# Names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\boot.ini", "boot.ini"),
        ("C:\\Users\\Budi\\Sertifikat TKDN.pdf", "Sertifikat TKDN.pdf"),
        ("sertifikat\x00.pdf.exe", "sertifikat .pdf.exe"),
        ('a"\r\nSet-Cookie: sesi=1.pdf', 'a" Set-Cookie: sesi=1.pdf'),
        ("Sertifikat halal — Kerupuk Udang ✓.pdf", "Sertifikat halal — Kerupuk Udang ✓.pdf"),
        ("Cafe\u0301.pdf", "Café.pdf"),  # decomposed é composed (NFC)
        ("..", "berkas"),
        ("", "berkas"),
        ("/", "berkas"),
    ],
)
def test_the_original_name_is_kept_only_sanitised_for_display(sent, shown):
    assert display_name(sent) == shown


def test_a_very_long_original_name_is_cut_keeping_its_extension():
    shown = display_name("a" * 5000 + ".pdf")
    assert len(shown) == DISPLAY_NAME_MAX
    assert shown.endswith("a.pdf")


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.text())
def test_a_display_name_never_holds_a_path_or_a_control_character(name):
    shown = display_name(name)
    assert 0 < len(shown) <= DISPLAY_NAME_MAX
    assert "/" not in shown and "\\" not in shown
    assert shown not in (".", "..")
    assert not any(ord(c) < 32 or c == "\x7f" for c in shown)


def test_stored_names_are_random_and_keep_only_the_checked_extension():
    upload_to = RandomName("tkdn")
    first, second = upload_to(None, "berkas.pdf"), upload_to(None, "berkas.pdf")
    assert first != second
    assert first.startswith("tkdn/") and first.endswith(".pdf")
    assert "berkas" not in first


@both_storages
@hypothesis_settings(max_examples=200, deadline=None)
@given(st.text())
def test_a_stored_name_is_always_the_folder_and_a_random_hex_name(name):
    assert re.fullmatch(r"tkdn/[0-9a-f]{32}(\.[a-z0-9]{1,5})?", RandomName("tkdn")(None, name))


@both_storages
def test_a_cleaned_upload_is_stored_under_a_random_name_in_its_folder(
    vendor_owner, private_storage_kind
):
    product = factories.ProductFactory(vendor=vendor_owner.vendor_membership.vendor)
    upload = clean_image(image_upload("../../../../etc/cron.d/evil.png"))
    photo = ProductPhoto.objects.create(product=product, image=upload)
    assert re.fullmatch(r"produk/[0-9a-f]{32}\.png", photo.image.name)
    assert photo.image.storage.exists(photo.image.name)
    if private_storage_kind == "folder":
        assert photo.image.path.startswith(str(settings.MEDIA_ROOT))


@hypothesis_settings(max_examples=100, deadline=None)
@given(st.text(), st.sampled_from(["pdf", "png", "bin"]))
def test_a_download_name_is_plain_ascii_whatever_it_is_made_from(stem, extension):
    name = download_name(stem, extension)
    assert re.fullmatch(r"[a-z0-9_-]{1,80}\.(pdf|png|bin)", name)


# Served through permission checks, as attachments -----------------------------------------------


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@both_storages
def test_no_url_serves_the_media_folder(db):
    assert conf.STORAGES["private"]["OPTIONS"]["base_url"] is None
    certificate = factories.TKDNCertificateFactory()
    # FileSystemStorage would fall back to MEDIA_URL: the private storage has no URL at all.
    with pytest.raises(ValueError, match="no URL"):
        certificate.file.url  # noqa: B018

    def views(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from views(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                yield pattern.callback

    assert serve not in list(views(get_resolver().url_patterns))


@both_storages
def test_a_certificate_is_an_attachment_typed_by_its_bytes(login, vendor_owner):
    vendor = vendor_owner.vendor_membership.vendor
    # Stored under a misleading extension (e.g. before uploads were checked): its bytes decide.
    certificate = factories.TKDNCertificateFactory(
        vendor=vendor, file=ContentFile(PDF_BYTES, name="sertifikat.png")
    )
    response = login(vendor_owner).get(
        reverse("vendors:certificate-file", args=["tkdn", certificate.pk])
    )
    assert _body(response) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    number = download_name(f"sertifikat-tkdn-{certificate.number}", "pdf")
    assert response["Content-Disposition"] == f'attachment; filename="{number}"'


@both_storages
def test_a_stored_file_of_an_unexpected_type_is_only_ever_downloaded(login, vendor_owner):
    vendor = vendor_owner.vendor_membership.vendor
    certificate = factories.TKDNCertificateFactory(
        vendor=vendor, file=ContentFile(HTML, name="sertifikat.pdf")
    )
    response = login(vendor_owner).get(
        reverse("vendors:certificate-file", args=["tkdn", certificate.pk])
    )
    assert _body(response) == HTML
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('.bin"')


@both_storages
def test_a_missing_file_is_a_404_not_a_server_error(login, vendor_owner):
    certificate = factories.TKDNCertificateFactory(vendor=vendor_owner.vendor_membership.vendor)
    certificate.file.storage.delete(certificate.file.name)
    url = reverse("vendors:certificate-file", args=["tkdn", certificate.pk])
    assert login(vendor_owner).get(url).status_code == 404


@both_storages
def test_a_photo_is_an_attachment_with_its_sniffed_type(client, vendor_owner):
    product = factories.ProductFactory(vendor=vendor_owner.vendor_membership.vendor)
    photo = ProductPhoto.objects.create(product=product, image=clean_image(image_upload()))
    response = client.get(reverse("vendors:product-photo", args=[photo.pk]))
    assert _body(response).startswith(b"\x89PNG")
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="foto-produk-{photo.pk}.png"'
    assert response["X-Content-Type-Options"] == "nosniff"


@both_storages
def test_a_photo_whose_bytes_are_not_an_image_is_downloaded_not_shown(client, vendor_owner):
    product = factories.ProductFactory(vendor=vendor_owner.vendor_membership.vendor)
    photo = ProductPhoto.objects.create(product=product, image=ContentFile(SVG, name="x.png"))
    response = client.get(reverse("vendors:product-photo", args=[photo.pk]))
    assert _body(response) == SVG
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


@both_storages
def test_a_pending_certificate_opens_for_correction_without_a_link_into_the_storage(
    login, vendor_owner
):
    vendor = vendor_owner.vendor_membership.vendor
    product = factories.ProductFactory(vendor=vendor)
    certificate = factories.TKDNCertificateFactory(
        vendor=vendor, products=[product], status="pending", verified_at=None
    )
    response = login(vendor_owner).get(
        reverse("vendors:certificate-edit", args=["tkdn", certificate.pk])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert certificate.file.name not in page
    assert "Kosongkan untuk tetap memakai berkas" in page


@both_storages
def test_photos_of_an_unverified_vendor_are_for_its_users_and_admins_only(
    client, login, vendor_owner, outsider_vendor, officer, admin_user
):
    vendor = vendor_owner.vendor_membership.vendor
    vendor.status = VendorStatus.PENDING
    vendor.save(update_fields=["status"])
    product = factories.ProductFactory(vendor=vendor)
    photo = ProductPhoto.objects.create(product=product, image=clean_image(image_upload()))
    url = reverse("vendors:product-photo", args=[photo.pk])
    assert client.get(url).status_code == 404
    for refused in (outsider_vendor, officer):
        assert login(refused).get(url).status_code == 404
    for allowed in (vendor_owner, admin_user):
        response = login(allowed).get(url)
        assert response.status_code == 200
        # Read to the end, which closes the file (response.close() would close the test's
        # database connection too).
        assert _body(response).startswith(b"\x89PNG")


@both_storages
def test_the_admin_serves_a_certificate_as_an_attachment(login, admin_user):
    certificate = factories.HalalCertificateFactory()
    url = reverse("admin:vendors_halalcertificate_file", args=[certificate.pk])
    response = login(admin_user).get(url)
    assert _body(response) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


@both_storages
def test_an_objection_attachment_is_an_attachment(login, ppk, announced, admin_user):
    user, vendor, desk, cabinet = _bidder("71.30", "12", "1150000", "2750000")
    other, other_vendor, other_desk, other_cabinet = _bidder("40", "5", "1100000", "2900000")
    bid = procurement_services.bid_submit(
        package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
    )
    procurement_services.bid_submit(
        package=announced,
        vendor=other_vendor,
        by=other,
        lines=lines_for(announced, other_desk, other_cabinet),
    )
    past_deadline(announced)
    procurement_services.packages_close_due()
    evaluate_now(announced)
    bid.refresh_from_db()
    pass_all_bids(announced)
    procurement_services.package_winner_announce(package=announced, by=ppk, bid=bid)
    objection = procurement_services.objection_file(
        package=announced,
        by=other,
        text="Keberatan.",
        attachment=clean_document(pdf_upload("../../lampiran.pdf")),
    )
    assert re.fullmatch(r"sanggah/[0-9a-f]{32}\.pdf", objection.attachment.name)
    url = reverse("procurement:objection-attachment", args=[objection.pk])
    response = login(ppk).get(url)
    assert _body(response) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="lampiran-sanggah-{objection.pk}.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    # The admin's objection page links to that view, not to the storage.
    admin_page = login(admin_user).get(
        reverse("admin:procurement_objection_change", args=[objection.pk])
    )
    assert url in admin_page.content.decode()
    assert objection.attachment.name not in admin_page.content.decode()
    downloaded = login(admin_user).get(url)
    assert _body(downloaded) == PDF_BYTES


# Size of the whole request ---------------------------------------------------------------------


@both_storages
def test_a_request_larger_than_the_limit_is_refused_unread(login, vendor_owner, settings):
    settings.REQUEST_MAX_BYTES = 64 * 1024
    photos = [
        SimpleUploadedFile(f"f{i}.png", image_bytes("PNG", (8, 8)) + b"\0" * 40_000)
        for i in range(3)
    ]
    response = login(vendor_owner).post(
        reverse("vendors:product-add"),
        {"name": "Kursi", "kbli": "31001", "unit": "unit", "unit_price": "1000", "photos": photos},
    )
    assert response.status_code == 413
    assert response.content.decode().startswith(str(REQUEST_TOO_LARGE).split("(")[0])
    assert not Product.objects.exists()


def test_a_lying_content_length_is_refused_before_the_body_is_read(client):
    response = client.post(
        reverse("accounts:login"), data=b"x", content_type="text/plain", CONTENT_LENGTH="10" * 9
    )
    assert response.status_code == 413


def test_the_upload_settings_keep_large_files_out_of_memory():
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 2.5 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 2.5 * 1024 * 1024
    assert settings.UPLOAD_MAX_BYTES * 10 < settings.REQUEST_MAX_BYTES <= 64 * 1024 * 1024
    # A package's 200 line items of 6 fields each must fit.
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS >= 200 * 6 + 50


@pytest.fixture
def ppk(db):
    return factories.OfficerFactory(position="ppk").user


@pytest.fixture
def announced(ppk):
    package = factories.PackageFactory(
        opd=ppk.officer.opd, created_by=ppk, status=Status.ANNOUNCED, hps=Decimal("1350000000")
    )
    factories.PackageItemFactory(
        package=package, position=1, quantity=Decimal("1000"), hps_unit_price=Decimal("1200000")
    )
    factories.PackageItemFactory(
        package=package, position=2, quantity=Decimal("50"), hps_unit_price=Decimal("3000000")
    )
    return package
