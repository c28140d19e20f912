"""Every write to the vendor register. Each function is one action: it checks who may do it,
changes the rows in one transaction, records why in the history, and queues the mail."""

from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.utils import update_change_reason

from accounts import services as account_services
from accounts.models import User, normalize_email
from audit import services as audit
from audit.models import AuditAction, SystemJob
from vendors import rules
from vendors.models import (
    RATING_ASPECTS,
    AssistanceStatus,
    Blacklisting,
    CertificateStatus,
    HalalAssistance,
    HalalCertificate,
    Invitation,
    MemberRole,
    Product,
    TKDNCertificate,
    Vendor,
    VendorMember,
    VendorStatus,
)

NIB_TAKEN = _(
    "NIB ini sudah terdaftar di portal. Jika ini NIB usaha Anda, minta pemilik akun usaha itu "
    "mengundang Anda, atau hubungi Dinas PPKUKM."
)
NPWP_TAKEN = _(
    "NPWP ini sudah terdaftar di portal. Jika ini NPWP usaha Anda, minta pemilik akun usaha itu "
    "mengundang Anda, atau hubungi Dinas PPKUKM."
)
ALREADY_MEMBER = _(
    "Akun Anda sudah terhubung dengan sebuah usaha; satu akun hanya untuk satu usaha."
)
EMAIL_NOT_VERIFIED = _(
    "Verifikasi email Anda dulu: buka tautan yang kami kirim, atau minta tautan baru di "
    "halaman ini."
)
NOT_A_MEMBER = _("Anda bukan pengguna usaha ini.")
OWNER_ONLY = _("Hanya pemilik akun usaha yang dapat melakukan ini.")
IDENTITY_LOCKED = _(
    "Nama, bentuk usaha, NIB, NPWP, modal, dan hasil penjualan usaha yang sudah diverifikasi "
    "tidak dapat diubah sendiri, karena menentukan skala usaha dan hak atas paket yang "
    "dicadangkan. Hubungi Dinas PPKUKM untuk mengubahnya."
)
ADMIN_CANNOT_JOIN = _(
    "Akun admin Dinas PPKUKM tidak dapat menjadi pengguna penyedia. Pakai akun lain yang "
    "bukan akun admin."
)
ALREADY_INACTIVE = _("Penyedia ini sudah dinonaktifkan.")
DEACTIVATION_REASON_REQUIRED = _(
    "Tulis alasan penonaktifan: tercatat di log audit dan dibaca pengguna penyedia."
)
NOT_PENDING = _("Hanya data yang menunggu verifikasi yang dapat diverifikasi atau ditolak.")
REASON_REQUIRED = _("Tulis alasan penolakan: penyedia membacanya untuk memperbaiki datanya.")
FOREIGN_PRODUCT = _("Pilih hanya produk milik usaha Anda sendiri.")
CERTIFICATE_LOCKED = _(
    "Sertifikat yang sudah diverifikasi tidak dapat diubah. Unggah sertifikat baru jika ada "
    "perubahan."
)
CERTIFICATE_NUMBER_TAKEN = _(
    "Nomor sertifikat ini sudah terdaftar. Periksa nomornya; jika benar, hubungi Dinas PPKUKM."
)
INVITE_SELF_MEMBER = _("Orang dengan email ini sudah menjadi pengguna usaha Anda.")
INVITE_OTHER_VENDOR = _(
    "Email ini sudah dipakai akun penyedia atau pejabat lain dan tidak dapat diundang. Minta "
    "rekan Anda memakai email lain."
)
INVITE_OPEN = _(
    "Undangan untuk email ini masih menunggu. Untuk mengirim ulang, batalkan dulu undangan itu "
    "di daftar undangan, lalu undang lagi."
)
INVITATION_EMAIL_MISMATCH = _(
    "Undangan ini untuk alamat email lain. Keluar, lalu buka tautannya lagi dan daftar atau masuk "
    "dengan email yang diundang."
)
INVITATION_USED = _(
    "Undangan ini sudah dipakai, dibatalkan, atau kedaluwarsa (berlaku 14 hari). Minta pemilik "
    "usaha mengundang lagi."
)
MEMBER_REMOVE_OWNER = _("Pemilik tidak dapat dihapus dari usahanya.")
ASSISTANCE_ISSUE_STATE = _(
    "Sertifikat hanya dapat dicatat terbit dari pendampingan yang sedang berjalan."
)

