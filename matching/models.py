from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from matching.rules import EventStatus
from p3dn_portal.lib.choices import ChoiceLabels


class Event(ChoiceLabels, models.Model):
    """A temu bisnis batch: several days of one-on-one meetings between OPD buyers and
    certified producers, e.g. "Business Matching P3DN Batch XI 2024" at Balai Kota."""

    name = models.CharField(_("nama acara"), max_length=200)
    venue = models.CharField(_("tempat"), max_length=200)
    description = models.TextField(_("keterangan"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    registration_opens_at = models.DateTimeField(_("pendaftaran dibuka"))
    registration_closes_at = models.DateTimeField(_("pendaftaran ditutup"))
    slot_minutes = models.PositiveSmallIntegerField(
        _("lama pertemuan (menit)"), default=30, validators=[MinValueValidator(5)]
    )
    tables = models.PositiveSmallIntegerField(
        _("jumlah meja pertemuan"),
        default=20,
        validators=[MinValueValidator(1)],
        help_text=_("Diabaikan bila setiap peserta pameran bertemu di stannya sendiri."),
    )
    booth_per_exhibitor = models.BooleanField(
        _("pertemuan di stan peserta pameran"),
        default=False,
        help_text=_("Setiap peserta pameran punya satu stan; pertemuannya diadakan di sana."),
    )
    exhibitor_capacity = models.PositiveSmallIntegerField(
        _("kapasitas peserta pameran"), default=32
    )
    max_meetings_per_participant = models.PositiveSmallIntegerField(
        _("pertemuan paling banyak per peserta"), default=12
    )
    request_expiry_hours = models.PositiveSmallIntegerField(
        _("permintaan kedaluwarsa setelah (jam)"), default=72
    )
    suggestions_computed_at = models.DateTimeField(_("saran dihitung pada"), null=True, blank=True)
    published_at = models.DateTimeField(_("jadwal diumumkan pada"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dibuat oleh"),
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["created_at", "suggestions_computed_at"])

    class Meta:
        verbose_name = _("acara temu bisnis")
        verbose_name_plural = pgettext_lazy("jamak", "acara temu bisnis")
        ordering = ["-registration_opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(registration_closes_at__gt=F("registration_opens_at")),
                name="event_registration_window",
                violation_error_message=_("Pendaftaran harus ditutup sesudah dibuka."),
            ),
            models.CheckConstraint(condition=Q(slot_minutes__gte=5), name="event_slot_minutes_min"),
            models.CheckConstraint(condition=Q(tables__gte=1), name="event_tables_min"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Once meetings sit at tables, the hall may grow but not shrink under them, and
        tables cannot turn into booths (or back)."""
        super().clean()
        if self.pk is None:
            return
        seated = Meeting.objects.filter(event=self.pk, status__in=SEATED_STATES, slot__isnull=False)
        before = Event.objects.filter(pk=self.pk).values_list("booth_per_exhibitor", flat=True)
        if seated.exists() and before and before[0] != self.booth_per_exhibitor:
            raise ValidationError({"booth_per_exhibitor": SEATED_BOOTHS_FIXED})
        if not self.booth_per_exhibitor:
            highest = seated.aggregate(models.Max("table"))["table__max"] or 0
            if self.tables is not None and self.tables < highest:
                raise ValidationError({"tables": SEATED_TABLES_FIXED.format(highest=highest)})


SEATED_BOOTHS_FIXED = _(
    "Pertemuan sudah dijadwalkan di meja atau stan; cara ini tidak dapat diubah lagi. "
    "Kembalikan pertemuan ke belum terjadwal lebih dulu bila benar-benar perlu."
)
SEATED_TABLES_FIXED = _(
    "Sudah ada pertemuan terjadwal di meja {highest}, jadi jumlah meja paling sedikit {highest}."
)


class EventDay(ChoiceLabels, models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="days", verbose_name=_("acara")
    )
    day = models.DateField(_("tanggal"))
    starts = models.TimeField(_("pertemuan mulai"))
    ends = models.TimeField(_("pertemuan selesai"))

    class Meta:
        verbose_name = _("hari acara")
        verbose_name_plural = pgettext_lazy("jamak", "hari acara")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["event", "day"], name="event_day_unique"),
            models.CheckConstraint(
                condition=Q(ends__gt=F("starts")),
                name="event_day_ends_after_start",
                violation_error_message=_("Jam selesai harus sesudah jam mulai."),
            ),
        ]

    def __str__(self) -> str:
        return f"{date_format(self.day, 'DATE_FORMAT')} {self.starts:%H:%M}-{self.ends:%H:%M}"


class EventBreak(ChoiceLabels, models.Model):
    """A pause every day of the event (prayer, lunch): no meeting overlaps it."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="breaks", verbose_name=_("acara")
    )
    label = models.CharField(_("keterangan"), max_length=100, default=_("Istirahat"))
    starts = models.TimeField(pgettext_lazy("jadwal", "mulai"))
    ends = models.TimeField(pgettext_lazy("jadwal", "selesai"))

    class Meta:
        verbose_name = _("jeda")
        verbose_name_plural = pgettext_lazy("jamak", "jeda")
        ordering = ["starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=F("starts")),
                name="event_break_ends_after_start",
                violation_error_message=_("Jam selesai harus sesudah jam mulai."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.starts:%H:%M}-{self.ends:%H:%M}"


class Slot(ChoiceLabels, models.Model):
    """One meeting time of the event; generated from its days, slot length and breaks."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="slots", verbose_name=_("acara")
    )
    starts_at = models.DateTimeField(pgettext_lazy("jadwal", "mulai"))
    ends_at = models.DateTimeField(pgettext_lazy("jadwal", "selesai"))

    class Meta:
        verbose_name = _("sesi pertemuan")
        verbose_name_plural = pgettext_lazy("jamak", "sesi pertemuan")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["event", "starts_at"], name="slot_event_start_unique")
        ]

    def __str__(self) -> str:
        start = date_format(timezone.localtime(self.starts_at), "DATETIME_FORMAT")
        return f"{start}-{timezone.localtime(self.ends_at):%H:%M}"


class ParticipantKind(models.TextChoices):
    BUYER = "buyer", _("Pembeli")
    EXHIBITOR = "exhibitor", _("Peserta pameran")


class ParticipantStatus(models.TextChoices):
    APPLIED = "applied", _("Menunggu keputusan")
    ACCEPTED = "accepted", _("Diterima")
    REJECTED = "rejected", _("Ditolak")
    WITHDRAWN = "withdrawn", _("Mengundurkan diri")


class Participant(ChoiceLabels, models.Model):
    """A buyer (an OPD officer) or an exhibitor (a verified vendor) at one event."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="participants", verbose_name=_("acara")
    )
    kind = models.CharField(_("sebagai"), max_length=10, choices=ParticipantKind.choices)
    vendor = models.ForeignKey(
        "vendors.Vendor",
        on_delete=models.PROTECT,
        related_name="matching_participations",
        verbose_name=_("penyedia"),
        null=True,
        blank=True,
    )
    officer = models.ForeignKey(
        "procurement.Officer",
        on_delete=models.PROTECT,
        related_name="matching_participations",
        verbose_name=_("pejabat"),
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ParticipantStatus.choices,
        default=ParticipantStatus.APPLIED,
    )
    products = models.ManyToManyField(
        "vendors.Product",
        related_name="matching_participations",
        verbose_name=_("produk yang dipamerkan"),
        blank=True,
    )
    note = models.TextField(_("catatan pendaftaran"), blank=True, max_length=1000)
    rejection_reason = models.TextField(_("alasan penolakan"), blank=True)
    booth = models.PositiveSmallIntegerField(_("nomor stan"), null=True, blank=True)
    unavailable_slots = models.ManyToManyField(
        Slot,
        related_name="unavailable_participants",
        verbose_name=_("sesi berhalangan"),
        blank=True,
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("didaftarkan oleh"),
    )
    created_at = models.DateTimeField(_("mendaftar pada"), auto_now_add=True)
    decided_at = models.DateTimeField(_("diputuskan pada"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("peserta")
        verbose_name_plural = pgettext_lazy("jamak", "peserta")
        ordering = ["event", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=ParticipantKind.BUYER, officer__isnull=False, vendor__isnull=True)
                    | Q(kind=ParticipantKind.EXHIBITOR, vendor__isnull=False, officer__isnull=True)
                ),
                name="participant_kind_matches_party",
            ),
            models.UniqueConstraint(
                fields=["event", "vendor"], name="participant_vendor_once_per_event"
            ),
            models.UniqueConstraint(
                fields=["event", "officer"], name="participant_officer_once_per_event"
            ),
            models.UniqueConstraint(fields=["event", "booth"], name="participant_booth_unique"),
            models.CheckConstraint(
                condition=~Q(status=ParticipantStatus.REJECTED) | ~Q(rejection_reason=""),
                name="participant_rejected_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["event", "kind", "status"], name="participant_event_kind")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.kind == ParticipantKind.EXHIBITOR:
            return self.vendor.name
        return f"{self.officer.user.full_name} ({self.officer.opd.short_name})"

    @property
    def is_buyer(self) -> bool:
        return self.kind == ParticipantKind.BUYER

    @property
    def users(self):  # -> QuerySet[User]
        from accounts.models import User

        if self.is_buyer:
            return User.objects.filter(officer=self.officer_id, is_active=True)
        return User.objects.filter(vendor_membership__vendor=self.vendor_id, is_active=True)


class Need(ChoiceLabels, models.Model):
    """What a buyer plans to buy: the ground for suggestions and for the talk."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="needs", verbose_name=_("pembeli")
    )
    description = models.TextField(_("yang akan dibeli"), max_length=1000)
    kbli = models.CharField(_("KBLI"), max_length=5, blank=True)
    estimated_budget = models.DecimalField(
        _("perkiraan anggaran (Rp)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    fiscal_year = models.PositiveSmallIntegerField(_("tahun anggaran"))
    package = models.ForeignKey(
        "procurement.Package",
        on_delete=models.SET_NULL,
        related_name="matching_needs",
        verbose_name=_("paket pengadaan"),
        null=True,
        blank=True,
    )
    is_food = models.BooleanField(
        _("makanan/minuman"),
        default=False,
        help_text=_("Hanya produk bersertifikat halal yang disarankan."),
    )
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("kebutuhan")
        verbose_name_plural = pgettext_lazy("jamak", "kebutuhan")
        ordering = ["participant", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_budget__isnull=True) | Q(estimated_budget__gte=0),
                name="need_budget_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.description[:80]


class Suggestion(ChoiceLabels, models.Model):
    """A product suggested for a buyer's need by the suggestion job, with its reasons."""

    need = models.ForeignKey(
        Need, on_delete=models.CASCADE, related_name="suggestions", verbose_name=_("kebutuhan")
    )
    exhibitor = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="suggestions_as_exhibitor",
        verbose_name=_("peserta pameran"),
    )
    product = models.ForeignKey(
        "vendors.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("produk")
    )
    score = models.PositiveSmallIntegerField(_("skor"))
    reasons = models.JSONField(_("alasan"), default=list)
    text_rank = models.FloatField(_("kemiripan teks"), default=0)

    class Meta:
        verbose_name = _("saran pertemuan")
        verbose_name_plural = pgettext_lazy("jamak", "saran pertemuan")
        ordering = ["need", "-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["need", "product"], name="suggestion_need_product")
        ]

    def __str__(self) -> str:
        return f"{self.need} → {self.product}"


class MeetingStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu jawaban")
    ACCEPTED = "accepted", _("Disetujui")
    DECLINED = "declined", _("Ditolak")
    EXPIRED = "expired", _("Kedaluwarsa")
    WITHDRAWN = "withdrawn", _("Dibatalkan peminta")
    REMOVED = "removed", _("Dihapus admin")
    HELD = "held", _("Terlaksana")
    NO_SHOW = "no_show", _("Tidak hadir")


# A pair has at most one meeting in these statuses.
ACTIVE_MEETING_STATES = (
    MeetingStatus.PENDING,
    MeetingStatus.ACCEPTED,
    MeetingStatus.HELD,
)
# Meetings in these statuses hold their slot and table.
SEATED_STATES = (MeetingStatus.ACCEPTED, MeetingStatus.HELD)


class RequestedBy(models.TextChoices):
    BUYER = "buyer", _("Pembeli")
    EXHIBITOR = "exhibitor", _("Peserta pameran")
    ADMIN = "admin", _("Admin")


class Meeting(ChoiceLabels, models.Model):
    """A meeting between one buyer and one exhibitor: requested by one side (or added by
    an admin), answered by the other, placed in a slot at a table by the scheduler."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("acara")
    )
    buyer = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="meetings_as_buyer",
        verbose_name=_("pembeli"),
    )
    exhibitor = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="meetings_as_exhibitor",
        verbose_name=_("peserta pameran"),
    )
    need = models.ForeignKey(
        Need,
        on_delete=models.SET_NULL,
        related_name="meetings",
        verbose_name=_("kebutuhan"),
        null=True,
        blank=True,
    )
    requested_by = models.CharField(_("diminta oleh"), max_length=10, choices=RequestedBy.choices)
    requested_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("pengguna peminta"),
    )
    note = models.CharField(_("pesan"), max_length=500, blank=True)
    response_note = models.CharField(_("pesan jawaban"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PENDING
    )
    priority = models.PositiveSmallIntegerField(
        _("prioritas"),
        default=1,
        help_text=_("Bila tidak semua muat, prioritas lebih tinggi dijadwalkan lebih dulu."),
    )
    created_at = models.DateTimeField(_("diminta pada"), default=timezone.now)
    expires_at = models.DateTimeField(_("kedaluwarsa pada"), null=True, blank=True)
    responded_at = models.DateTimeField(_("dijawab pada"), null=True, blank=True)
    slot = models.ForeignKey(
        Slot,
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("sesi"),
        null=True,
        blank=True,
    )
    table = models.PositiveSmallIntegerField(_("meja"), null=True, blank=True)
    locked = models.BooleanField(
        _("dikunci"),
        default=False,
        help_text=_("Penjadwal tidak memindahkan pertemuan yang dikunci."),
    )
    unscheduled_reason = models.CharField(_("alasan belum terjadwal"), max_length=30, blank=True)
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("pertemuan")
        verbose_name_plural = pgettext_lazy("jamak", "pertemuan")
        ordering = ["slot__starts_at", "table", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "exhibitor"],
                condition=Q(status__in=ACTIVE_MEETING_STATES),
                name="meeting_pair_active_once",
                violation_error_message=_("Pasangan ini sudah punya permintaan pertemuan."),
            ),
            models.UniqueConstraint(
                fields=["slot", "table"],
                condition=Q(status__in=SEATED_STATES),
                name="meeting_slot_table_once",
            ),
            models.UniqueConstraint(
                fields=["slot", "buyer"],
                condition=Q(status__in=SEATED_STATES),
                name="meeting_slot_buyer_once",
            ),
            models.UniqueConstraint(
                fields=["slot", "exhibitor"],
                condition=Q(status__in=SEATED_STATES),
                name="meeting_slot_exhibitor_once",
            ),
            models.CheckConstraint(
                condition=Q(slot__isnull=True, table__isnull=True)
                | Q(slot__isnull=False, table__isnull=False),
                name="meeting_slot_and_table_together",
            ),
            models.CheckConstraint(condition=~Q(buyer=F("exhibitor")), name="meeting_two_sides"),
        ]
        indexes = [models.Index(fields=["event", "status"], name="meeting_event_status")]

    def __str__(self) -> str:
        return f"{self.buyer} × {self.exhibitor}"

    @property
    def is_scheduled(self) -> bool:
        return self.slot_id is not None and self.status in SEATED_STATES


class CheckIn(ChoiceLabels, models.Model):
    """A participant at the door on one day of the event."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="checkins", verbose_name=_("peserta")
    )
    day = models.DateField(_("tanggal"))
    at = models.DateTimeField(_("waktu"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dicatat oleh"),
    )

    class Meta:
        verbose_name = _("kehadiran")
        verbose_name_plural = pgettext_lazy("jamak", "kehadiran")
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "day"], name="checkin_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.day}"


class FollowUp(models.TextChoices):
    NONE = "none", _("Belum ada")
    CATALOGUE = "catalogue", _("Pesanan e-katalog")
    PACKAGE = "package", _("Paket pengadaan")


class Outcome(ChoiceLabels, models.Model):
    """What came of a held meeting, recorded by the buyer or an admin."""

    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, related_name="outcome", verbose_name=_("pertemuan")
    )
    interest = models.BooleanField(_("pernyataan minat"))
    estimated_value = models.DecimalField(
        _("perkiraan nilai (Rp)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    products = models.ManyToManyField(
        "vendors.Product", related_name="+", verbose_name=_("produk yang dibahas"), blank=True
    )
    notes = models.TextField(_("catatan"), blank=True, max_length=2000)
    follow_up = models.CharField(
        _("tindak lanjut"), max_length=10, choices=FollowUp.choices, default=FollowUp.NONE
    )
    catalogue_order_ref = models.CharField(_("nomor pesanan e-katalog"), max_length=60, blank=True)
    package = models.ForeignKey(
        "procurement.Package",
        on_delete=models.SET_NULL,
        related_name="matching_outcomes",
        verbose_name=_("paket pengadaan"),
        null=True,
        blank=True,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dicatat oleh"),
    )
    recorded_at = models.DateTimeField(_("dicatat pada"), default=timezone.now)
    history = HistoricalRecords(m2m_fields=[products])

    class Meta:
        verbose_name = _("hasil pertemuan")
        verbose_name_plural = pgettext_lazy("jamak", "hasil pertemuan")
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_value__isnull=True) | Q(estimated_value__gte=0),
                name="outcome_value_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(follow_up=FollowUp.CATALOGUE) | ~Q(catalogue_order_ref=""),
                name="outcome_catalogue_has_ref",
            ),
            models.CheckConstraint(
                condition=~Q(follow_up=FollowUp.PACKAGE) | Q(package__isnull=False),
                name="outcome_package_linked",
            ),
        ]

    def __str__(self) -> str:
        return str(self.meeting)


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Menunggu")
    RUNNING = "running", _("Berjalan")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


