from datetime import date, timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from p3dn_portal.lib.choices import ChoiceLabels
from vendors import rules
from vendors.rules import BusinessScale, ScaleBasis, Tier
from vendors.uploads import RandomName, private_storage


class VendorStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu verifikasi")
    VERIFIED = "verified", _("Terverifikasi")
    REJECTED = "rejected", _("Ditolak")
    # Instead of deleting a company: its bids, certificates and history stay, its users can no
    # longer act for it, and it leaves the directory and procurement.
    INACTIVE = "inactive", _("Dinonaktifkan")


class LegalForm(models.TextChoices):
    PT = "pt", _("PT (Perseroan Terbatas)")
    CV = "cv", _("CV (Persekutuan Komanditer)")
    KOPERASI = "koperasi", _("Koperasi")
    FIRMA = "firma", _("Firma")
    PERORANGAN = "perorangan", _("Usaha perorangan")


PROVINCES = [
    "Aceh",
    "Sumatera Utara",
    "Sumatera Barat",
    "Riau",
    "Kepulauan Riau",
    "Jambi",
    "Sumatera Selatan",
    "Kepulauan Bangka Belitung",
    "Bengkulu",
    "Lampung",
    "DKI Jakarta",
    "Jawa Barat",
    "Banten",
    "Jawa Tengah",
    "DI Yogyakarta",
    "Jawa Timur",
    "Bali",
    "Nusa Tenggara Barat",
    "Nusa Tenggara Timur",
    "Kalimantan Barat",
    "Kalimantan Tengah",
    "Kalimantan Selatan",
    "Kalimantan Timur",
    "Kalimantan Utara",
    "Sulawesi Utara",
    "Gorontalo",
    "Sulawesi Tengah",
    "Sulawesi Barat",
    "Sulawesi Selatan",
    "Sulawesi Tenggara",
    "Maluku",
    "Maluku Utara",
    "Papua",
    "Papua Barat",
    "Papua Barat Daya",
    "Papua Tengah",
    "Papua Pegunungan",
    "Papua Selatan",
]
PROVINCE_CHOICES = [(name, name) for name in PROVINCES]
HOME_PROVINCE = "DKI Jakarta"