EXPIRY_BEFORE_ISSUE = _("Tanggal berlaku sampai harus sesudah tanggal terbit.")
ALREADY_EXPIRED = _(
    "Sertifikat ini sudah lewat masa berlakunya ({date}). Tolak dengan alasan dan minta penyedia "
    "mengunggah sertifikat yang masih berlaku."
)

REMINDER_DAYS = 30

# The blacklist (daftar hitam).
BLACKLIST_REASON_REQUIRED = _("Tulis alasan sanksi: penyedia membacanya di portal dan di email.")
BLACKLIST_REFERENCE_REQUIRED = _("Tulis nomor surat keputusan sanksi daftar hitam.")
BLACKLIST_ENDS_BEFORE_START = _("Tanggal berlaku sampai harus sesudah tanggal mulai.")
BLACKLIST_OVERLAP = _(
    "Penyedia ini sudah masuk daftar hitam pada sebagian masa itu ({reference}, {period}). "
    "Ubah atau cabut keputusan itu, atau pilih masa lain."
)
BLACKLIST_LIFTED_LOCKED = _(
    "Keputusan yang sudah dicabut tidak dapat diubah lagi; catat keputusan baru bila perlu."
)
BLACKLIST_ALREADY_LIFTED = _("Daftar hitam ini sudah dicabut.")
BLACKLIST_ALREADY_ENDED = _(
    "Masa sanksi ini sudah berakhir pada {end}; tidak ada yang perlu dicabut."
)
BLACKLIST_LIFT_REASON_REQUIRED = _(
    "Tulis alasan pencabutan: sanksi dicabut sebelum masanya berakhir."
)
BLACKLIST_LIFT_BEFORE_START = _(
    "Tanggal pencabutan tidak boleh sebelum tanggal mulai sanksi ({start})."
)
BLACKLIST_LIFT_IN_FUTURE = _("Tanggal pencabutan tidak boleh di masa depan.")
BLACKLISTED_BID = _(
    "Usaha Anda masuk daftar hitam ({period}; keputusan {reference}) dengan alasan: {reason} "
    "Selama masa itu Anda tidak dapat mengajukan penawaran."
)
BLACKLISTED_EVENT = _(
    "Usaha Anda masuk daftar hitam ({period}; keputusan {reference}) dengan alasan: {reason} "
    "Selama masa itu Anda tidak dapat mendaftar ke acara temu bisnis."
)

# The verification of a vendor or certificate, as the audit log compares it.
VERIFICATION_FIELDS = ("status", "rejection_reason", "verified_at", "verified_by")


def _certificate_label(certificate: TKDNCertificate | HalalCertificate) -> str:
    return f"{certificate.number} — {certificate.vendor.name}"


def _audit_verification(
    obj: Vendor | TKDNCertificate | HalalCertificate,
    *,
    before: dict[str, object],
    action: AuditAction,
    by: User | None,
    job: str = "",
) -> None:
    label = str(obj) if isinstance(obj, Vendor) else _certificate_label(obj)
    audit.record(
        actor=by,
        job=job,
        action=action,
        obj=obj,
        label=label,
        changes=audit.diff(before, audit.snapshot(obj, VERIFICATION_FIELDS)),
    )


Verifiable = TypeVar("Verifiable", Vendor, TKDNCertificate, HalalCertificate)


def _reject(obj: Verifiable, *, by: User, reason: str, action: AuditAction) -> Verifiable:
    """Turn down a vendor or a certificate waiting for verification, with the reason its
    vendor reads to put it right; recorded in the history and the audit log."""
    if not reason.strip():
        raise ValidationError(REASON_REQUIRED, code="reason_required")
    statuses = VendorStatus if isinstance(obj, Vendor) else CertificateStatus
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)  # two admins, one decision
    if obj.status != statuses.PENDING:
        raise ValidationError(NOT_PENDING, code="not_pending")
    before = audit.snapshot(obj, VERIFICATION_FIELDS)
    obj.status = statuses.REJECTED
    obj.rejection_reason = reason.strip()
    obj.verified_by = by
    obj._change_reason = f"Ditolak: {reason.strip()}"
    obj.save()
    _audit_verification(obj, before=before, action=action, by=by)
    return obj


def _require_owner(*, vendor: Vendor, by: User) -> None:
    member = by.vendor_member
    if member is None or member.vendor_id != vendor.pk or member.role != MemberRole.OWNER:
        raise PermissionDenied(OWNER_ONLY)


