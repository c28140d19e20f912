"""The realisation funnel as pure aggregation (no ORM, no I/O): planned (pagu) -> contracted ->
delivered (BAST) -> paid, per OPD, month and category, each stage with its domestic and
small-business shares against the programme's 80% and 40% targets. `dashboards.funnel_selectors`
runs one grouped query per stage and hands the rows here.

What each stage counts (the page says the same):
- planned: the pagu of the year's packages (cancelled ones left out); "domestic" is the pagu
  of packages flagged PDN and "small business" the pagu reserved for small business, since
  neither a TKDN nor a vendor is known yet; TKDN >= 25 has no planned figure.
- contracted: the contract value; domestic by the TKDN offered in the winning bid; small
  business by the vendor's scale when the contract was signed.
- delivered: the value accepted at the BAST; domestic by the TKDN achieved at the BAST.
- paid: the payments' gross amounts; domestic by the TKDN achieved at the BAST.
Every stage is counted under its package: the package's OPD, category, fiscal year and the
month of its bid deadline (Asia/Jakarta), as the rest of the dashboard counts, so a row reads
as "of what was planned there, how much got this far".
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from dashboards.rules import DOMESTIC_TARGET_PCT, SMALL_BUSINESS_TARGET_PCT

ZERO = Decimal("0")
CENT = Decimal("0.01")

PLANNED, CONTRACTED, DELIVERED, PAID = "planned", "contracted", "delivered", "paid"
STAGES = (PLANNED, CONTRACTED, DELIVERED, PAID)
STAGE_LABELS = {
    PLANNED: _("Direncanakan (pagu)"),
    CONTRACTED: _("Berkontrak"),
    DELIVERED: _("Diserahterimakan (BAST)"),
    PAID: _("Dibayar"),
}
# What each stage counts, as the page says it.
STAGE_COUNTS = {
    PLANNED: _(
        "Pagu paket tahun ini (tanpa yang dibatalkan). Dalam negeri: pagu paket wajib PDN; "
        "usaha kecil: pagu yang dicadangkan untuk usaha kecil (TKDN dan penyedia belum ada)."
    ),
    CONTRACTED: _("Nilai kontrak. TKDN yang ditawarkan pemenang; skala penyedia saat kontrak."),
    DELIVERED: _("Nilai yang diterima pada BAST. TKDN yang tercapai pada BAST."),
    PAID: _("Pembayaran bruto. TKDN yang tercapai pada BAST."),
}

# The keys one grouped query per stage returns, besides the row's key.
MEASURES = ("value", "domestic", "tkdn25", "small")


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class StageFigures:
    value: Decimal = ZERO
    domestic: Decimal = ZERO  # TKDN > 0 (planned: PDN-flagged pagu)
    tkdn25: Decimal | None = ZERO  # TKDN >= 25 (planned: None, not known)
    small: Decimal = ZERO  # mikro + kecil (planned: reserved for small business)

    def __add__(self, other: "StageFigures") -> "StageFigures":
        tkdn25 = None if self.tkdn25 is None or other.tkdn25 is None else self.tkdn25 + other.tkdn25
        return StageFigures(
            self.value + other.value,
            self.domestic + other.domestic,
            tkdn25,
            self.small + other.small,
        )

    @property
    def domestic_share(self) -> Decimal | None:
        return _share(self.domestic, self.value)

    @property
    def tkdn25_share(self) -> Decimal | None:
        return None if self.tkdn25 is None else _share(self.tkdn25, self.value)

    @property
    def small_share(self) -> Decimal | None:
        return _share(self.small, self.value)


def _bar(value: Decimal | None) -> int:
    return 0 if value is None else max(0, min(100, round(value)))


@dataclass(frozen=True)
class StageView:
    """One stage of a row as the page draws it: the figures, the share of the pagu reached,
    bar widths in whole percents and whether the targets are met."""

    stage: str
    figures: StageFigures
    progress: Decimal | None

    @property
    def label(self) -> str:
        return str(STAGE_LABELS[self.stage])

    @property
    def counts(self) -> str:
        return str(STAGE_COUNTS[self.stage])

    @property
    def progress_bar(self) -> int:
        return _bar(self.progress)

    @property
    def domestic_bar(self) -> int:
        return _bar(self.figures.domestic_share)

    @property
    def small_bar(self) -> int:
        return _bar(self.figures.small_share)

    @property
    def domestic_met(self) -> bool | None:
        share = self.figures.domestic_share
        return None if share is None else share >= DOMESTIC_TARGET_PCT

    @property
    def small_met(self) -> bool | None:
        share = self.figures.small_share
        return None if share is None else share >= SMALL_BUSINESS_TARGET_PCT


PLANNED_EMPTY = StageFigures(tkdn25=None)


def _empty(stage: str) -> StageFigures:
    return PLANNED_EMPTY if stage == PLANNED else StageFigures()


@dataclass(frozen=True)
class FunnelKey:
    opd_id: int
    month: int
    category: str


@dataclass(frozen=True)
class FunnelRow:
    key: FunnelKey | None  # None for the total
    stages: dict[str, StageFigures] = field(default_factory=dict)

    def stage(self, name: str) -> StageFigures:
        return self.stages.get(name, _empty(name))

    def progress(self, name: str) -> Decimal | None:
        """A stage's value as a percentage of the planned pagu."""
        return _share(self.stage(name).value, self.stage(PLANNED).value)

    @property
    def views(self) -> list[StageView]:
        return [StageView(name, self.stage(name), self.progress(name)) for name in STAGES]


def _figures(stage: str, row: Mapping) -> StageFigures:
    return StageFigures(
        value=row["value"] or ZERO,
        domestic=row["domestic"] or ZERO,
        tkdn25=None if stage == PLANNED else (row["tkdn25"] or ZERO),
        small=row["small"] or ZERO,
    )


def funnel_rows(
    by_stage: Mapping[str, Iterable[Mapping]],
) -> tuple[FunnelRow, list[FunnelRow]]:
    """Merge each stage's grouped rows (dicts with opd_id, month, category and MEASURES) into
    one row per (OPD, month, category) seen at any stage, plus the total; rows come ordered by
    OPD, month and category as given (the caller sorts OPDs by name)."""
    merged: dict[FunnelKey, dict[str, StageFigures]] = {}
    for stage in STAGES:
        for row in by_stage.get(stage, ()):
            key = FunnelKey(row["opd_id"], row["month"], row["category"])
            stages = merged.setdefault(key, {})
            stages[stage] = stages.get(stage, _empty(stage)) + _figures(stage, row)
    rows = [FunnelRow(key, stages) for key, stages in merged.items()]
    total: dict[str, StageFigures] = {}
    for row in rows:
        for stage in STAGES:
            total[stage] = total.get(stage, _empty(stage)) + row.stage(stage)
    return FunnelRow(None, total), rows