def verifier_field() -> models.ForeignKey:
    """The Dinas admin who verified or rejected a vendor or a certificate (the decision
    stays on record if that account goes)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diverifikasi oleh"),
    )


RATING_ASPECTS = ("quality", "cost", "time", "service")
RATING_FIELDS = (
    "rating_count",
    *(f"rating_{aspect}" for aspect in RATING_ASPECTS),
    "rating_overall",
)


def rating_field(verbose_name) -> models.DecimalField:
    """An average mark, 1.00 (kurang) to 4.00 (sangat baik); empty before the first rating."""
    return models.DecimalField(verbose_name, max_digits=3, decimal_places=2, null=True, blank=True)


class Vendor(ChoiceLabels, models.Model):
    """A business (usually UMKM) that sells to the province."""

    name = models.CharField(_("nama badan usaha"), max_length=200)
    legal_form = models.CharField(_("bentuk usaha"), max_length=20, choices=LegalForm.choices)
    nib = models.CharField(_("NIB"), max_length=13, unique=True, null=True, blank=True)
    npwp = models.CharField(_("NPWP"), max_length=16, unique=True, null=True, blank=True)
    npwp_check_digit_confirmed = models.BooleanField(
        _("NPWP dikonfirmasi meski angka pemeriksanya tidak cocok"), default=False
    )
    kbli_codes = ArrayField(
        models.CharField(max_length=5), verbose_name=_("kode KBLI"), default=list, blank=True
    )
    address = models.TextField(_("alamat"), blank=True)
    city = models.CharField(_("kota/kabupaten"), max_length=100)
    province = models.CharField(_("provinsi"), max_length=100, choices=PROVINCE_CHOICES)
    phone = models.CharField(_("telepon"), max_length=30, blank=True)
    capital = models.DecimalField(
        _("modal usaha (di luar tanah dan bangunan)"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
    )
    annual_sales = models.DecimalField(
        _("hasil penjualan tahunan"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    scale = models.CharField(
        _("skala usaha"), max_length=10, choices=BusinessScale.choices, blank=True
    )
    scale_basis = models.CharField(
        _("dasar penentuan skala"), max_length=15, choices=ScaleBasis.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=VendorStatus.choices, default=VendorStatus.PENDING
    )
    rejection_reason = models.TextField(_("alasan penolakan"), blank=True)
    verified_at = models.DateTimeField(_("diverifikasi pada"), null=True, blank=True)
    verified_by = verifier_field()
    created_at = models.DateTimeField(_("terdaftar pada"), auto_now_add=True)
    # The PPKs' ratings after handover (contracts.Rating), as contracts keeps them up to date
    # in the transaction that writes a rating: the directory reads them with the vendor.
    rating_count = models.PositiveIntegerField(_("jumlah penilaian"), default=0)
    rating_quality = rating_field(_("rata-rata mutu"))
    rating_cost = rating_field(_("rata-rata biaya"))
    rating_time = rating_field(_("rata-rata waktu"))
    rating_service = rating_field(_("rata-rata layanan"))
    rating_overall = rating_field(_("rata-rata penilaian"))
    history = HistoricalRecords(excluded_fields=["created_at", *RATING_FIELDS])

    # The company's data, as its owner (services.vendor_update) and a Dinas admin (the vendor
    # admin) edit it; the scale follows from it, the verification fields change only through
    # the verification services.
    COMPANY_FIELDS = (
        "name",
        "legal_form",
        "nib",
        "npwp",
        "kbli_codes",
        "address",
        "city",
        "province",
        "phone",
        "capital",
        "annual_sales",
    )

    class Meta:
        verbose_name = _("penyedia")
        verbose_name_plural = pgettext_lazy("jamak", "penyedia")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=VendorStatus.VERIFIED) | Q(verified_at__isnull=False),
                name="vendor_verified_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=VendorStatus.REJECTED) | ~Q(rejection_reason=""),
                name="vendor_rejected_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(capital__isnull=True) | Q(capital__gte=0), name="vendor_capital_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(annual_sales__isnull=True) | Q(annual_sales__gte=0),
                name="vendor_annual_sales_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(nib__isnull=True) | Q(nib__regex=r"^[0-9]{13}$"),
                name="vendor_nib_format",
            ),
            models.CheckConstraint(
                condition=Q(npwp__isnull=True) | Q(npwp__regex=r"^[0-9]{15,16}$"),
                name="vendor_npwp_format",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "scale"], name="vendor_status_scale"),
            models.Index(fields=["city"], name="vendor_city"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.status == VendorStatus.VERIFIED

    @property
    def is_active(self) -> bool:
        return self.status != VendorStatus.INACTIVE

    def refresh_scale(self) -> None:
        """Scale and its deciding criterion follow the amounts (PP 7/2021); never typed."""
        self.scale = rules.business_scale(capital=self.capital, annual_sales=self.annual_sales)
        self.scale_basis = rules.scale_basis(capital=self.capital, annual_sales=self.annual_sales)

    @property
    def is_umk(self) -> bool:
        """Micro or small: what 'usaha kecil' means in the procurement rules."""
        return rules.is_umk(self.scale)

    @property
    def npwp_display(self) -> str:
        return rules.format_npwp(self.npwp) if self.npwp else ""

    @property
    def npwp_check_digit_ok(self) -> bool:
        return not self.npwp or rules.npwp_check_digit_ok(self.npwp)

    def blacklisting_on(self, day: date) -> "Blacklisting | None":
        """The blacklisting that holds on `day` (the latest to end, when two overlap)."""
        return (
            self.blacklistings.listed_on(day)
            .order_by(F("ends_on").desc(nulls_first=True), "-pk")
            .first()
        )

    def is_blacklisted_on(self, day: date) -> bool:
        return self.blacklistings.listed_on(day).exists()


class MemberRole(models.TextChoices):
    OWNER = "owner", _("Pemilik")
    STAFF = "staff", _("Staf")


class VendorMember(ChoiceLabels, models.Model):
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
        verbose_name_plural = pgettext_lazy("jamak", "anggota penyedia")
        ordering = ["vendor", "role", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor"],
                condition=models.Q(role=MemberRole.OWNER),
                name="vendor_single_owner",
                violation_error_message=_(
                    "Usaha ini sudah punya pemilik; satu usaha hanya satu pemilik."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.vendor} ({self.get_role_display()})"

    @property
    def is_owner(self) -> bool:
        return self.role == MemberRole.OWNER

    @property
    def has_known_role(self) -> bool:
        """False for a role the portal does not know (a row written outside it): such a
        member acts for no company (accounts.models.User.vendor_member)."""
        return self.role in MemberRole.values


class Product(ChoiceLabels, models.Model):
    vendor = models.ForeignKey(
        Vendor, on_delete=models.CASCADE, related_name="products", verbose_name=_("penyedia")
    )
    name = models.CharField(_("nama produk"), max_length=200)
    description = models.TextField(_("deskripsi"), blank=True)
    kbli = models.CharField(_("KBLI"), max_length=5)
    unit = models.CharField(
        _("satuan"), max_length=30, help_text=_("Misalnya unit, buah, paket, kg.")
    )
    unit_price = models.DecimalField(_("harga satuan (Rp)"), max_digits=18, decimal_places=2)
    brand = models.CharField(_("merek"), max_length=100, blank=True)
    model_type = models.CharField(_("tipe"), max_length=100, blank=True)
    specification = models.TextField(_("spesifikasi"), blank=True)
    hs_code = models.CharField(_("kode HS"), max_length=10, blank=True)
    is_food = models.BooleanField(
        _("makanan atau minuman"),
        default=False,
        help_text=_("Produk makanan, minuman, dan sejenisnya wajib bersertifikat halal."),
    )
    is_active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah pada"), auto_now=True)
    search_vector = models.GeneratedField(
        expression=SearchVector("name", weight="A", config="indonesian")
        + SearchVector("brand", "model_type", weight="B", config="indonesian")
        + SearchVector("description", "specification", weight="C", config="indonesian"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at", "search_vector"])

    class Meta:
        verbose_name = _("produk")
        verbose_name_plural = pgettext_lazy("jamak", "produk")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_price__gte=0),
                name="product_price_gte_0",
                violation_error_message=_("Harga tidak boleh negatif."),
            ),
            models.CheckConstraint(
                condition=Q(kbli__regex=r"^[0-9]{5}$"), name="product_kbli_format"
            ),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="product_search"),
            models.Index(fields=["kbli"], name="product_kbli"),
        ]

    def __str__(self) -> str:
        return self.name

    def local_content_on(self, day: date) -> rules.LocalContent:
        """Effective TKDN/BMP/tier on that day: the newest verified certificate unexpired then
        counts. Uses the `valid_tkdn` list that selectors.products_with_local_content
        prefetches (newest first) when present."""
        certificates = getattr(self, "valid_tkdn", None)
        if certificates is None:
            valid = self.tkdn_certificates.filter(
                status=CertificateStatus.VERIFIED, expires_on__gte=day
            )
            newest = valid.order_by("-issued_on", "-pk").first()
        else:
            newest = certificates[0] if certificates else None
        return rules.local_content_of(newest)

    @cached_property
    def local_content(self) -> rules.LocalContent:
        """Effective TKDN/BMP/tier today."""
        return self.local_content_on(timezone.localdate())


class ProductPhoto(ChoiceLabels, models.Model):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="photos", verbose_name=_("produk")
    )
    image = models.ImageField(_("foto"), upload_to=RandomName("produk"), storage=private_storage)
    caption = models.CharField(_("keterangan"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("foto produk")
        verbose_name_plural = pgettext_lazy("jamak", "foto produk")
        ordering = ["product", "created_at"]

    def __str__(self) -> str:
        return self.caption or self.product.name


class CertificateStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu verifikasi")
    VERIFIED = "verified", _("Terverifikasi")
    REJECTED = "rejected", _("Ditolak")
    EXPIRED = "expired", _("Kedaluwarsa")


class TKDNBasis(models.TextChoices):
    LVI = "lvi", _("Diverifikasi lembaga verifikasi independen (Sucofindo/Surveyor Indonesia)")
    SELF_DECLARED = "self_declared", _("Deklarasi mandiri industri kecil")


class HalalScheme(models.TextChoices):
    REGULER = "reguler", _("Reguler")
    SELF_DECLARE = "self_declare", _("Self declare")


class Certificate(ChoiceLabels, models.Model):
    """What TKDN and halal certificates share: evidence a vendor uploads and an admin checks."""

    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CertificateStatus.choices,
        default=CertificateStatus.PENDING,
    )
    rejection_reason = models.TextField(_("alasan penolakan"), blank=True)
    verified_at = models.DateTimeField(_("diverifikasi pada"), null=True, blank=True)
    verified_by = verifier_field()
    expiry_reminder_sent_at = models.DateTimeField(
        _("pengingat kedaluwarsa dikirim"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("diunggah pada"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number

    def is_valid_on(self, day: date) -> bool:
        """Verified, and not past its expiry date on that day."""
        if self.status != CertificateStatus.VERIFIED:
            return False
        return self.expires_on is None or self.expires_on >= day


def certificate_base(kind: str, *, number_length: int) -> type[Certificate]:
    """The abstract base of one kind of certificate: `Certificate` with the vendor that holds
    it and the products it covers, both reached from the other side by the kind's name
    (`vendor.tkdn_certificates`, `product.halal_certificates`), its unique number (as long as
    the issuer makes it), and its history with the products it covered. The dates and the
    file follow in each kind, after its own figures: the order its fields are listed in."""

    class KindCertificate(Certificate):
        vendor = models.ForeignKey(
            Vendor,
            on_delete=models.CASCADE,
            related_name=f"{kind}_certificates",
            verbose_name=_("penyedia"),
        )
        number = models.CharField(_("nomor sertifikat"), max_length=number_length, unique=True)
        products = models.ManyToManyField(
            Product, related_name=f"{kind}_certificates", verbose_name=_("produk yang dicakup")
        )
        history = HistoricalRecords(
            excluded_fields=["created_at"], m2m_fields=["products"], inherit=True
        )

        class Meta:
            abstract = True

    return KindCertificate


class TKDNCertificate(certificate_base("tkdn", number_length=60)):
    tkdn_pct = models.DecimalField(_("TKDN (%)"), max_digits=5, decimal_places=2)
    bmp_pct = models.DecimalField(_("BMP (%)"), max_digits=5, decimal_places=2, default=0)
    issued_on = models.DateField(_("tanggal terbit"))
    expires_on = models.DateField(_("berlaku sampai"))
    basis = models.CharField(_("dasar"), max_length=15, choices=TKDNBasis.choices)
    file = models.FileField(
        _("berkas sertifikat"), upload_to=RandomName("tkdn"), storage=private_storage
    )

    class Meta:
        verbose_name = _("sertifikat TKDN")
        verbose_name_plural = pgettext_lazy("jamak", "sertifikat TKDN")
        ordering = ["-issued_on", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tkdn_pct__gte=0) & Q(tkdn_pct__lte=100),
                name="tkdn_pct_0_100",
                violation_error_message=_("TKDN harus antara 0 dan 100%%."),
            ),
            models.CheckConstraint(
                condition=Q(bmp_pct__gte=0) & Q(bmp_pct__lte=rules.BMP_MAX),
                name="tkdn_bmp_0_15",
                violation_error_message=_("BMP harus antara 0 dan 15%%."),
            ),
            models.CheckConstraint(
                condition=Q(tkdn_pct__lte=100 - F("bmp_pct")),
                name="tkdn_plus_bmp_lte_100",
                violation_error_message=_("TKDN ditambah BMP tidak boleh lebih dari 100%%."),
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gt=F("issued_on")),
                name="tkdn_expires_after_issue",
                violation_error_message=_("Tanggal berlaku sampai harus sesudah tanggal terbit."),
            ),
            models.CheckConstraint(
                condition=~Q(status=CertificateStatus.REJECTED) | ~Q(rejection_reason=""),
                name="tkdn_rejected_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_on"], name="tkdn_status_expiry")]

    @property
    def tier(self) -> Tier:
        return rules.tkdn_tier(self.tkdn_pct, self.bmp_pct)


class HalalCertificate(certificate_base("halal", number_length=20)):
    scheme = models.CharField(_("skema"), max_length=15, choices=HalalScheme.choices)
    issued_on = models.DateField(_("tanggal terbit"))
    expires_on = models.DateField(
        _("berlaku sampai"),
        null=True,
        blank=True,
        help_text=_("Kosongkan untuk sertifikat baru yang berlaku selama bahan dan proses tetap."),
    )
    file = models.FileField(
        _("berkas sertifikat"), upload_to=RandomName("halal"), storage=private_storage
    )

    class Meta:
        verbose_name = _("sertifikat halal")
        verbose_name_plural = pgettext_lazy("jamak", "sertifikat halal")
        ordering = ["-issued_on", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=F("issued_on")),
                name="halal_expires_after_issue",
                violation_error_message=_("Tanggal berlaku sampai harus sesudah tanggal terbit."),
            ),
            models.CheckConstraint(
                condition=~Q(status=CertificateStatus.REJECTED) | ~Q(rejection_reason=""),
                name="halal_rejected_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_on"], name="halal_status_expiry")]


class AssistanceStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    SUBMITTED = "submitted", _("Diajukan ke SIHALAL")
    UNDER_REVIEW = "under_review", _("Sedang diperiksa")
    NEEDS_REVISION = "needs_revision", _("Perlu perbaikan")
    ISSUED = "issued", _("Sertifikat terbit")
    REJECTED = "rejected", _("Ditolak")


class HalalAssistance(ChoiceLabels, models.Model):
    """A halal registration that Dinas PPKUKM assists, from draft to the issued certificate."""

    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.CASCADE,
        related_name="halal_assistances",
        verbose_name=_("penyedia"),
    )
    products = models.ManyToManyField(
        Product, related_name="halal_assistances", verbose_name=_("produk")
    )
    scheme = models.CharField(_("skema"), max_length=15, choices=HalalScheme.choices)
    status = models.CharField(
        _("status"), max_length=15, choices=AssistanceStatus.choices, default=AssistanceStatus.DRAFT
    )
    sihalal_reference = models.CharField(_("nomor pendaftaran SIHALAL"), max_length=60, blank=True)
    submitted_on = models.DateField(_("tanggal pengajuan"), null=True, blank=True)
    reviewed_on = models.DateField(_("tanggal pemeriksaan"), null=True, blank=True)
    issued_on = models.DateField(_("tanggal terbit"), null=True, blank=True)
    assistant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        limit_choices_to={"is_staff": True},
        related_name="halal_assistances",
        verbose_name=_("pendamping"),
    )
    certificate = models.OneToOneField(
        HalalCertificate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assistance",
        verbose_name=_("sertifikat halal"),
    )
    notes = models.TextField(_("catatan"), blank=True)
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["created_at"], m2m_fields=[products])

    class Meta:
        verbose_name = _("pendampingan sertifikasi halal")
        verbose_name_plural = pgettext_lazy("jamak", "pendampingan sertifikasi halal")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=AssistanceStatus.ISSUED) | Q(certificate__isnull=False),
                name="assistance_issued_has_certificate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vendor} — {self.get_scheme_display()} ({self.get_status_display()})"


class Invitation(ChoiceLabels, models.Model):
    """An owner's invitation for a colleague to join the company as staff."""

    vendor = models.ForeignKey(
        Vendor, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("penyedia")
    )
    email = models.EmailField(_("email"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("diundang oleh"),
    )
    created_at = models.DateTimeField(_("dikirim pada"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("diterima pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("undangan")
        verbose_name_plural = pgettext_lazy("jamak", "undangan")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "email"],
                condition=Q(accepted_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]

    def __str__(self) -> str:
        return self.email


# The period of a blacklisting, as its refusals and notices say it.
BLACKLIST_PERIOD = _("{start} sampai {end}")
BLACKLIST_PERIOD_OPEN = _("sejak {start}, tanpa batas waktu (sampai dicabut)")


class BlacklistingQuerySet(models.QuerySet):
    def listed_on(self, day: date) -> "BlacklistingQuerySet":
        """The blacklistings that hold on `day` (the same rule as rules.listed_on)."""
        return self.filter(
            Q(starts_on__lte=day),
            Q(ends_on__isnull=True) | Q(ends_on__gte=day),
            Q(lifted_on__isnull=True) | Q(lifted_on__gt=day),
        )


class Blacklisting(ChoiceLabels, models.Model):
    """A sanction (daftar hitam): while it holds the vendor may not bid nor join a
    business-matching event, and a bid already in falls at evaluation. Kept for good: a
    decision is corrected or lifted with a reason, never deleted."""

    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, related_name="blacklistings", verbose_name=_("penyedia")
    )
    reason = models.TextField(
        _("alasan"), help_text=_("Penyedia membaca alasan ini di portal dan di email.")
    )
    decision_reference = models.CharField(
        _("nomor keputusan"),
        max_length=100,
        help_text=_("Nomor surat keputusan penetapan sanksi daftar hitam."),
    )
    starts_on = models.DateField(_("berlaku mulai"))
    ends_on = models.DateField(
        _("berlaku sampai"),
        null=True,
        blank=True,
        help_text=_("Hari terakhir sanksi. Kosongkan bila tanpa batas waktu (sampai dicabut)."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dicatat oleh"),
    )
    created_at = models.DateTimeField(_("dicatat pada"), auto_now_add=True)
    lifted_on = models.DateField(
        _("dicabut mulai"),
        null=True,
        blank=True,
        help_text=_("Sejak tanggal ini penyedia tidak lagi masuk daftar hitam."),
    )
    lift_reason = models.TextField(_("alasan pencabutan"), blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dicabut oleh"),
    )
    history = HistoricalRecords(excluded_fields=["created_at"])

    objects = BlacklistingQuerySet.as_manager()

    class Meta:
        verbose_name = _("daftar hitam")
        verbose_name_plural = pgettext_lazy("jamak", "daftar hitam")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=F("starts_on")),
                name="blacklisting_ends_after_start",
                violation_error_message=_("Tanggal berlaku sampai harus sesudah tanggal mulai."),
            ),
            models.CheckConstraint(
                # Lifted before its last day (or an indefinite one): the reason is required.
                condition=Q(lifted_on__isnull=True)
                | Q(ends_on__isnull=False, lifted_on__gt=F("ends_on"))
                | ~Q(lift_reason=""),
                name="blacklisting_early_lift_has_reason",
                violation_error_message=_("Tulis alasan pencabutan sebelum masa sanksi berakhir."),
            ),
            models.CheckConstraint(
                condition=Q(lifted_on__isnull=True, lifted_by__isnull=True)
                | Q(lifted_on__isnull=False, lifted_by__isnull=False),
                name="blacklisting_lift_has_who",
            ),
            models.CheckConstraint(
                condition=~Q(reason="") & ~Q(decision_reference=""),
                name="blacklisting_has_reason_and_reference",
            ),
        ]
        indexes = [models.Index(fields=["vendor", "starts_on"], name="blacklisting_vendor_start")]

    def __str__(self) -> str:
        return f"{self.vendor} — {self.decision_reference}"

    def is_listed_on(self, day: date) -> bool:
        return rules.listed_on(
            starts_on=self.starts_on, ends_on=self.ends_on, lifted_on=self.lifted_on, day=day
        )

    @property
    def last_day(self) -> date | None:
        """The last day it holds: the day before lifting, or its end (None: indefinite)."""
        if self.lifted_on is not None and (self.ends_on is None or self.lifted_on <= self.ends_on):
            return self.lifted_on - timedelta(days=1)
        return self.ends_on

    def period_display(self) -> str:
        """Its period in the active language, to the last day it holds (the day before a
        lift): "7 Des 2026 sampai 6 Des 2027"."""
        start = date_format(self.starts_on, "DATE_FORMAT")
        last = self.last_day
        if last is None:
            return str(BLACKLIST_PERIOD_OPEN).format(start=start)
        return str(BLACKLIST_PERIOD).format(start=start, end=date_format(last, "DATE_FORMAT"))