def _require_member(*, vendor: Vendor, by: User) -> None:
    member = by.vendor_member
    if member is None or member.vendor_id != vendor.pk:
        raise PermissionDenied(NOT_A_MEMBER)


def _save_unique(instance, *, field_errors: dict[str, object]) -> None:
    """Save; turn a unique-constraint race into the same message the form shows."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        for field, message in field_errors.items():
            if field in str(error):
                raise ValidationError({field: message}, code="taken") from None
        raise


def _notify_vendor(vendor: Vendor, template: str, **context: object) -> None:
    """In the portal and by mail, to every user of the company."""
    users = [m.user for m in vendor.members.select_related("user")]
    link = reverse("vendors:certificates" if "certificate" in context else "vendors:home")
    account_services.notify(
        users=users, template=template, context={"vendor": vendor, **context}, link=link
    )


# Registration and company data -------------------------------------------------------------


@transaction.atomic
def vendor_register(
    *,
    owner: User,
    name: str,
    legal_form: str,
    nib: str,
    npwp: str,
    npwp_check_digit_confirmed: bool = False,
    kbli_codes: list[str],
    address: str,
    city: str,
    province: str,
    phone: str,
    capital: Decimal | None,
    annual_sales: Decimal | None,
) -> Vendor:
    """A new company, pending verification, with the registering user as its owner."""
    owner = User.objects.select_for_update().get(pk=owner.pk)  # one company per user, race-free
    member_may_join(owner)
    if not owner.email_verified:
        raise ValidationError(EMAIL_NOT_VERIFIED, code="email_not_verified")
    vendor = Vendor(
        name=name.strip(),
        legal_form=legal_form,
        nib=nib,
        npwp=npwp,
        npwp_check_digit_confirmed=npwp_check_digit_confirmed,
        kbli_codes=sorted(set(kbli_codes)),
        address=address.strip(),
        city=city.strip(),
        province=province,
        phone=phone.strip(),
        capital=capital,
        annual_sales=annual_sales,
    )
    vendor.refresh_scale()
    _save_unique(vendor, field_errors={"nib": NIB_TAKEN, "npwp": NPWP_TAKEN})
    update_change_reason(vendor, "Pendaftaran mandiri")
    VendorMember.objects.create(user=owner, vendor=vendor, role=MemberRole.OWNER)
    return vendor


# Checked by the admin at verification: locked afterwards (the size decides the scale, and
# the scale decides which packages are reserved for the company).
IDENTITY_FIELDS = ("name", "legal_form", "nib", "npwp", "capital", "annual_sales")
# What the owner may change: the company data, and whether a legacy NPWP whose check digit
# does not match is the right one nonetheless.
EDITABLE_FIELDS = (*Vendor.COMPANY_FIELDS, "npwp_check_digit_confirmed")


@transaction.atomic
def vendor_update(*, vendor: Vendor, by: User, **changes: object) -> Vendor:
    """The owner edits the company. A verified company's identity is locked; a rejected one
    goes back to the queue when its owner saves the corrections."""
    _require_owner(vendor=vendor, by=by)
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    if vendor.status == VendorStatus.VERIFIED and any(
        changes.get(f, getattr(vendor, f)) != getattr(vendor, f) for f in IDENTITY_FIELDS
    ):
        raise ValidationError(IDENTITY_LOCKED, code="identity_locked")
    for field, value in changes.items():
        setattr(vendor, field, value)
    vendor.refresh_scale()
    reason = "Diubah pemilik"
    if vendor.status == VendorStatus.REJECTED:
        vendor.status = VendorStatus.PENDING
        vendor.rejection_reason = ""
        reason = "Diperbaiki pemilik dan diajukan ulang"
    _save_unique(vendor, field_errors={"nib": NIB_TAKEN, "npwp": NPWP_TAKEN})
    update_change_reason(vendor, reason)
    return vendor


def member_may_join(user: User) -> None:
    """Refuse a user who cannot become a vendor's user: an admin (who would read the
    company's sealed bids: the database refuses it too), or a user of a company or an OPD
    already."""
    if user.is_staff or user.is_superuser:
        raise ValidationError(ADMIN_CANNOT_JOIN, code="admin")
    if VendorMember.objects.filter(user=user).exists() or hasattr(user, "officer"):
        raise ValidationError(ALREADY_MEMBER, code="already_member")


@transaction.atomic
def vendor_deactivate(*, vendor: Vendor, by: User, reason: str) -> Vendor:
    """What an admin does instead of deleting a company: it stays on record (its bids, its
    certificates, its history), its users no longer act for it, and it leaves the directory
    and procurement."""
    if not reason.strip():
        raise ValidationError(DEACTIVATION_REASON_REQUIRED, code="reason_required")
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    if vendor.status == VendorStatus.INACTIVE:
        raise ValidationError(ALREADY_INACTIVE, code="inactive")
    before = audit.snapshot(vendor, VERIFICATION_FIELDS)
    vendor.status = VendorStatus.INACTIVE
    vendor.rejection_reason = reason.strip()
    vendor._change_reason = f"Dinonaktifkan: {reason.strip()}"
    vendor.save()
    _audit_verification(vendor, before=before, action=AuditAction.VENDOR_DEACTIVATED, by=by)
    return vendor


@transaction.atomic
def vendor_verify(*, vendor: Vendor, by: User) -> Vendor:
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)  # two admins, one decision
    if vendor.status != VendorStatus.PENDING:
        raise ValidationError(NOT_PENDING, code="not_pending")
    before = audit.snapshot(vendor, VERIFICATION_FIELDS)
    vendor.status = VendorStatus.VERIFIED
    vendor.verified_at = timezone.now()
    vendor.verified_by = by
    vendor.rejection_reason = ""
    vendor._change_reason = "Diverifikasi"
    vendor.save()
    _audit_verification(vendor, before=before, action=AuditAction.VENDOR_VERIFIED, by=by)
    _notify_vendor(vendor, "vendors/vendor_verified")
    return vendor


@transaction.atomic
def vendor_reject(*, vendor: Vendor, by: User, reason: str) -> Vendor:
    vendor = _reject(vendor, by=by, reason=reason, action=AuditAction.VENDOR_REJECTED)
    _notify_vendor(vendor, "vendors/vendor_rejected")
    return vendor


# Staff of a company -------------------------------------------------------------------------


@transaction.atomic
def invitation_create(*, vendor: Vendor, by: User, email: str) -> Invitation:
    _require_owner(vendor=vendor, by=by)
    email = normalize_email(email)
    existing = User.objects.filter(email=email).select_related("vendor_membership").first()
    if existing is not None:
        member = existing.vendor_member
        if member is not None and member.vendor_id == vendor.pk:
            raise ValidationError(INVITE_SELF_MEMBER, code="already_member")
        if member is not None or existing.is_staff or hasattr(existing, "officer"):
            raise ValidationError(INVITE_OTHER_VENDOR, code="taken")
    if Invitation.objects.filter(vendor=vendor, email=email, accepted_at__isnull=True).exists():
        raise ValidationError(INVITE_OPEN, code="open")
    invitation = Invitation.objects.create(vendor=vendor, email=email, invited_by=by)
    invitation_send(invitation=invitation)
    return invitation


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"invitation": invitation.pk}, salt="vendors.invitation")


INVITATION_MAX_AGE = 14 * 24 * 60 * 60


def invitation_from_token(token: str) -> Invitation:
    try:
        data = signing.loads(token, salt="vendors.invitation", max_age=INVITATION_MAX_AGE)
    except signing.BadSignature:
        raise ValidationError(INVITATION_USED, code="invalid") from None
    invitation = (
        Invitation.objects.select_related("vendor", "invited_by")
        .filter(pk=data.get("invitation"), accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        raise ValidationError(INVITATION_USED, code="invalid")
    return invitation


def invitation_send(*, invitation: Invitation) -> None:
    link = reverse("vendors:invitation-accept", args=[invitation_token(invitation)])
    invitee = User(email=invitation.email, full_name="", language=invitation.invited_by.language)
    account_services.mail_users(
        users=[invitee],
        template="vendors/invitation",
        context={"invitation": invitation, "vendor": invitation.vendor, "link": link},
    )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> VendorMember:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(INVITATION_USED, code="used")
    if normalize_email(user.email) != invitation.email:
        raise ValidationError(INVITATION_EMAIL_MISMATCH, code="email_mismatch")
    user = User.objects.select_for_update().get(pk=user.pk)
    member_may_join(user)
    if user.email_verified_at is None:
        # The invitation reached this address: that verifies it.
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return VendorMember.objects.create(user=user, vendor=invitation.vendor, role=MemberRole.STAFF)


@transaction.atomic
def invitation_cancel(*, invitation: Invitation, by: User) -> None:
    _require_owner(vendor=invitation.vendor, by=by)
    if invitation.accepted_at is None:
        invitation.delete()


@transaction.atomic
def member_remove(*, member: VendorMember, by: User) -> None:
    _require_owner(vendor=member.vendor, by=by)
    if member.role == MemberRole.OWNER:
        raise ValidationError(MEMBER_REMOVE_OWNER, code="owner")
    member.delete()


# Products -----------------------------------------------------------------------------------

PRODUCT_FIELDS = (
    "name",
    "description",
    "kbli",
    "unit",
    "unit_price",
    "brand",
    "model_type",
    "specification",
    "hs_code",
    "is_food",
    "is_active",
)


@transaction.atomic
def product_save(
    *,
    vendor: Vendor,
    by: User,
    product: Product | None = None,
    photos: list[UploadedFile] = (),
    **fields,
) -> Product:
    """Create a product, or update one of the vendor's own; add any new photos."""
    _require_member(vendor=vendor, by=by)
    if product is None:
        product = Product(vendor=vendor)
    elif product.vendor_id != vendor.pk:
        raise PermissionDenied(FOREIGN_PRODUCT)
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValueError(f"Not a product field: {sorted(unknown)}")
    for field, value in fields.items():
        setattr(product, field, value)
    product.save()
    for photo in photos:
        product.photos.create(image=photo)
    return product


