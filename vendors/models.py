from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VendorStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu verifikasi")
    VERIFIED = "verified", _("Terverifikasi")
    REJECTED = "rejected", _("Ditolak")


class LegalForm(models.TextChoices):
    PT = "pt", _("PT (Perseroan Terbatas)")
    CV = "cv", _("CV (Persekutuan Komanditer)")
    KOPERASI = "koperasi", _("Koperasi")
    FIRMA = "firma", _("Firma")
    PERORANGAN = "perorangan", _("Usaha perorangan")


class Vendor(models.Model):
    """A business (usually UMKM) that sells to the province."""

    name = models.CharField(_("nama badan usaha"), max_length=200)
    legal_form = models.CharField(_("bentuk usaha"), max_length=20, choices=LegalForm.choices)
    city = models.CharField(_("kota/kabupaten"), max_length=100)
    province = models.CharField(_("provinsi"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=VendorStatus.choices, default=VendorStatus.PENDING
    )
    verified_at = models.DateTimeField(_("diverifikasi pada"), null=True, blank=True)
    created_at = models.DateTimeField(_("terdaftar pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("penyedia")
        verbose_name_plural = _("penyedia")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=VendorStatus.VERIFIED)
                | models.Q(verified_at__isnull=False),
                name="vendor_verified_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.status == VendorStatus.VERIFIED


class MemberRole(models.TextChoices):
    OWNER = "owner", _("Pemilik")
    STAFF = "staff", _("Staf")


class VendorMember(models.Model):
    """A user account of a vendor company. A user belongs to at most one company."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="vendor_membership",
        verbose_name=_("pengguna"),
    )
    vendor = models.ForeignKey(
        Vendor, on_delete=models.CASCADE, related_name="members", verbose_name=_("penyedia")
    )
    role = models.CharField(_("peran"), max_length=10, choices=MemberRole.choices)
    created_at = models.DateTimeField(_("bergabung pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("anggota penyedia")
        verbose_name_plural = _("anggota penyedia")
        ordering = ["vendor", "role", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor"],
                condition=models.Q(role=MemberRole.OWNER),
                name="vendor_single_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.vendor} ({self.get_role_display()})"

    @property
    def is_owner(self) -> bool:
        return self.role == MemberRole.OWNER
