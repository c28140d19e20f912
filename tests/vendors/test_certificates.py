import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse

from tests.factories import (
    HalalCertificateFactory,
    ProductFactory,
    TKDNCertificateFactory,
    VendorFactory,
    VendorMemberFactory,
    pdf_upload,
)
from vendors.forms import SELF_DECLARE_NOT_SMALL, TKDN_BMP_OVER_100
from vendors.models import CertificateStatus, HalalCertificate, TKDNCertificate
from vendors.uploads import DOCUMENT_WRONG_TYPE

# The same upload and access tests on the folder and on an S3 bucket.
pytestmark = [pytest.mark.django_db, pytest.mark.both_storages]

ADD_TKDN = reverse("vendors:certificate-add", args=["tkdn"])
ADD_HALAL = reverse("vendors:certificate-add", args=["halal"])


@pytest.fixture
def product(vendor_owner):
    return ProductFactory(vendor=vendor_owner.vendor_membership.vendor)


def _tkdn_data(product, **changes):
    return {
        "number": "1234/SJ-IND.8/TKDN/7/2024",
        "products": [product.pk],
        "tkdn_pct": "45,50",
        "bmp_pct": "10",
        "issued_on": "2024-07-15",
        "expires_on": "2029-07-14",
        "basis": "lvi",
        "file": pdf_upload(),
        **changes,
    }


def test_a_vendor_uploads_a_tkdn_certificate_for_verification(login, vendor_owner, product):
    response = login(vendor_owner).post(ADD_TKDN, _tkdn_data(product))
    assert response.url == reverse("vendors:certificates")
    certificate = TKDNCertificate.objects.get()
    assert certificate.status == CertificateStatus.PENDING
    assert str(certificate.tkdn_pct) == "45.50"
    assert list(certificate.products.all()) == [product]
    assert certificate.file.name.startswith("tkdn/") and certificate.file.name.endswith(".pdf")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"bmp_pct": "16"}, "BMP paling tinggi 15%."),
        ({"tkdn_pct": "95", "bmp_pct": "10"}, TKDN_BMP_OVER_100),
        # Made afresh for each run (an upload is read to its end once).
        ({"file": lambda: SimpleUploadedFile("x.pdf", b"MZ-not-a-pdf")}, DOCUMENT_WRONG_TYPE),
        ({"number": "1234/TKDN/2024"}, "Nomor sertifikat TKDN harus berbentuk"),
        ({"expires_on": "2024-07-01"}, "harus sesudah tanggal terbit"),
    ],
)
def test_bad_certificates_are_refused_and_nothing_is_saved(
    login, vendor_owner, product, changes, message
):
    changes = {name: value() if callable(value) else value for name, value in changes.items()}
    response = login(vendor_owner).post(ADD_TKDN, _tkdn_data(product, **changes))
    assert response.status_code == 200
    assert str(message) in response.content.decode()
    assert not TKDNCertificate.objects.exists()


def test_self_declaration_is_only_for_small_industry(login, vendor_owner, product):
    vendor = vendor_owner.vendor_membership.vendor
    vendor.scale = "menengah"
    vendor.save()
    response = login(vendor_owner).post(ADD_TKDN, _tkdn_data(product, basis="self_declared"))
    assert str(SELF_DECLARE_NOT_SMALL) in response.content.decode()
    assert not TKDNCertificate.objects.exists()


def test_a_certificate_cannot_cover_another_vendors_product(
    login, vendor_owner, outsider_vendor, product
):
    theirs = ProductFactory(vendor=outsider_vendor.vendor_membership.vendor)
    response = login(vendor_owner).post(
        ADD_TKDN, _tkdn_data(product, products=[product.pk, theirs.pk])
    )
    assert response.status_code == 200
    assert not TKDNCertificate.objects.exists()


def test_the_database_refuses_tkdn_plus_bmp_over_100(product):
    with pytest.raises(IntegrityError, match="tkdn_plus_bmp_lte_100"):
        TKDNCertificateFactory(vendor=product.vendor, tkdn_pct="90", bmp_pct="15")