@transaction.atomic
def product_photo_delete(*, photo, by: User) -> None:
    _require_member(vendor=photo.product.vendor, by=by)
    photo.image.delete(save=False)
    photo.delete()


# Certificates -------------------------------------------------------------------------------


def _check_products(vendor: Vendor, products: list[Product]) -> None:
    if any(p.vendor_id != vendor.pk for p in products):
        raise ValidationError({"products": FOREIGN_PRODUCT}, code="foreign_product")


@transaction.atomic
def tkdn_certificate_submit(
    *,
    vendor: Vendor,
    by: User,
    certificate: TKDNCertificate | None = None,
    products: list[Product],
    file: UploadedFile | None = None,
    **fields: object,
) -> TKDNCertificate:
    """Upload a certificate for verification, or correct a pending or rejected one (which
    goes back to the queue)."""
    return _certificate_submit(TKDNCertificate, vendor, by, certificate, products, file, fields)


@transaction.atomic
def halal_certificate_submit(
    *,
    vendor: Vendor,
    by: User,
    certificate: HalalCertificate | None = None,
    products: list[Product],
    file: UploadedFile | None = None,
    **fields: object,
) -> HalalCertificate:
    return _certificate_submit(HalalCertificate, vendor, by, certificate, products, file, fields)


def _certificate_submit(model, vendor, by, certificate, products, file, fields):
    _require_member(vendor=vendor, by=by)
    _check_products(vendor, products)
    if certificate is None:
        if file is None:
            raise ValidationError({"file": _("Unggah berkas sertifikatnya.")}, code="file_required")
        certificate = model(vendor=vendor)
    else:
        certificate = model.objects.select_for_update().get(pk=certificate.pk)
        if certificate.vendor_id != vendor.pk:
            raise PermissionDenied(FOREIGN_PRODUCT)
        if certificate.status in (CertificateStatus.VERIFIED, CertificateStatus.EXPIRED):
            raise ValidationError(CERTIFICATE_LOCKED, code="locked")
    for field, value in fields.items():
        setattr(certificate, field, value)
    if file is not None:
        certificate.file = file
    resubmitted = certificate.status == CertificateStatus.REJECTED
    certificate.status = CertificateStatus.PENDING
    certificate.rejection_reason = ""
    _save_unique(certificate, field_errors={"number": CERTIFICATE_NUMBER_TAKEN})
    certificate.products.set(products)
    update_change_reason(certificate, "Diajukan ulang" if resubmitted else "Diunggah penyedia")
    return certificate


