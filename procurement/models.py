from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OPD(models.Model):
    """Organisasi Perangkat Daerah: a provincial agency that buys."""

    code = models.CharField(_("kode"), max_length=30, unique=True)
    name = models.CharField(_("nama"), max_length=200, unique=True)
    short_name = models.CharField(_("singkatan"), max_length=30)

    class Meta:
        verbose_name = _("OPD")
        verbose_name_plural = pgettext_lazy("jamak", "OPD")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Position(models.TextChoices):
    KPA = "kpa", _("KPA (Kuasa Pengguna Anggaran)")
    PPK = "ppk", _("PPK (Pejabat Pembuat Komitmen)")
    PPTK = "pptk", _("PPTK (Pejabat Pelaksana Teknis Kegiatan)")
    PEJABAT_PENGADAAN = "pejabat_pengadaan", _("Pejabat Pengadaan")
    POKJA = "pokja", _("Pokja Pemilihan")


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
}


class Officer(models.Model):
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