class ScheduleRun(ChoiceLabels, models.Model):
    """One run of the scheduler over an event's accepted meetings, kept as a record."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="schedule_runs", verbose_name=_("acara")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    keep_current = models.BooleanField(
        _("pertahankan jadwal yang ada"),
        default=False,
        help_text=_(
            "Hanya menempatkan pertemuan yang belum terjadwal; pertemuan terjadwal tidak pindah."
        ),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("diminta oleh"),
    )
    requested_at = models.DateTimeField(_("diminta pada"), default=timezone.now)
    started_at = models.DateTimeField(_("mulai"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    from_slot = models.ForeignKey(
        Slot,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("mulai dari sesi"),
        null=True,
        blank=True,
    )
    requests = models.PositiveIntegerField(_("permintaan"), default=0)
    placed = models.PositiveIntegerField(_("terjadwal"), default=0)
    upper_bound = models.PositiveIntegerField(_("batas atas"), default=0)
    unscheduled = models.JSONField(_("belum terjadwal"), default=dict)
    error = models.TextField(_("galat"), blank=True)

    class Meta:
        verbose_name = _("penjadwalan")
        verbose_name_plural = pgettext_lazy("jamak", "penjadwalan")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        requested = date_format(timezone.localtime(self.requested_at), "DATETIME_FORMAT")
        return f"{self.event} {requested}"