@transaction.atomic
def certificate_verify(*, certificate: TKDNCertificate | HalalCertificate, by: User):
    certificate = type(certificate).objects.select_for_update().get(pk=certificate.pk)
    if certificate.status != CertificateStatus.PENDING:
        raise ValidationError(NOT_PENDING, code="not_pending")
    if certificate.expires_on is not None and certificate.expires_on < timezone.localdate():
        raise ValidationError(
            ALREADY_EXPIRED.format(date=date_format(certificate.expires_on)), code="expired"
        )
    before = audit.snapshot(certificate, VERIFICATION_FIELDS)
    certificate.status = CertificateStatus.VERIFIED
    certificate.verified_at = timezone.now()
    certificate.verified_by = by
    certificate._change_reason = "Diverifikasi"
    certificate.save()
    _audit_verification(certificate, before=before, action=AuditAction.CERTIFICATE_VERIFIED, by=by)
    _notify_vendor(certificate.vendor, "vendors/certificate_verified", certificate=certificate)
    return certificate


@transaction.atomic
def certificate_reject(*, certificate: TKDNCertificate | HalalCertificate, by: User, reason: str):
    certificate = _reject(
        certificate, by=by, reason=reason, action=AuditAction.CERTIFICATE_REJECTED
    )
    _notify_vendor(certificate.vendor, "vendors/certificate_rejected", certificate=certificate)
    return certificate