def test_the_database_refuses_bmp_over_15(product):
    with pytest.raises(IntegrityError, match="tkdn_bmp_0_15"):
        TKDNCertificateFactory(vendor=product.vendor, tkdn_pct="50", bmp_pct="15.01")


def test_a_halal_certificate_without_expiry_is_accepted(login, vendor_owner, product):
    response = login(vendor_owner).post(
        ADD_HALAL,
        {
            "number": "ID31110000123450824",
            "scheme": "self_declare",
            "products": [product.pk],
            "issued_on": "2025-01-10",
            "expires_on": "",
            "file": pdf_upload(),
        },
    )
    assert response.status_code == 302
    certificate = HalalCertificate.objects.get()
    assert certificate.expires_on is None
    assert certificate.status == CertificateStatus.PENDING


def test_a_rejected_certificate_is_corrected_and_goes_back_to_the_queue(
    login, vendor_owner, product
):
    certificate = TKDNCertificateFactory(
        vendor=product.vendor,
        products=[product],
        status=CertificateStatus.REJECTED,
        rejection_reason="Nilai TKDN berbeda.",
        verified_at=None,
    )
    client = login(vendor_owner)
    url = reverse("vendors:certificate-edit", args=["tkdn", certificate.pk])
    assert "Nilai TKDN berbeda." in client.get(url).content.decode()
    data = _tkdn_data(product, number=certificate.number, tkdn_pct="40")
    del data["file"]  # keeps the uploaded file
    assert client.post(url, data).status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.PENDING
    assert certificate.rejection_reason == ""
    assert str(certificate.tkdn_pct) == "40.00"
    assert certificate.file


def test_a_verified_certificate_cannot_be_edited(login, vendor_owner, product):
    certificate = TKDNCertificateFactory(vendor=product.vendor, products=[product])
    url = reverse("vendors:certificate-edit", args=["tkdn", certificate.pk])
    response = login(vendor_owner).post(url, _tkdn_data(product, tkdn_pct="99"), follow=True)
    assert "tidak dapat diubah" in response.content.decode()
    certificate.refresh_from_db()
    assert str(certificate.tkdn_pct) == "45.50"


def test_only_the_company_and_admins_can_open_a_certificate_file(
    client, login, vendor_owner, vendor_staff, outsider_vendor, officer, admin_user, product
):
    certificate = TKDNCertificateFactory(vendor=product.vendor, products=[product])
    url = reverse("vendors:certificate-file", args=["tkdn", certificate.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user in (vendor_owner, vendor_staff, admin_user):
        response = login(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        # Reading the whole stream also closes the file.
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    for user in (outsider_vendor, officer):
        assert login(user).get(url).status_code == 404


def test_files_are_not_served_from_a_public_url(client, product):
    certificate = TKDNCertificateFactory(vendor=product.vendor, products=[product])
    assert client.get(f"/media/private/{certificate.file.name}").status_code in (302, 404)


def test_a_vendor_cannot_edit_another_vendors_certificate(login, vendor_owner, outsider_vendor):
    theirs = HalalCertificateFactory(
        vendor=outsider_vendor.vendor_membership.vendor, status=CertificateStatus.PENDING
    )
    url = reverse("vendors:certificate-edit", args=["halal", theirs.pk])
    ProductFactory(vendor=vendor_owner.vendor_membership.vendor)
    assert login(vendor_owner).get(url).status_code == 404


def test_an_unknown_certificate_kind_is_404(login, vendor_owner):
    ProductFactory(vendor=vendor_owner.vendor_membership.vendor)
    assert login(vendor_owner).get("/penyedia/sertifikat/iso/baru/").status_code == 404


def test_the_list_shows_status_and_the_rejection_reason(login, vendor_owner, product):
    TKDNCertificateFactory(
        vendor=product.vendor,
        status=CertificateStatus.REJECTED,
        rejection_reason="Berkas buram.",
        verified_at=None,
    )
    html = login(vendor_owner).get(reverse("vendors:certificates")).content.decode()
    assert "Ditolak" in html
    assert "Berkas buram." in html


def test_certificates_need_a_product_first(login):
    member = VendorMemberFactory(vendor=VendorFactory())
    response = login(member.user).get(ADD_TKDN)
    assert response.url == reverse("vendors:product-add")
