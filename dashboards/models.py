"""The programme dashboard's summary of packages: per fiscal year, OPD, category, method and
month (of the bid deadline, Asia/Jakarta), the sums `dashboards.selectors` would otherwise
compute over every package on each view.

Never stale: database triggers (migration 0001) mark the (fiscal year, OPD) of every package
written, of every package whose winning bid changed and of every package won by a vendor
whose scale changed, in the writing transaction; the next read recomputes the marked groups
from the packages (dashboards.summary.refresh) before it sums the summary."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement.models import OPD


class ExactSum(models.DecimalField):
    """A sum kept as PostgreSQL computed it: `numeric` without a fixed scale, and NULL when
    no package of the group counted (as SUM gives). Summed again, the summary's sums equal
    the sums over the packages to the last digit and scale (0 where nothing counted, 0.00
    where something did), as the dashboard and its downloads showed them before."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 30)
        kwargs.setdefault("decimal_places", 4)
        kwargs.setdefault("null", True)
        super().__init__(*args, **kwargs)

    def db_type(self, connection) -> str:
        return "numeric"


class PackageSummary(models.Model):
    """One group's measures; the measure columns carry the names of
    `dashboards.selectors.PACKAGE_MEASURES`, one column per measure."""

    fiscal_year = models.PositiveSmallIntegerField(_("tahun anggaran"))
    opd = models.ForeignKey(OPD, on_delete=models.CASCADE, related_name="+", verbose_name=_("OPD"))
    category = models.CharField(_("jenis pengadaan"), max_length=20)
    method = models.CharField(_("metode pemilihan"), max_length=20)
    month = models.PositiveSmallIntegerField(_("bulan"))
    packages = models.IntegerField(default=0)
    pagu = ExactSum()
    pdn_packages = models.IntegerField(default=0)
    pdn_pagu = ExactSum()
    awarded_packages = models.IntegerField(default=0)
    awarded = ExactSum()
    domestic = ExactSum()
    tkdn25 = ExactSum()
    small = ExactSum()
    tkdn_weighted = ExactSum()

    class Meta:
        verbose_name = _("ringkasan paket")
        verbose_name_plural = _("ringkasan paket")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "opd", "category", "method", "month"],
                name="package_summary_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year}/{self.month:02d} {self.opd_id} {self.category} {self.method}"


class StaleSummary(models.Model):
    """A (fiscal year, OPD) whose summary rows the next read recomputes; written by the
    triggers only."""

    fiscal_year = models.PositiveSmallIntegerField(_("tahun anggaran"))
    opd_id = models.BigIntegerField(_("OPD"))
    marked_at = models.DateTimeField(_("ditandai pada"))

    class Meta:
        verbose_name = _("ringkasan yang harus dihitung ulang")
        verbose_name_plural = _("ringkasan yang harus dihitung ulang")
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "opd_id"], name="stale_summary_group")
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} OPD {self.opd_id}"