def certificates_expire(*, today: date) -> int:
    """Mark verified certificates past their expiry date as expired and tell their vendors.
    Idempotent: a certificate is expired once."""
    count = 0
    for model in (TKDNCertificate, HalalCertificate):
        with transaction.atomic():
            due = list(
                model.objects.select_for_update(skip_locked=True)
                .filter(status=CertificateStatus.VERIFIED, expires_on__lt=today)
                .select_related("vendor")
            )
            for certificate in due:
                before = audit.snapshot(certificate, VERIFICATION_FIELDS)
                certificate.status = CertificateStatus.EXPIRED
                certificate._change_reason = "Kedaluwarsa"
                certificate.save()
                _audit_verification(
                    certificate,
                    before=before,
                    action=AuditAction.CERTIFICATE_EXPIRED,
                    by=None,
                    job=SystemJob.CERTIFICATES_EXPIRE,
                )
                _notify_vendor(
                    certificate.vendor, "vendors/certificate_expired", certificate=certificate
                )
            count += len(due)
    return count


def certificate_expiry_reminders_send(*, today: date) -> int:
    """Tell vendors 30 days ahead that a verified certificate expires; once per certificate."""
    horizon = today + timedelta(days=REMINDER_DAYS)
    count = 0
    for model in (TKDNCertificate, HalalCertificate):
        with transaction.atomic():
            due = list(
                model.objects.select_for_update(skip_locked=True)
                .filter(
                    status=CertificateStatus.VERIFIED,
                    expires_on__gte=today,
                    expires_on__lte=horizon,
                    expiry_reminder_sent_at__isnull=True,
                )
                .select_related("vendor")
            )
            for certificate in due:
                _notify_vendor(
                    certificate.vendor,
                    "vendors/certificate_expiring",
                    certificate=certificate,
                    days_left=(certificate.expires_on - today).days,
                )
                certificate.expiry_reminder_sent_at = timezone.now()
                certificate.save(update_fields=["expiry_reminder_sent_at"])
            count += len(due)
    return count


# Halal registration assistance --------------------------------------------------------------


@transaction.atomic
def halal_assistance_issue(
    *,
    assistance: HalalAssistance,
    by: User,
    number: str,
    issued_on: date,
    expires_on: date | None,
    file: UploadedFile,
) -> HalalCertificate:
    """BPJPH issued the certificate of an assisted registration: record it, verified (the
    admin holds the issued document), for the products that were registered."""
    assistance = HalalAssistance.objects.select_for_update().get(pk=assistance.pk)
    if assistance.certificate_id is not None or assistance.status in (
        AssistanceStatus.ISSUED,
        AssistanceStatus.REJECTED,
    ):
        raise ValidationError(ASSISTANCE_ISSUE_STATE, code="state")
    if expires_on is not None and expires_on <= issued_on:
        raise ValidationError({"expires_on": EXPIRY_BEFORE_ISSUE}, code="expiry")
    certificate = HalalCertificate(
        vendor=assistance.vendor,
        number=number,
        scheme=assistance.scheme,
        issued_on=issued_on,
        expires_on=expires_on,
        file=file,
        status=CertificateStatus.VERIFIED,
        verified_at=timezone.now(),
        verified_by=by,
    )
    _save_unique(certificate, field_errors={"number": CERTIFICATE_NUMBER_TAKEN})
    # Verified as it is recorded: the admin holds the document BPJPH issued.
    _audit_verification(
        certificate,
        before={"rejection_reason": ""},
        action=AuditAction.CERTIFICATE_VERIFIED,
        by=by,
    )
    certificate.products.set(assistance.products.all())
    update_change_reason(certificate, "Terbit dari pendampingan Dinas PPKUKM")
    assistance.certificate = certificate
    assistance.status = AssistanceStatus.ISSUED
    assistance.issued_on = issued_on
    assistance._change_reason = "Sertifikat terbit"
    assistance.save()
    _notify_vendor(assistance.vendor, "vendors/certificate_verified", certificate=certificate)
    return certificate


