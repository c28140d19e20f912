"""After the contract: the contract and its lines (copied from the winning bid), the
deliveries the PPK records and the vendor confirms or disputes, the handover (BAST) with the
achieved local content, the flags it raises, the vendor's rating, and the invoices and
payments against the BAST."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from p3dn_portal.lib.choices import ChoiceLabels


class ContractStatus(models.TextChoices):
    SIGNED = "signed", _("Berkontrak")
    DELIVERING = "delivering", _("Dalam pengiriman")
    HANDED_OVER = "handed_over", _("Serah terima (BAST)")
    PAID = "paid", _("Lunas")


def _user_field(verbose_name, *, null: bool = False) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=null,
        blank=null,
        verbose_name=verbose_name,
    )


def _money(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=18, decimal_places=2, **kwargs)


def _percent(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, **kwargs)


def _quantity(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


class Contract(ChoiceLabels, models.Model):
    """A signed contract: from a tendered package's winning bid (or, later, a catalogue
    order, hence the package may be empty)."""

    package = models.OneToOneField(
        "procurement.Package",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contract",
        verbose_name=_("paket"),
    )
    opd = models.ForeignKey(
        "procurement.OPD", on_delete=models.PROTECT, related_name="contracts", verbose_name=_("OPD")
    )
    vendor = models.ForeignKey(
        "vendors.Vendor",
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("penyedia"),
    )
    number = models.CharField(_("nomor kontrak"), max_length=100)
    signed_on = models.DateField(_("tanggal kontrak"))
    value = _money(_("nilai kontrak (Rp)"))
    offered_tkdn_pct = _percent(_("TKDN penawaran (%)"))
    offered_tkdn_bmp_pct = _percent(_("TKDN + BMP penawaran (%)"))
    vendor_small_business = models.BooleanField(
        _("usaha mikro/kecil saat kontrak"),
        default=False,
        help_text=_("Skala penyedia pada tanggal kontrak (tidak berubah sesudahnya)."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ContractStatus.choices, default=ContractStatus.SIGNED
    )
    created_at = models.DateTimeField(_("dicatat pada"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("kontrak")
        verbose_name_plural = pgettext_lazy("jamak", "kontrak")
        ordering = ["-signed_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="contract_value_positive"),
        ]
        indexes = [
            models.Index(fields=["opd", "status"], name="contract_opd_status"),
            models.Index(fields=["vendor", "-signed_on"], name="contract_vendor_signed"),
            models.Index(fields=["number"], name="contract_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.vendor}"

    @property
    def offered_bmp_pct(self) -> Decimal:
        return self.offered_tkdn_bmp_pct - self.offered_tkdn_pct


class ContractLine(models.Model):
    """A line of the contract, copied from the winner's bid line at the contract."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="lines", verbose_name=_("kontrak")
    )
    position = models.PositiveSmallIntegerField(_("urutan"), default=0)
    item = models.ForeignKey(
        "procurement.PackageItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contract_lines",
        verbose_name=_("rincian paket"),
    )
    product = models.ForeignKey(
        "vendors.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contract_lines",
        verbose_name=_("produk"),
    )
    description = models.CharField(_("uraian barang/jasa"), max_length=250)
    product_name = models.CharField(_("nama produk"), max_length=200, blank=True)
    unit = models.CharField(_("satuan"), max_length=30)
    quantity = _quantity(_("volume"))
    unit_price = _money(_("harga satuan (Rp)"))
    offered_tkdn_pct = _percent(_("TKDN penawaran (%)"))
    offered_bmp_pct = _percent(_("BMP penawaran (%)"))
    certificate_number = models.CharField(_("nomor sertifikat TKDN"), max_length=60, blank=True)
    certificate_expires_on = models.DateField(_("sertifikat berlaku sampai"), null=True, blank=True)

    class Meta:
        verbose_name = _("baris kontrak")
        verbose_name_plural = pgettext_lazy("jamak", "baris kontrak")
        ordering = ["contract", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(unit_price__gte=0),
                name="contractline_amounts_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} x {self.quantity}"

    @property
    def value(self) -> Decimal:
        return self.quantity * self.unit_price


class VendorResponse(models.TextChoices):
    PENDING = "pending", _("Menunggu tanggapan penyedia")
    CONFIRMED = "confirmed", _("Dikonfirmasi penyedia")
    DISPUTED = "disputed", _("Dibantah penyedia")


class Delivery(ChoiceLabels, models.Model):
    """One delivery the PPK checked and recorded (partial deliveries allowed)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("kontrak")
    )
    number = models.PositiveSmallIntegerField(_("pengiriman ke-"))
    delivered_on = models.DateField(_("tanggal diterima"))
    note = models.TextField(_("catatan pemeriksaan"), blank=True)
    recorded_by = _user_field(_("dicatat oleh"))
    recorded_at = models.DateTimeField(_("dicatat pada"))
    vendor_response = models.CharField(
        _("tanggapan penyedia"),
        max_length=10,
        choices=VendorResponse.choices,
        default=VendorResponse.PENDING,
    )
    vendor_note = models.TextField(_("catatan penyedia"), blank=True)
    responded_by = _user_field(_("ditanggapi oleh"), null=True)
    responded_at = models.DateTimeField(_("ditanggapi pada"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pengiriman")
        verbose_name_plural = pgettext_lazy("jamak", "pengiriman")
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="delivery_unique_number"),
            models.CheckConstraint(
                condition=~Q(vendor_response=VendorResponse.DISPUTED) | ~Q(vendor_note=""),
                name="delivery_dispute_has_note",
                violation_error_message=_("Bantahan harus disertai catatan."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} — #{self.number}"


class DeliveryLine(models.Model):
    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="lines", verbose_name=_("pengiriman")
    )
    contract_line = models.ForeignKey(
        ContractLine,
        on_delete=models.PROTECT,
        related_name="delivery_lines",
        verbose_name=_("baris kontrak"),
    )
    product = models.ForeignKey(
        "vendors.Product",
        on_delete=models.PROTECT,
        related_name="delivery_lines",
        verbose_name=_("produk yang dikirim"),
    )
    quantity_delivered = _quantity(_("volume dikirim"))
    quantity_accepted = _quantity(_("volume diterima"))
    tkdn_certificate = models.ForeignKey(
        "vendors.TKDNCertificate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delivery_lines",
        verbose_name=_("sertifikat TKDN yang berlaku"),
    )
    tkdn_pct = _percent(_("TKDN (%)"))
    bmp_pct = _percent(_("BMP (%)"))
    substitution_reason = models.TextField(_("alasan penggantian produk/sertifikat"), blank=True)

    class Meta:
        verbose_name = _("baris pengiriman")
        verbose_name_plural = pgettext_lazy("jamak", "baris pengiriman")
        ordering = ["delivery", "contract_line__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "contract_line"], name="deliveryline_one_per_line"
            ),
            models.CheckConstraint(
                condition=Q(quantity_accepted__gte=0)
                & Q(quantity_accepted__lte=F("quantity_delivered")),
                name="deliveryline_accepted_within_delivered",
                violation_error_message=_("Volume diterima antara 0 dan volume yang dikirim."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_line.description}: {self.quantity_accepted}"


class Handover(models.Model):
    """Berita Acara Serah Terima (BAST): closes the deliveries, records the achieved local
    content, signed by the PPK and acknowledged by the vendor."""

    contract = models.OneToOneField(
        Contract, on_delete=models.CASCADE, related_name="handover", verbose_name=_("kontrak")
    )
    number = models.CharField(_("nomor BAST"), max_length=60, unique=True)
    signed_on = models.DateField(_("tanggal BAST"))
    signed_by = _user_field(_("ditandatangani oleh"))
    signed_at = models.DateTimeField(_("ditandatangani pada"))
    vendor_acknowledged_by = _user_field(_("diakui penyedia oleh"), null=True)
    vendor_acknowledged_at = models.DateTimeField(_("diakui penyedia pada"), null=True, blank=True)
    accepted_value = _money(_("nilai yang diterima (Rp)"))
    achieved_tkdn_pct = _percent(_("TKDN tercapai (%)"))
    achieved_tkdn_bmp_pct = _percent(_("TKDN + BMP tercapai (%)"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("berita acara serah terima (BAST)")
        verbose_name_plural = pgettext_lazy("jamak", "berita acara serah terima (BAST)")
        ordering = ["-signed_on", "-pk"]

    def __str__(self) -> str:
        return self.number

    @property
    def achieved_bmp_pct(self) -> Decimal:
        return self.achieved_tkdn_bmp_pct - self.achieved_tkdn_pct


class FlagKind(models.TextChoices):
    TKDN_SHORTFALL = "tkdn_shortfall", _("TKDN tercapai di bawah TKDN penawaran")
    CERTIFICATE_LAPSED = (
        "certificate_lapsed",
        _("Sertifikat TKDN kedaluwarsa atau dicabut antara penawaran dan pengiriman"),
    )


class ContractFlag(ChoiceLabels, models.Model):
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="flags", verbose_name=_("kontrak")
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=FlagKind.choices)
    shortfall_pct = _percent(_("selisih (poin persen)"), null=True, blank=True)
    shortfall_value = _money(_("selisih nilai (Rp)"), null=True, blank=True)
    detail = models.JSONField(_("rincian"), default=dict, blank=True)
    raised_at = models.DateTimeField(_("ditandai pada"))

    class Meta:
        verbose_name = _("tanda kontrak")
        verbose_name_plural = pgettext_lazy("jamak", "tanda kontrak")
        ordering = ["contract", "raised_at", "pk"]

    def __str__(self) -> str:
        return f"{self.contract.number} — {self.get_kind_display()}"

    def _detail_day(self, key: str) -> date | None:
        value = self.detail.get(key)
        return date.fromisoformat(value) if value else None

    @property
    def delivered_on(self) -> date | None:
        return self._detail_day("delivered_on")

    @property
    def expires_on(self) -> date | None:
        return self._detail_day("expires_on")


MARK_VALIDATORS = [MinValueValidator(1), MaxValueValidator(4)]


class Mark(models.IntegerChoices):
    """LKPP SIKaP's scale."""

    POOR = 1, _("1 — kurang")
    FAIR = 2, _("2 — cukup")
    GOOD = 3, _("3 — baik")
    VERY_GOOD = 4, _("4 — sangat baik")


def _mark(verbose_name) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        verbose_name, choices=Mark.choices, validators=MARK_VALIDATORS
    )


