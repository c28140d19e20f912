"""The audit log: one append-only row per important write, saying who (or which background
job) changed which object, when, and each changed field's value before and after. Rows are
written by the service that makes the change, inside its transaction (audit.record), and
the database refuses to update or delete them (a trigger, see the first migration)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from p3dn_portal.lib.choices import ChoiceLabels


class AuditAction(models.TextChoices):
    PACKAGE_CREATED = "package_created", _("Paket dibuat")
    PACKAGE_EDITED = "package_edited", _("Paket diubah")
    PACKAGE_ANNOUNCED = "package_announced", _("Paket diumumkan")
    PACKAGE_CLOSED = "package_closed", _("Penawaran paket ditutup")
    PACKAGE_CANCELLED = "package_cancelled", _("Paket dibatalkan")
    PACKAGE_FAILED = "package_failed", _("Paket dinyatakan gagal")
    WINNER_ANNOUNCED = "winner_announced", _("Pemenang diumumkan")
    PACKAGE_AWARDED = "package_awarded", _("Penetapan pemenang final")
    CONTRACT_RECORDED = "contract_recorded", _("Kontrak dicatat")
    OBJECTION_FILED = "objection_filed", _("Sanggah diajukan")
    OBJECTION_ANSWERED = "objection_answered", _("Sanggah dijawab")
    BID_SUBMITTED = "bid_submitted", _("Penawaran diajukan")
    BID_WITHDRAWN = "bid_withdrawn", _("Penawaran ditarik")
    BID_OPENED = "bid_opened", _("Penawaran dibuka")
    BID_STATUS_CHANGED = "bid_status_changed", _("Status penawaran berubah")
    VENDOR_VERIFIED = "vendor_verified", _("Penyedia diverifikasi")
    VENDOR_REJECTED = "vendor_rejected", _("Penyedia ditolak")
    CERTIFICATE_VERIFIED = "certificate_verified", _("Sertifikat diverifikasi")
    CERTIFICATE_REJECTED = "certificate_rejected", _("Sertifikat ditolak")
    CERTIFICATE_EXPIRED = "certificate_expired", _("Sertifikat kedaluwarsa")
    CERTIFICATE_EDITED = "certificate_edited", _("Sertifikat diubah admin")
    EVALUATION_STARTED = "evaluation_started", _("Evaluasi dimulai")
    EVALUATION_SUCCEEDED = "evaluation_succeeded", _("Evaluasi selesai")
    EVALUATION_FAILED = "evaluation_failed", _("Evaluasi gagal")
    EVALUATION_REOPENED = "evaluation_reopened", _("Evaluasi dibuka kembali (sanggah diterima)")
    BID_VERDICT = "bid_verdict", _("Keputusan evaluasi penawaran")
    SCHEDULE_RUN = "schedule_run", _("Penjadwalan dijalankan")
    MEETING_ADDED = "meeting_added", _("Pertemuan ditambahkan admin")
    MEETING_REMOVED = "meeting_removed", _("Pertemuan dihapus admin")
    MEETING_LOCKED = "meeting_locked", _("Pertemuan dikunci di slotnya")
    MEETING_UNLOCKED = "meeting_unlocked", _("Kunci pertemuan dilepas")
    MEETING_REOPENED = "meeting_reopened", _("Pertemuan tidak hadir dibuka kembali")
    PASSWORD_RESET_LINK_SENT = (
        "password_reset_link_sent",
        _("Tautan pembuatan kata sandi dikirim admin"),
    )
    VENDOR_DEACTIVATED = "vendor_deactivated", _("Penyedia dinonaktifkan")
    BID_RESEALED = "bid_resealed", _("Penawaran disegel ulang dengan kunci baru")
    CONTRACT_CREATED = "contract_created", _("Kontrak dibuat dari paket")
    DELIVERY_RECORDED = "delivery_recorded", _("Pengiriman dicatat")
    DELIVERY_CONFIRMED = "delivery_confirmed", _("Pengiriman dikonfirmasi penyedia")
    DELIVERY_DISPUTED = "delivery_disputed", _("Pengiriman dibantah penyedia")
    HANDOVER_SIGNED = "handover_signed", _("BAST ditandatangani")
    HANDOVER_ACKNOWLEDGED = "handover_acknowledged", _("BAST diakui penyedia")
    CONTRACT_FLAGGED = "contract_flagged", _("Kontrak ditandai")
    VENDOR_RATED = "vendor_rated", _("Penyedia dinilai")
    RATING_ANSWERED = "rating_answered", _("Penilaian dijawab penyedia")
    INVOICE_RECORDED = "invoice_recorded", _("Tagihan dicatat")
    PAYMENT_RECORDED = "payment_recorded", _("Pembayaran dicatat")
    OPD_PAYMENT_TARGET_SET = "opd_payment_target_set", _("Target pembayaran OPD diubah")
    VENDOR_BLACKLISTED = "vendor_blacklisted", _("Penyedia masuk daftar hitam")
    BLACKLISTING_CHANGED = "blacklisting_changed", _("Daftar hitam diubah")
    BLACKLISTING_LIFTED = "blacklisting_lifted", _("Daftar hitam dicabut")


class ObjectType(models.TextChoices):
    """The kinds of object the log speaks of, by their model label."""

    PACKAGE = "procurement.package", _("Paket pengadaan")
    BID = "procurement.bid", _("Penawaran")
    OBJECTION = "procurement.objection", _("Sanggah")
    EVALUATION_RUN = "procurement.evaluationrun", _("Evaluasi")
    VENDOR = "vendors.vendor", _("Penyedia")
    TKDN_CERTIFICATE = "vendors.tkdncertificate", _("Sertifikat TKDN")
    HALAL_CERTIFICATE = "vendors.halalcertificate", _("Sertifikat halal")
    SCHEDULE_RUN = "matching.schedulerun", _("Penjadwalan temu bisnis")
    MEETING = "matching.meeting", _("Pertemuan temu bisnis")
    USER = "accounts.user", _("Pengguna")
    OPD = "procurement.opd", _("OPD")
    CONTRACT = "contracts.contract", _("Kontrak")
    INVOICE = "contracts.invoice", _("Tagihan")
    PAYMENT = "contracts.payment", _("Pembayaran")
    BLACKLISTING = "vendors.blacklisting", _("Daftar hitam")


class SystemJob(models.TextChoices):
    """Background work that writes without a user at the keyboard (named by its task)."""

    PACKAGES_CLOSE_DUE = (
        "procurement.packages_close_due",
        _("Penutupan otomatis pada batas akhir penawaran"),
    )
    EVALUATION_AT_CLOSING = (
        "procurement.evaluation_at_closing",
        _("Evaluasi otomatis saat penawaran ditutup"),
    )
    EVALUATION_RUN = "procurement.evaluation_run", _("Tugas evaluasi penawaran")
    CERTIFICATES_EXPIRE = "vendors.certificates_expire", _("Tugas harian kedaluwarsa sertifikat")
    SCHEDULE_RUN = "matching.schedule_run", _("Tugas penjadwalan temu bisnis")
    SEALING_KEYS_ROTATE = (
        "procurement.sealing_rotate",
        _("Rotasi kunci segel penawaran (perintah sealing_rotate)"),
    )


class AuditEntry(ChoiceLabels, models.Model):
    at = models.DateTimeField(_("waktu"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # indexed in Meta, by name
        verbose_name=_("pelaku"),
        help_text=_("Kosong: dijalankan sistem (lihat tugas latar)."),
    )
    # The actor's email at the time: the log reads the same after an email changes.
    actor_label = models.CharField(_("email pelaku"), max_length=254, blank=True)
    job = models.CharField(_("tugas latar"), max_length=60, choices=SystemJob.choices, blank=True)
    action = models.CharField(_("tindakan"), max_length=30, choices=AuditAction.choices)
    object_type = models.CharField(_("jenis objek"), max_length=40, choices=ObjectType.choices)
    object_id = models.PositiveBigIntegerField(_("ID objek"))
    object_label = models.CharField(_("objek"), max_length=255)
    # The package a row belongs to (itself, its bids and evaluations): bids stay out of the
    # log's pages while their package is sealed. No constraint: the log outlives rows.
    package = models.ForeignKey(
        "procurement.Package",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("paket terkait"),
    )
    changes = models.JSONField(
        _("perubahan"),
        default=dict,
        blank=True,
        help_text=_("Setiap kolom yang berubah: [sebelum, sesudah]."),
    )
    # The summary in Indonesian (searched; all that rows from before summary_data have), and
    # its data, worded at display time in the reader's language (services.summary_display).
    summary = models.CharField(_("ringkasan"), max_length=300, blank=True)
    summary_data = models.JSONField(_("data ringkasan"), default=dict, blank=True)
    note = models.TextField(_("catatan"), blank=True)

    class Meta:
        verbose_name = _("entri log audit")
        verbose_name_plural = pgettext_lazy("jamak", "log audit")
        ordering = ["-at", "-pk"]
        # Read only: no permission to add, change or delete exists for anyone.
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor"], name="audit_actor"),
            models.Index(fields=["at"], name="audit_at"),
            models.Index(fields=["package"], name="audit_package"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(actor__isnull=False) | ~models.Q(job=""),
                name="audit_actor_or_job",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.object_label}"

    @property
    def summary_text(self) -> str:
        """The summary in the reader's language."""
        from audit.services import summary_display

        return summary_display(self.object_type, self.summary_data, self.summary)

    @property
    def who(self) -> str:
        """The actor's email, or the job that ran without one (or both)."""
        if self.actor_label and self.job:
            return f"{self.actor_label} ({self.get_job_display()})"
        return self.actor_label or self.get_job_display()