# The blacklist (daftar hitam) ----------------------------------------------------------------

BLACKLISTING_FIELDS = (
    "vendor",
    "reason",
    "decision_reference",
    "starts_on",
    "ends_on",
    "lifted_on",
    "lift_reason",
    "lifted_by",
)
BLACKLISTING_EDITABLE = ("reason", "decision_reference", "starts_on", "ends_on")


def blacklisted_refusal(blacklisting: Blacklisting, message) -> str:
    """A refusal (BLACKLISTED_BID, BLACKLISTED_EVENT) that says why and until when."""
    return str(message).format(
        period=blacklisting.period_display(),
        reference=blacklisting.decision_reference,
        reason=blacklisting.reason.strip().rstrip(".") + ".",
    )


def blacklisting_check(*, vendor: Vendor, on: date, message) -> None:
    """Refuse, with the listing's reason and period, a vendor blacklisted on that day."""
    listed = vendor.blacklisting_on(on)
    if listed is not None:
        raise ValidationError(blacklisted_refusal(listed, message), code="blacklisted")


def blacklisting_validate(blacklisting: Blacklisting) -> None:
    """What a decision must hold (the admin's form asks the same before saving)."""
    errors: dict[str, object] = {}
    blacklisting.reason = (blacklisting.reason or "").strip()
    blacklisting.decision_reference = (blacklisting.decision_reference or "").strip()
    if not blacklisting.reason:
        errors["reason"] = BLACKLIST_REASON_REQUIRED
    if not blacklisting.decision_reference:
        errors["decision_reference"] = BLACKLIST_REFERENCE_REQUIRED
    if blacklisting.ends_on is not None and blacklisting.ends_on <= blacklisting.starts_on:
        errors["ends_on"] = BLACKLIST_ENDS_BEFORE_START
    if errors:
        raise ValidationError(errors)
    # Two decisions for the same days would leave a lift of one without effect.
    others = Blacklisting.objects.filter(vendor_id=blacklisting.vendor_id).exclude(
        pk=blacklisting.pk
    )
    for other in others:
        other_last = other.last_day
        if other_last is not None and other_last < other.starts_on:
            continue  # lifted before it began: it never held
        ends_before = blacklisting.ends_on is not None and blacklisting.ends_on < other.starts_on
        starts_after = other_last is not None and blacklisting.starts_on > other_last
        if not (ends_before or starts_after):
            raise ValidationError(
                BLACKLIST_OVERLAP.format(
                    reference=other.decision_reference, period=other.period_display()
                ),
                code="overlap",
            )


def _audit_blacklisting(
    blacklisting: Blacklisting, *, before: dict, action: AuditAction, by: User, note: str = ""
) -> None:
    audit.record(
        actor=by,
        action=action,
        obj=blacklisting,
        label=str(blacklisting),
        changes=audit.diff(before, audit.snapshot(blacklisting, BLACKLISTING_FIELDS)),
        note=note,
    )


def _notify_blacklisting(blacklisting: Blacklisting, template: str) -> None:
    vendor = blacklisting.vendor
    users = [m.user for m in vendor.members.select_related("user")]
    account_services.notify(
        users=users,
        template=template,
        context={"vendor": vendor, "blacklisting": blacklisting},
        link=reverse("vendors:home"),
    )


@transaction.atomic
def blacklisting_create(
    *,
    vendor: Vendor,
    by: User,
    reason: str,
    decision_reference: str,
    starts_on: date,
    ends_on: date | None = None,
) -> Blacklisting:
    """Put a vendor on the blacklist for a period (a Dinas admin records the decision); its
    users are told why and until when."""
    Vendor.objects.select_for_update().filter(pk=vendor.pk).get()  # two admins, one vendor
    blacklisting = Blacklisting(
        vendor=vendor,
        reason=reason,
        decision_reference=decision_reference,
        starts_on=starts_on,
        ends_on=ends_on,
        decided_by=by,
    )
    blacklisting_validate(blacklisting)
    blacklisting._change_reason = f"Dicatat: {blacklisting.decision_reference}"
    blacklisting.save()
    _audit_blacklisting(blacklisting, before={}, action=AuditAction.VENDOR_BLACKLISTED, by=by)
    _notify_blacklisting(blacklisting, "vendors/blacklisted")
    return blacklisting