class Rating(ChoiceLabels, models.Model):
    """The PPK's rating of the vendor at the BAST (quality, cost, time, service)."""

    contract = models.OneToOneField(
        Contract, on_delete=models.CASCADE, related_name="rating", verbose_name=_("kontrak")
    )
    quality = _mark(_("kualitas"))
    cost = _mark(_("biaya"))
    time = _mark(_("waktu"))
    service = _mark(_("layanan"))
    note = models.TextField(_("catatan penilaian"), blank=True)
    rated_by = _user_field(_("dinilai oleh"))
    rated_at = models.DateTimeField(_("dinilai pada"))
    vendor_answer = models.TextField(_("jawaban penyedia"), blank=True)
    vendor_answered_by = _user_field(_("dijawab oleh"), null=True)
    vendor_answered_at = models.DateTimeField(_("dijawab pada"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("penilaian penyedia")
        verbose_name_plural = pgettext_lazy("jamak", "penilaian penyedia")
        ordering = ["-rated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quality__gte=1, quality__lte=4)
                & Q(cost__gte=1, cost__lte=4)
                & Q(time__gte=1, time__lte=4)
                & Q(service__gte=1, service__lte=4),
                name="rating_marks_1_4",
            ),
            models.CheckConstraint(
                condition=(Q(quality__gte=3) & Q(cost__gte=3) & Q(time__gte=3) & Q(service__gte=3))
                | ~Q(note=""),
                name="rating_low_mark_has_note",
                violation_error_message=_("Nilai 1 atau 2 harus disertai catatan."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number}: {self.average}"

    @property
    def marks(self) -> tuple[int, int, int, int]:
        return (self.quality, self.cost, self.time, self.service)

    @property
    def average(self) -> Decimal:
        return (Decimal(sum(self.marks)) / 4).quantize(Decimal("0.01"))


class Invoice(models.Model):
    """The vendor's invoice (tagihan) against the BAST."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="invoices", verbose_name=_("kontrak")
    )
    number = models.CharField(_("nomor tagihan"), max_length=100)
    issued_on = models.DateField(_("tanggal tagihan"))
    amount = _money(_("jumlah tagihan (Rp)"))
    recorded_by = _user_field(_("dicatat oleh"))
    recorded_at = models.DateTimeField(_("dicatat pada"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tagihan")
        verbose_name_plural = pgettext_lazy("jamak", "tagihan")
        ordering = ["contract", "issued_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_positive"),
            models.UniqueConstraint(fields=["contract", "number"], name="invoice_unique_number"),
        ]

    def __str__(self) -> str:
        return self.number


class Payment(models.Model):
    """A payment of an invoice (a term): gross amount and the tax the treasurer withheld."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="payments", verbose_name=_("tagihan")
    )
    paid_on = models.DateField(_("tanggal bayar"))
    amount = _money(_("jumlah bruto (Rp)"))
    tax_withheld = _money(_("pajak dipotong (Rp)"), default=Decimal("0"))
    recorded_by = _user_field(_("dicatat oleh"))
    recorded_at = models.DateTimeField(_("dicatat pada"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pembayaran")
        verbose_name_plural = pgettext_lazy("jamak", "pembayaran")
        ordering = ["invoice", "paid_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0)
                & Q(tax_withheld__gte=0)
                & Q(tax_withheld__lte=F("amount")),
                name="payment_amounts_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice.number}: {self.amount}"

    @property
    def net(self) -> Decimal:
        return self.amount - self.tax_withheld
