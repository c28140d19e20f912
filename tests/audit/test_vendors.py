"""Verifying, rejecting and expiring certificates (TKDN and halal) and vendors leave their
audit rows, through the services and through the admin's actions and forms."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEntry, SystemJob
from tests import factories
from vendors import services, tasks
from vendors.models import CertificateStatus, MemberRole, VendorStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(login, admin_user):
    return login(admin_user)


def _pending(factory, **kwargs):
    vendor = factories.VendorMemberFactory(role=MemberRole.OWNER).vendor
    return factory(vendor=vendor, status=CertificateStatus.PENDING, verified_at=None, **kwargs)


def _only(action) -> AuditEntry:
    (entry,) = AuditEntry.objects.filter(action=action)
    return entry


def test_verifying_a_certificate_records_who_and_the_status(admin_user):
    certificate = _pending(factories.TKDNCertificateFactory)
    services.certificate_verify(certificate=certificate, by=admin_user)
    certificate.refresh_from_db()
    entry = _only(AuditAction.CERTIFICATE_VERIFIED)
    assert (entry.actor, entry.object_type, entry.object_id) == (
        admin_user,
        "vendors.tkdncertificate",
        certificate.pk,
    )
    assert entry.object_label == f"{certificate.number} — {certificate.vendor.name}"
    assert entry.changes == {
        "status": ["pending", "verified"],
        "verified_at": [None, timezone.localtime(certificate.verified_at).isoformat()],
        "verified_by": [None, str(admin_user)],
    }


def test_rejecting_a_halal_certificate_records_the_reason(admin_user):
    certificate = _pending(factories.HalalCertificateFactory)
    services.certificate_reject(certificate=certificate, by=admin_user, reason="Berkas buram.")
    entry = _only(AuditAction.CERTIFICATE_REJECTED)
    assert (entry.actor, entry.object_type) == (admin_user, "vendors.halalcertificate")
    assert entry.changes == {
        "status": ["pending", "rejected"],
        "rejection_reason": ["", "Berkas buram."],
        "verified_by": [None, str(admin_user)],
    }


def test_a_refused_verification_leaves_no_row(admin_user):
    certificate = factories.TKDNCertificateFactory()  # already verified
    with pytest.raises(
        ValidationError, match="Hanya data yang menunggu verifikasi yang dapat diverifikasi"
    ):
        services.certificate_verify(certificate=certificate, by=admin_user)
    assert not AuditEntry.objects.exists()


def test_the_admin_actions_record_each_certificate_they_decide(admin_client, admin_user):
    first, second = (_pending(factories.TKDNCertificateFactory) for _ in range(2))
    verified = factories.TKDNCertificateFactory()  # skipped: not pending
    url = reverse("admin:vendors_tkdncertificate_changelist")
    admin_client.post(
        url,
        {"action": "verify_selected", ACTION_CHECKBOX_NAME: [first.pk, verified.pk]},
    )
    admin_client.post(
        url,
        {
            "action": "reject_with_reason",
            ACTION_CHECKBOX_NAME: [second.pk],
            "apply": "1",
            "reason": "Nomor tidak cocok.",
        },
    )
    assert [(e.action, e.object_id, e.actor) for e in AuditEntry.objects.order_by("pk")] == [
        (AuditAction.CERTIFICATE_VERIFIED, first.pk, admin_user),
        (AuditAction.CERTIFICATE_REJECTED, second.pk, admin_user),
    ]


def test_the_daily_job_records_each_certificate_it_expires():
    yesterday = timezone.localdate() - timedelta(days=1)
    tkdn = factories.TKDNCertificateFactory(expires_on=yesterday)
    halal = factories.HalalCertificateFactory(expires_on=yesterday)
    factories.TKDNCertificateFactory()  # still valid
    assert tasks.certificates_expire() == 2
    entries = AuditEntry.objects.filter(action=AuditAction.CERTIFICATE_EXPIRED).order_by("pk")
    assert [(e.object_type, e.object_id) for e in entries] == [
        ("vendors.tkdncertificate", tkdn.pk),
        ("vendors.halalcertificate", halal.pk),
    ]
    for entry in entries:
        assert (entry.actor, entry.job) == (None, SystemJob.CERTIFICATES_EXPIRE)
        assert entry.changes == {"status": ["verified", "expired"]}


def test_an_admin_edit_of_a_certificate_records_the_changed_values(admin_client, admin_user):
    product = factories.ProductFactory()
    certificate = factories.TKDNCertificateFactory(vendor=product.vendor, products=[product])
    url = reverse("admin:vendors_tkdncertificate_change", args=[certificate.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: [str(v) for v in form[name].value()]
        if isinstance(form[name].value(), list)
        else str(form[name].value())
        for name in form.fields
        if form[name].value() is not None
    }
    response = admin_client.post(url, {**data, "tkdn_pct": "48.25"})
    assert response.status_code == 302
    entry = _only(AuditAction.CERTIFICATE_EDITED)
    assert (entry.actor, entry.object_id) == (admin_user, certificate.pk)
    assert entry.changes == {"tkdn_pct": ["45.50", "48.25"]}
    # Saved unchanged: nothing to record.
    admin_client.post(url, {**data, "tkdn_pct": "48.25"})
    assert AuditEntry.objects.filter(action=AuditAction.CERTIFICATE_EDITED).count() == 1


def test_verifying_and_rejecting_a_vendor_are_recorded(admin_user):
    vendor = factories.VendorFactory(status=VendorStatus.PENDING, verified_at=None)
    other = factories.VendorFactory(status=VendorStatus.PENDING, verified_at=None)
    services.vendor_verify(vendor=vendor, by=admin_user)
    services.vendor_reject(vendor=other, by=admin_user, reason="NIB tidak aktif.")
    verified = _only(AuditAction.VENDOR_VERIFIED)
    rejected = _only(AuditAction.VENDOR_REJECTED)
    assert (verified.object_id, verified.actor, verified.changes["status"]) == (
        vendor.pk,
        admin_user,
        ["pending", "verified"],
    )
    assert rejected.changes["rejection_reason"] == ["", "NIB tidak aktif."]