@transaction.atomic
def blacklisting_update(*, blacklisting: Blacklisting, by: User, **changes: object) -> Blacklisting:
    """Correct a decision still in force or to come (its reason, reference or period); the
    vendor is told of the change. A lifted decision stays as it was."""
    unknown = set(changes) - set(BLACKLISTING_EDITABLE)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    Vendor.objects.select_for_update().filter(pk=blacklisting.vendor_id).get()
    blacklisting = Blacklisting.objects.select_related("vendor").get(pk=blacklisting.pk)
    if blacklisting.lifted_on is not None:
        raise ValidationError(BLACKLIST_LIFTED_LOCKED, code="lifted")
    before = audit.snapshot(blacklisting, BLACKLISTING_FIELDS)
    for field, value in changes.items():
        setattr(blacklisting, field, value)
    blacklisting_validate(blacklisting)
    after = audit.snapshot(blacklisting, BLACKLISTING_FIELDS)
    if after == before:
        return blacklisting
    blacklisting._change_reason = "Diubah admin Dinas PPKUKM"
    blacklisting.save()
    _audit_blacklisting(blacklisting, before=before, action=AuditAction.BLACKLISTING_CHANGED, by=by)
    _notify_blacklisting(blacklisting, "vendors/blacklisting_changed")
    return blacklisting


@transaction.atomic
def blacklisting_lift(
    *, blacklisting: Blacklisting, by: User, reason: str, on: date | None = None
) -> Blacklisting:
    """End a blacklisting before its term (from `on`, today by default), with the reason;
    the vendor may bid again from that day and is told so."""
    today = timezone.localdate()
    on = today if on is None else on
    Vendor.objects.select_for_update().filter(pk=blacklisting.vendor_id).get()
    blacklisting = Blacklisting.objects.select_related("vendor").get(pk=blacklisting.pk)
    if blacklisting.lifted_on is not None:
        raise ValidationError(BLACKLIST_ALREADY_LIFTED, code="lifted")
    if blacklisting.ends_on is not None and blacklisting.ends_on < on:
        raise ValidationError(
            BLACKLIST_ALREADY_ENDED.format(end=date_format(blacklisting.ends_on, "DATE_FORMAT")),
            code="ended",
        )
    if on > today:
        raise ValidationError({"lifted_on": BLACKLIST_LIFT_IN_FUTURE}, code="future")
    if on < blacklisting.starts_on and blacklisting.starts_on <= today:
        raise ValidationError(
            {
                "lifted_on": BLACKLIST_LIFT_BEFORE_START.format(
                    start=date_format(blacklisting.starts_on, "DATE_FORMAT")
                )
            },
            code="before_start",
        )
    reason = (reason or "").strip()
    if not reason and rules.lifted_early(ends_on=blacklisting.ends_on, lifted_on=on):
        raise ValidationError({"lift_reason": BLACKLIST_LIFT_REASON_REQUIRED}, code="reason")
    before = audit.snapshot(blacklisting, BLACKLISTING_FIELDS)
    blacklisting.lifted_on = on
    blacklisting.lift_reason = reason
    blacklisting.lifted_by = by
    blacklisting._change_reason = f"Dicabut: {reason}"
    blacklisting.save()
    _audit_blacklisting(
        blacklisting, before=before, action=AuditAction.BLACKLISTING_LIFTED, by=by, note=reason
    )
    _notify_blacklisting(blacklisting, "vendors/blacklisting_lifted")
    return blacklisting


# Ratings (kept by contracts) -----------------------------------------------------------------


def vendor_ratings_set(*, vendor_id: int, count: int, averages: dict[str, Decimal | None]) -> None:
    """Store the averages of a vendor's ratings (contracts computes them from its ratings, in
    the transaction that writes one): per aspect, and overall (the mean of the four)."""
    places = Decimal("0.01")
    values = {
        f"rating_{aspect}": (
            None if averages.get(aspect) is None else Decimal(averages[aspect]).quantize(places)
        )
        for aspect in RATING_ASPECTS
    }
    known = [averages[a] for a in RATING_ASPECTS if averages.get(a) is not None]
    overall = (
        (sum(Decimal(v) for v in known) / len(known)).quantize(places)
        if count and len(known) == len(RATING_ASPECTS)
        else None
    )
    # An update, not a save: the averages are no edit of the company (no history row).
    Vendor.objects.filter(pk=vendor_id).update(rating_count=count, rating_overall=overall, **values)
