from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from p3dn_portal.lib.choices import ChoiceLabels
from procurement import evaluation
from procurement.rules import (
    SEALED_STATES,
    Action,
    BidStanding,
    Category,
    Formula,
    Method,
    Status,
    bid_standing,
)
from vendors.uploads import RandomName, private_storage


class OPD(ChoiceLabels, models.Model):
    """Organisasi Perangkat Daerah: a provincial agency that buys."""

    code = models.CharField(_("kode"), max_length=30, unique=True)
    name = models.CharField(_("nama"), max_length=200, unique=True)
    short_name = models.CharField(_("singkatan"), max_length=30)
    # The portal's own target until the regulation is confirmed (domain brief, "After the
    # contract": the portal measures days from BAST to payment rather than assume a deadline).
    payment_target_days = models.PositiveSmallIntegerField(
        _("target pembayaran (hari kalender setelah BAST)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "Target portal sendiri, bukan ketentuan peraturan, sampai peraturannya dipastikan: "
            "berapa hari kalender setelah BAST pembayaran kepada penyedia seharusnya selesai."
        ),
    )

    class Meta:
        verbose_name = _("OPD")
        verbose_name_plural = pgettext_lazy("jamak", "OPD")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(payment_target_days__gte=1) & Q(payment_target_days__lte=365),
                name="opd_payment_target_1_365",
                violation_error_message=_("Target pembayaran antara 1 dan 365 hari."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Position(models.TextChoices):
    KPA = "kpa", _("KPA (Kuasa Pengguna Anggaran)")
    PPK = "ppk", _("PPK (Pejabat Pembuat Komitmen)")
    PPTK = "pptk", _("PPTK (Pejabat Pelaksana Teknis Kegiatan)")
    PEJABAT_PENGADAAN = "pejabat_pengadaan", _("Pejabat Pengadaan")
    POKJA = "pokja", _("Pokja Pemilihan")
    BENDAHARA = "bendahara", _("Bendahara")


# What each position does in procurement (domain brief, "People and roles").
POSITION_DUTIES = {
    Position.KPA: _(
        "Kuasa pengguna anggaran: memegang anggaran kegiatan dan menetapkan PPK serta pejabat "
        "pengadaan."
    ),
    Position.PPK: _(
        "Merencanakan pembelian, menetapkan spesifikasi dan HPS, menetapkan pemenang, dan "
        "menandatangani kontrak."
    ),
    Position.PPTK: _(
        "Pejabat teknis kegiatan anggaran: menyiapkan kebutuhan teknis dan dapat bertindak "
        "sebagai PPK."
    ),
    Position.PEJABAT_PENGADAAN: _(
        "Menjalankan pengadaan langsung dan e-purchasing: memilih penyedia dan mengevaluasi "
        "penawaran."
    ),
    Position.POKJA: _(
        "Kelompok kerja pemilihan: menjalankan tender dan tender cepat, mengevaluasi dan "
        "memeringkat penawaran."
    ),
    Position.BENDAHARA: _(
        "Bendahara OPD: mencatat tagihan dan pembayaran kontrak OPD-nya setelah serah terima "
        "(BAST), termasuk pajak yang dipotong."
    ),
}


class Officer(ChoiceLabels, models.Model):
    """A user who works for one OPD in a procurement position."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="officer",
        verbose_name=_("pengguna"),
    )
    opd = models.ForeignKey(
        OPD, on_delete=models.PROTECT, related_name="officers", verbose_name=_("OPD")
    )
    position = models.CharField(_("jabatan"), max_length=20, choices=Position.choices)
    created_at = models.DateTimeField(_("ditugaskan pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("pejabat OPD")
        verbose_name_plural = pgettext_lazy("jamak", "pejabat OPD")
        ordering = ["opd", "position", "user__full_name"]

    def __str__(self) -> str:
        return f"{self.user.full_name} — {self.get_position_display()}, {self.opd.short_name}"

    @property
    def duties(self) -> str:
        return POSITION_DUTIES[Position(self.position)]


class Package(ChoiceLabels, models.Model):
    """A procurement package from the OPD's annual plan (RUP), through bids to contract."""

    opd = models.ForeignKey(
        OPD, on_delete=models.PROTECT, related_name="packages", verbose_name=_("OPD")
    )
    rup_code = models.CharField(_("kode RUP"), max_length=30)
    title = models.CharField(_("nama paket"), max_length=250)
    description = models.TextField(_("uraian"), blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("tahun anggaran"))
    category = models.CharField(_("jenis pengadaan"), max_length=20, choices=Category.choices)
    method = models.CharField(_("metode pemilihan"), max_length=20, choices=Method.choices)
    pagu = models.DecimalField(_("pagu (Rp)"), max_digits=18, decimal_places=2)
    hps = models.DecimalField(_("HPS (Rp)"), max_digits=18, decimal_places=2)
    pdn = models.BooleanField(_("wajib produk dalam negeri (PDN)"), default=True)
    min_tkdn_pct = models.DecimalField(
        _("TKDN minimal (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    halal_required = models.BooleanField(_("wajib halal"), default=False)
    items_optional = models.BooleanField(
        _("rincian boleh tidak ditawar"),
        default=False,
        help_text=_(
            "Centang bila penyedia boleh mengosongkan rincian: rincian tanpa harga dianggap "
            "sudah termasuk dalam harga rincian lain."
        ),
    )
    reservation_exception_reason = models.TextField(
        _("alasan tidak dicadangkan untuk usaha kecil"),
        blank=True,
        help_text=_(
            "Isi hanya jika pekerjaan butuh kemampuan yang tidak dapat dipenuhi usaha kecil."
        ),
    )
    reserved_for_small_business = models.BooleanField(
        _("dicadangkan untuk usaha kecil"), editable=False, default=False
    )
    max_preference_pct = models.DecimalField(
        _("preferensi harga tertinggi (%)"), max_digits=5, decimal_places=2, default=0
    )
    evaluation_formula = models.CharField(
        _("rumus evaluasi"),
        max_length=10,
        choices=Formula.choices,
        default=Formula.HEA_2021,
        help_text=_("Rumus lama hanya untuk paket yang dievaluasi menurut aturan sebelum 2021."),
    )
    opens_at = models.DateTimeField(_("penawaran dibuka"))
    closes_at = models.DateTimeField(_("batas akhir penawaran"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    objection_ends_at = models.DateTimeField(_("masa sanggah berakhir"), null=True, blank=True)
    winner = models.ForeignKey(
        "Bid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pemenang"),
    )
    contract_value = models.DecimalField(
        _("nilai kontrak (Rp)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    contract_number = models.CharField(_("nomor kontrak"), max_length=100, blank=True)
    contract_signed_on = models.DateField(_("tanggal kontrak"), null=True, blank=True)
    performance_guarantee = models.DecimalField(
        _("jaminan pelaksanaan (Rp)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    cancel_reason = models.TextField(_("alasan pembatalan"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dibuat oleh"),
    )
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("paket pengadaan")
        verbose_name_plural = pgettext_lazy("jamak", "paket pengadaan")
        ordering = ["-closes_at", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hps__lte=F("pagu")),
                name="package_hps_lte_pagu",
                violation_error_message=_("HPS tidak boleh melebihi pagu."),
            ),
            models.CheckConstraint(
                condition=Q(hps__gt=0) & Q(pagu__gt=0), name="package_amounts_positive"
            ),
            models.CheckConstraint(
                condition=Q(max_preference_pct__gte=0) & Q(max_preference_pct__lte=25),
                name="package_preference_0_25",
                violation_error_message=_("Preferensi harga antara 0 dan 25%%."),
            ),
            models.CheckConstraint(
                condition=Q(min_tkdn_pct__isnull=True)
                | (Q(min_tkdn_pct__gte=0) & Q(min_tkdn_pct__lte=100)),
                name="package_min_tkdn_0_100",
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="package_closes_after_opening",
                violation_error_message=_("Batas akhir penawaran harus sesudah waktu dibuka."),
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.CANCELLED) | ~Q(cancel_reason=""),
                name="package_cancelled_has_reason",
            ),
            models.UniqueConstraint(
                fields=["opd", "rup_code", "fiscal_year"], name="package_unique_rup_code"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "closes_at"], name="package_status_closes"),
            models.Index(fields=["opd", "status"], name="package_opd_status"),
        ]

    def __str__(self) -> str:
        return f"{self.rup_code} — {self.title}"

    @property
    def is_sealed(self) -> bool:
        return self.status in SEALED_STATES


class PackageItem(models.Model):
    package = models.ForeignKey(
        Package, on_delete=models.CASCADE, related_name="items", verbose_name=_("paket")
    )
    position = models.PositiveSmallIntegerField(_("urutan"))
    description = models.CharField(_("uraian barang/jasa"), max_length=250)
    kbli = models.CharField(_("KBLI"), max_length=5, blank=True)
    quantity = models.DecimalField(_("volume"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("satuan"), max_length=30)
    hps_unit_price = models.DecimalField(
        _("harga satuan HPS (Rp)"), max_digits=18, decimal_places=2
    )

    class Meta:
        verbose_name = _("rincian paket")
        verbose_name_plural = pgettext_lazy("jamak", "rincian paket")
        ordering = ["package", "position"]
        constraints = [
            models.UniqueConstraint(fields=["package", "position"], name="item_unique_position"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="item_quantity_positive"),
            models.CheckConstraint(condition=Q(hps_unit_price__gte=0), name="item_price_gte_0"),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def hps_total(self):
        return self.quantity * self.hps_unit_price

    def terms(self) -> evaluation.ItemTerms:
        """The item as the arithmetic correction reads it, named as the notes name it."""
        return evaluation.ItemTerms(
            item_id=str(self.pk),
            quantity=self.quantity,
            hps_unit_price=self.hps_unit_price,
            name=f"{self.position}. {self.description}",
        )


class RequirementStage(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("Administrasi")
    TECHNICAL = "technical", _("Teknis")


class PackageRequirement(ChoiceLabels, models.Model):
    """One line of the package's checklist for the administrative and technical evaluation
    (specification per item, delivery time, warranty, documents), set with the package."""

    package = models.ForeignKey(
        Package, on_delete=models.CASCADE, related_name="requirements", verbose_name=_("paket")
    )
    position = models.PositiveSmallIntegerField(_("urutan"))
    stage = models.CharField(_("tahap"), max_length=15, choices=RequirementStage.choices)
    text = models.CharField(_("persyaratan"), max_length=300)

    class Meta:
        verbose_name = _("persyaratan paket")
        verbose_name_plural = pgettext_lazy("jamak", "persyaratan paket")
        ordering = ["package", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["package", "position"], name="requirement_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class PackageEvent(ChoiceLabels, models.Model):
    """The audit trail of a package: every transition, who made it, when and why."""

    package = models.ForeignKey(
        Package, on_delete=models.CASCADE, related_name="events", verbose_name=_("paket")
    )
    action = models.CharField(_("tindakan"), max_length=20, choices=Action.choices)
    from_status = models.CharField(_("dari status"), max_length=12, choices=Status.choices)
    to_status = models.CharField(_("ke status"), max_length=12, choices=Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("oleh"),
        help_text=_("Kosong: dijalankan sistem (misalnya penutupan otomatis)."),
    )
    at = models.DateTimeField(_("waktu"), default=timezone.now)
    reason = models.TextField(_("alasan"), blank=True)

    class Meta:
        verbose_name = _("riwayat paket")
        verbose_name_plural = pgettext_lazy("jamak", "riwayat paket")
        ordering = ["package", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.package_id}: {self.from_status} → {self.to_status}"


class BidStatus(models.TextChoices):
    ACTIVE = "active", _("Aktif")
    SUPERSEDED = "superseded", _("Diganti revisi")
    WITHDRAWN = "withdrawn", _("Ditarik")


class Bid(ChoiceLabels, models.Model):
    """One version of a vendor's sealed bid. Until the package closes its content is only
    ciphertext; at closing it is opened into BidLine rows and the totals below."""

    package = models.ForeignKey(
        Package, on_delete=models.PROTECT, related_name="bids", verbose_name=_("paket")
    )
    vendor = models.ForeignKey(
        "vendors.Vendor", on_delete=models.PROTECT, related_name="bids", verbose_name=_("penyedia")
    )
    version = models.PositiveSmallIntegerField(_("versi"))
    status = models.CharField(
        _("status"), max_length=10, choices=BidStatus.choices, default=BidStatus.ACTIVE
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("diajukan oleh"),
    )
    submitted_at = models.DateTimeField(_("diajukan pada"))
    sealed_content = models.BinaryField(_("isi tersegel"))
    # Which key sealed it (procurement.sealing.key_id): a key missing from BID_SEALING_KEYS
    # is found by comparing ids, not by failing to open the bid at its deadline.
    sealing_key_id = models.CharField(_("ID kunci segel"), max_length=16, editable=False)
    receipt_hash = models.CharField(_("sidik penawaran (SHA-256)"), max_length=64)
    opened_at = models.DateTimeField(_("dibuka pada"), null=True, blank=True)
    price = models.DecimalField(
        _("harga penawaran (Rp)"), max_digits=18, decimal_places=2, null=True
    )
    tkdn_pct = models.DecimalField(
        _("TKDN penawaran (%)"), max_digits=5, decimal_places=2, null=True
    )
    tkdn_bmp_pct = models.DecimalField(
        _("TKDN + BMP penawaran (%)"), max_digits=5, decimal_places=2, null=True
    )

    class Meta:
        verbose_name = _("penawaran")
        verbose_name_plural = pgettext_lazy("jamak", "penawaran")
        ordering = ["package", "vendor", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["package", "vendor"],
                condition=Q(status=BidStatus.ACTIVE),
                name="bid_one_active_per_vendor",
            ),
            models.UniqueConstraint(
                fields=["package", "vendor", "version"], name="bid_unique_version"
            ),
        ]
        indexes = [
            # A package's winning bid read without its row (sealed content makes rows wide):
            # the programme dashboard joins some 20,000 winners a year this way.
            models.Index(
                fields=["id"], include=["price", "tkdn_pct", "vendor"], name="bid_id_figures"
            ),
            # The key check (/healthz, startup) lists the distinct ids by skipping through it.
            models.Index(fields=["sealing_key_id"], name="bid_sealing_key"),
        ]

    def __str__(self) -> str:
        return f"{self.vendor} v{self.version} — {self.package.rup_code}"

    @property
    def standing(self) -> BidStanding:
        """Won, not won, announced winner, superseded, withdrawn or active (select the
        package with the bid)."""
        return bid_standing(
            bid_status=self.status,
            package_status=self.package.status,
            is_winner=self.package.winner_id == self.pk,
        )

    @property
    def bmp_pct(self):
        if self.tkdn_pct is None or self.tkdn_bmp_pct is None:
            return None
        return self.tkdn_bmp_pct - self.tkdn_pct

    def figures(self) -> evaluation.BidFigures:
        """The opened bid as the rule core reads it."""
        return evaluation.BidFigures.of_shares(
            self.pk,
            price=self.price,
            tkdn_pct=self.tkdn_pct,
            tkdn_bmp_pct=self.tkdn_bmp_pct,
            submitted_at=self.submitted_at,
        )


class BidLine(models.Model):
    """A line of an opened bid, with the certificate snapshot frozen at submission."""

    bid = models.ForeignKey(
        Bid, on_delete=models.CASCADE, related_name="lines", verbose_name=_("penawaran")
    )
    item = models.ForeignKey(
        PackageItem, on_delete=models.PROTECT, related_name="bid_lines", verbose_name=_("rincian")
    )
    product = models.ForeignKey(
        "vendors.Product",
        on_delete=models.PROTECT,
        related_name="bid_lines",
        verbose_name=_("produk"),
    )
    product_name = models.CharField(_("nama produk"), max_length=200)
    quantity = models.DecimalField(_("volume"), max_digits=14, decimal_places=2)
    unit_price = models.DecimalField(_("harga satuan (Rp)"), max_digits=18, decimal_places=2)
    tkdn_pct = models.DecimalField(_("TKDN (%)"), max_digits=5, decimal_places=2)
    bmp_pct = models.DecimalField(_("BMP (%)"), max_digits=5, decimal_places=2)
    certificate_number = models.CharField(_("nomor sertifikat TKDN"), max_length=60, blank=True)
    certificate_expires_on = models.DateField(_("sertifikat berlaku sampai"), null=True, blank=True)
    halal_certificate_number = models.CharField(
        _("nomor sertifikat halal"), max_length=20, blank=True
    )
    product_kbli = models.CharField(_("KBLI produk"), max_length=5, blank=True)

    class Meta:
        verbose_name = _("baris penawaran")
        verbose_name_plural = pgettext_lazy("jamak", "baris penawaran")
        ordering = ["bid", "item__position"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "item"], name="bidline_one_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.product_name} x {self.quantity}"

    @property
    def total(self):
        """The line as offered: the bid's volume times its unit price."""
        return self.quantity * self.unit_price

    @property
    def amount(self):
        """The line after arithmetic correction: the document's volume at the offered unit
        price (reads the item)."""
        return self.item.quantity * self.unit_price


class Objection(ChoiceLabels, models.Model):
    """A sanggah: a bidder's objection to the winner announcement, and the officer's answer."""

    package = models.ForeignKey(
        Package, on_delete=models.CASCADE, related_name="objections", verbose_name=_("paket")
    )
    bid = models.ForeignKey(
        Bid, on_delete=models.PROTECT, related_name="objections", verbose_name=_("penawaran")
    )
    text = models.TextField(_("isi sanggah"))
    attachment = models.FileField(
        _("lampiran"), upload_to=RandomName("sanggah"), storage=private_storage, blank=True
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("diajukan oleh"),
    )
    filed_at = models.DateTimeField(_("diajukan pada"), auto_now_add=True)
    answer = models.TextField(_("jawaban"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dijawab oleh"),
    )
    answered_at = models.DateTimeField(_("dijawab pada"), null=True, blank=True)
    upheld = models.BooleanField(
        _("sanggah diterima"),
        null=True,
        blank=True,
        help_text=_("Diterima: evaluasi dibuka kembali. Kosong: belum diputuskan."),
    )

    class Meta:
        verbose_name = _("sanggah")
        verbose_name_plural = pgettext_lazy("jamak", "sanggah")
        ordering = ["package", "filed_at"]

    def __str__(self) -> str:
        return f"{self.bid.vendor} — {self.package.rup_code}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Menunggu diproses")
    RUNNING = "running", _("Sedang dihitung")
    SUCCEEDED = "succeeded", _("Selesai")
    FAILED = "failed", _("Gagal")


class EvaluationRun(ChoiceLabels, models.Model):
    """One evaluation of a package's bids under recorded rules. Runs are kept; the latest
    successful one is current."""

    package = models.ForeignKey(
        Package, on_delete=models.CASCADE, related_name="evaluation_runs", verbose_name=_("paket")
    )
    rule_version = models.CharField(_("versi aturan"), max_length=40)
    formula = models.CharField(_("rumus HEA"), max_length=10, choices=Formula.choices)
    max_preference_pct = models.DecimalField(
        _("preferensi harga tertinggi (%)"), max_digits=5, decimal_places=2
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diminta oleh"),
        help_text=_("Kosong: dimulai otomatis saat penawaran ditutup."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("kemajuan (%)"), default=0)
    error = models.TextField(_("kesalahan"), blank=True)
    created_at = models.DateTimeField(_("diminta pada"), default=timezone.now)
    started_at = models.DateTimeField(_("mulai"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    final = models.BooleanField(
        _("peringkat final"),
        default=False,
        help_text=_(
            "Final bila setiap penawaran sudah punya keputusan evaluasi administrasi dan teknis "
            "dan setiap klarifikasi harga sudah dicatat; selain itu peringkat sementara."
        ),
    )

    class Meta:
        verbose_name = _("evaluasi")
        verbose_name_plural = pgettext_lazy("jamak", "evaluasi")
        ordering = ["package", "-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="run_status_created")]

    def __str__(self) -> str:
        return f"{self.package.rup_code} #{self.number} ({self.get_status_display()})"

    @cached_property
    def number(self) -> int:
        """The run's number within its package (1 for the package's first evaluation), as
        officers and vendors read it: "Evaluasi #2" is the package's second, whatever other
        packages ran."""
        return EvaluationRun.objects.filter(package=self.package_id, pk__lte=self.pk).count()

    def terms(self) -> evaluation.PackageTerms:
        """The package's terms as this run applies them: the preference and the HEA formula
        are the run's own (recorded when it was requested), the rest the package's."""
        return evaluation.PackageTerms(
            category=self.package.category,
            hps=self.package.hps,
            max_preference_pct=self.max_preference_pct,
            formula=self.formula,
            pdn_required=self.package.pdn,
        )


class EvaluationResult(models.Model):
    run = models.ForeignKey(
        EvaluationRun, on_delete=models.CASCADE, related_name="results", verbose_name=_("evaluasi")
    )
    bid = models.ForeignKey(
        Bid, on_delete=models.PROTECT, related_name="results", verbose_name=_("penawaran")
    )
    eligible = models.BooleanField(_("memenuhi syarat"))
    tier = models.CharField(_("tier"), max_length=2)
    kp = models.DecimalField(_("koefisien preferensi (KP)"), max_digits=12, decimal_places=8)
    # Exact for HEA = (1 - KP) x HP (HP to the cent, KP to 8 places); the pre-2021 division
    # is kept to 10 places.
    hea = models.DecimalField(_("harga evaluasi akhir (HEA)"), max_digits=30, decimal_places=10)
    rank = models.PositiveIntegerField(_("peringkat"), null=True, blank=True)
    reasons = models.JSONField(_("alasan"), default=list)
    snapshot = models.JSONField(_("sertifikat yang dipakai"), default=list)
    corrections = models.JSONField(_("koreksi aritmatika"), default=list, blank=True)
    flags = models.JSONField(_("tanda untuk klarifikasi"), default=list, blank=True)

    class Meta:
        verbose_name = _("hasil evaluasi")
        verbose_name_plural = pgettext_lazy("jamak", "hasil evaluasi")
        ordering = ["run", "rank", "hea"]
        constraints = [
            models.UniqueConstraint(fields=["run", "bid"], name="result_one_per_bid"),
            models.UniqueConstraint(fields=["run", "rank"], name="result_unique_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.bid_id} #{self.rank}"

    def contender(self) -> evaluation.Contender:
        """The bid as this run ranked it, for the rule core to say what put it where."""
        return evaluation.Contender(self.bid.figures(), self.eligible, self.hea)


class Clarification(models.TextChoices):
    ACCEPTED = "accepted", _("Harga wajar, penawaran diterima")
    FAILED = "failed", _("Harga tidak wajar, penawaran gugur")


class BidVerdict(ChoiceLabels, models.Model):
    """The evaluator's decision on one opened bid: the administrative and technical
    evaluation, requirement by requirement, and the outcome of the price-reasonableness
    clarification when its corrected total is under 80% of the HPS."""

    bid = models.OneToOneField(
        Bid, on_delete=models.CASCADE, related_name="verdict", verbose_name=_("penawaran")
    )
    passed = models.BooleanField(_("lulus administrasi dan teknis"))
    # requirement id (as text) -> {"passed": bool, "reason": str}
    checks = models.JSONField(_("hasil per persyaratan"), default=dict)
    reason = models.TextField(_("alasan"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("diputuskan oleh"),
    )
    decided_at = models.DateTimeField(_("diputuskan pada"))
    clarification = models.CharField(
        _("klarifikasi kewajaran harga"), max_length=10, choices=Clarification.choices, blank=True
    )
    clarification_reason = models.TextField(_("hasil klarifikasi"), blank=True)
    clarified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diklarifikasi oleh"),
    )
    clarified_at = models.DateTimeField(_("diklarifikasi pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("keputusan evaluasi penawaran")
        verbose_name_plural = pgettext_lazy("jamak", "keputusan evaluasi penawaran")
        ordering = ["bid"]
        constraints = [
            models.CheckConstraint(
                condition=Q(passed=True) | ~Q(reason=""), name="verdict_failed_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(clarification=Clarification.FAILED) | ~Q(clarification_reason=""),
                name="verdict_failed_clarification_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bid_id}: {'lulus' if self.passed else 'gugur'}"
