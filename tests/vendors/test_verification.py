"""Admins verify and reject; the daily job expires certificates and warns 30 days ahead."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import (
    HalalCertificateFactory,
    ProductFactory,
    TKDNCertificateFactory,
    VendorFactory,
    VendorMemberFactory,
)
from vendors import services
from vendors.models import CertificateStatus, VendorStatus

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 27)


@pytest.fixture
def pending_vendor():
    vendor = VendorFactory(status=VendorStatus.PENDING, verified_at=None)
    VendorMemberFactory(vendor=vendor)
    return vendor


def test_verifying_a_vendor_records_who_and_mails_its_users(
    pending_vendor, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.vendor_verify(vendor=pending_vendor, by=admin_user)
    pending_vendor.refresh_from_db()
    assert pending_vendor.status == VendorStatus.VERIFIED
    assert pending_vendor.verified_by == admin_user
    assert pending_vendor.verified_at is not None
    assert len(mail.outbox) == 1
    assert pending_vendor.name in mail.outbox[0].subject
    assert pending_vendor.history.first().history_change_reason == "Diverifikasi"


def test_rejecting_needs_a_reason_that_the_vendor_receives(
    pending_vendor, admin_user, django_capture_on_commit_callbacks
):
    with pytest.raises(
        ValidationError, match="Tulis alasan penolakan: penyedia membacanya untuk"
    ) as raised:
        services.vendor_reject(vendor=pending_vendor, by=admin_user, reason="  ")
    assert raised.value.messages == [str(services.REASON_REQUIRED)]
    with django_capture_on_commit_callbacks(execute=True):
        services.vendor_reject(vendor=pending_vendor, by=admin_user, reason="NIB tidak cocok.")
    pending_vendor.refresh_from_db()
    assert pending_vendor.status == VendorStatus.REJECTED
    assert "NIB tidak cocok." in mail.outbox[0].body


def test_only_pending_vendors_are_verified_or_rejected(admin_user):
    vendor = VendorFactory(status=VendorStatus.VERIFIED)
    with pytest.raises(
        ValidationError, match="Hanya data yang menunggu verifikasi yang dapat diverifikasi"
    ):
        services.vendor_verify(vendor=vendor, by=admin_user)
    with pytest.raises(
        ValidationError, match="Hanya data yang menunggu verifikasi yang dapat diverifikasi"
    ):
        services.vendor_reject(vendor=vendor, by=admin_user, reason="x")


def test_a_rejected_vendor_goes_back_to_the_queue_when_the_owner_corrects_it(vendor_owner):
    vendor = vendor_owner.vendor_membership.vendor
    vendor.status, vendor.rejection_reason, vendor.verified_at = (
        VendorStatus.REJECTED,
        "NIB salah.",
        None,
    )
    vendor.save()
    services.vendor_update(vendor=vendor, by=vendor_owner, nib="9120009999999")
    vendor.refresh_from_db()
    assert (vendor.status, vendor.rejection_reason, vendor.nib) == (
        VendorStatus.PENDING,
        "",
        "9120009999999",
    )


def test_a_verified_vendors_identity_and_size_are_locked_but_its_contacts_are_not(vendor_owner):
    vendor = vendor_owner.vendor_membership.vendor
    for change in ({"npwp": "010000131093000"}, {"annual_sales": Decimal("20000000000")}):
        with pytest.raises(
            ValidationError, match="Nama, bentuk usaha, NIB, NPWP, modal, dan hasil penjualan"
        ) as raised:
            services.vendor_update(vendor=vendor, by=vendor_owner, **change)
        assert raised.value.messages == [str(services.IDENTITY_LOCKED)]
    services.vendor_update(vendor=vendor, by=vendor_owner, phone="021-555-1234")
    vendor.refresh_from_db()
    assert (vendor.phone, vendor.scale) == ("021-555-1234", "mikro")


def test_a_pending_vendors_size_change_recomputes_its_scale(vendor_owner):
    vendor = vendor_owner.vendor_membership.vendor
    vendor.status, vendor.verified_at = VendorStatus.PENDING, None
    vendor.save()
    services.vendor_update(vendor=vendor, by=vendor_owner, annual_sales=Decimal("20000000000"))
    vendor.refresh_from_db()
    assert (vendor.scale, vendor.scale_basis) == ("menengah", "annual_sales")


def test_staff_cannot_edit_the_company(vendor_staff):
    with pytest.raises(PermissionDenied, match="Hanya pemilik akun usaha yang dapat melakukan ini"):
        services.vendor_update(
            vendor=vendor_staff.vendor_membership.vendor, by=vendor_staff, phone="1"
        )


def test_certificates_are_verified_and_rejected_with_mail(
    vendor_owner, admin_user, django_capture_on_commit_callbacks
):
    vendor = vendor_owner.vendor_membership.vendor
    first = TKDNCertificateFactory(
        vendor=vendor, status=CertificateStatus.PENDING, verified_at=None
    )
    second = HalalCertificateFactory(
        vendor=vendor, status=CertificateStatus.PENDING, verified_at=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_verify(certificate=first, by=admin_user)
        services.certificate_reject(certificate=second, by=admin_user, reason="Berkas buram.")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == CertificateStatus.VERIFIED
    assert (second.status, second.rejection_reason) == (CertificateStatus.REJECTED, "Berkas buram.")
    assert [m.subject for m in mail.outbox] == [
        f"Sertifikat TKDN {first.number} terverifikasi",
        f"Sertifikat halal {second.number} ditolak",
    ]


def test_the_daily_job_expires_certificates_past_their_date_once(
    vendor_owner, django_capture_on_commit_callbacks
):
    vendor = vendor_owner.vendor_membership.vendor
    past = TKDNCertificateFactory(
        vendor=vendor, issued_on=TODAY - timedelta(days=1100), expires_on=TODAY - timedelta(days=1)
    )
    last_day = TKDNCertificateFactory(
        vendor=vendor, issued_on=TODAY - timedelta(days=1000), expires_on=TODAY
    )
    halal_past = HalalCertificateFactory(
        vendor=vendor, issued_on=TODAY - timedelta(days=900), expires_on=TODAY - timedelta(days=3)
    )
    never = HalalCertificateFactory(vendor=vendor, expires_on=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.certificates_expire(today=TODAY) == 2
        assert services.certificates_expire(today=TODAY) == 0
    for certificate, status in (
        (past, CertificateStatus.EXPIRED),
        (last_day, CertificateStatus.VERIFIED),  # valid through its last day
        (halal_past, CertificateStatus.EXPIRED),
        (never, CertificateStatus.VERIFIED),
    ):
        certificate.refresh_from_db()
        assert certificate.status == status, certificate.number
    assert len(mail.outbox) == 2


def test_vendors_are_warned_30_days_before_expiry_once(
    vendor_owner, django_capture_on_commit_callbacks
):
    vendor = vendor_owner.vendor_membership.vendor
    in_30 = TKDNCertificateFactory(
        vendor=vendor, issued_on=TODAY - timedelta(days=900), expires_on=TODAY + timedelta(days=30)
    )
    TKDNCertificateFactory(
        vendor=vendor, issued_on=TODAY - timedelta(days=900), expires_on=TODAY + timedelta(days=31)
    )
    TKDNCertificateFactory(
        vendor=vendor,
        issued_on=TODAY - timedelta(days=900),
        expires_on=TODAY + timedelta(days=5),
        status=CertificateStatus.PENDING,
        verified_at=None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.certificate_expiry_reminders_send(today=TODAY) == 1
        assert services.certificate_expiry_reminders_send(today=TODAY) == 0
    assert len(mail.outbox) == 1
    assert in_30.number in mail.outbox[0].subject
    assert "30 hari lagi" in mail.outbox[0].body


def test_the_effective_local_content_is_the_newest_valid_certificate(vendor_owner):
    vendor = vendor_owner.vendor_membership.vendor
    product = ProductFactory(vendor=vendor)
    assert product.local_content_on(TODAY).tier == "T4"
    TKDNCertificateFactory(
        vendor=vendor,
        products=[product],
        tkdn_pct="30",
        bmp_pct="0",
        issued_on=TODAY - timedelta(days=500),
        expires_on=TODAY + timedelta(days=100),
    )
    TKDNCertificateFactory(
        vendor=vendor,
        products=[product],
        tkdn_pct="60",
        bmp_pct="5",
        issued_on=TODAY - timedelta(days=10),
        expires_on=TODAY + timedelta(days=1000),
        status=CertificateStatus.PENDING,
        verified_at=None,
    )
    content = product.local_content_on(TODAY)
    assert (str(content.tkdn_pct), content.tier) == ("30.00", "T2")
    newer = TKDNCertificateFactory(
        vendor=vendor,
        products=[product],
        tkdn_pct="50",
        bmp_pct="0",
        issued_on=TODAY - timedelta(days=5),
        expires_on=TODAY + timedelta(days=1000),
    )
    content = product.local_content_on(TODAY)
    assert (content.certificate, content.tier) == (newer, "T1")
    assert product.local_content_on(TODAY + timedelta(days=2000)).tier == "T4"


def test_a_certificate_past_its_expiry_cannot_be_verified(vendor_owner, admin_user):
    certificate = TKDNCertificateFactory(
        vendor=vendor_owner.vendor_membership.vendor,
        issued_on=date(2020, 1, 1),
        expires_on=date(2023, 1, 1),
        status=CertificateStatus.PENDING,
        verified_at=None,
    )
    with pytest.raises(
        ValidationError, match="Sertifikat ini sudah lewat masa berlakunya"
    ) as raised:
        services.certificate_verify(certificate=certificate, by=admin_user)
    assert raised.value.code == "expired"
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.PENDING


def test_a_long_rejection_reason_is_kept_whole(pending_vendor, admin_user):
    reason = "Dokumen NIB yang diunggah tidak terbaca dan nama usaha berbeda dengan akta. " * 4
    services.vendor_reject(vendor=pending_vendor, by=admin_user, reason=reason)
    pending_vendor.refresh_from_db()
    assert pending_vendor.rejection_reason == reason.strip()
    assert pending_vendor.history.first().history_change_reason == f"Ditolak: {reason.strip()}"
