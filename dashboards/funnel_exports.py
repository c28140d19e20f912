"""The funnel and the payment speed as rows of the dashboard's long table (section, row,
figure, code, value): the CSV and the XLSX carry the same rows as the page."""

from django.utils.translation import gettext as _

from dashboards import funnel
from dashboards.exports import COUNT, MONEY, PERCENT, FigureRow
from dashboards.funnel_selectors import Funnel


def _stage_rows(section: str, row: str, code: str, figures: funnel.FunnelRow) -> list[FigureRow]:
    out = []
    for stage in funnel.STAGES:
        s = figures.stage(stage)
        label = str(funnel.STAGE_LABELS[stage])
        prefix = f"{code}.{stage}"
        measures = [
            ("value", _("nilai (Rp)"), MONEY, s.value),
            (
                "domestic_share",
                _("porsi produk dalam negeri, TKDN > 0 (%)"),
                PERCENT,
                s.domestic_share,
            ),
            ("tkdn25_share", _("porsi TKDN >= 25% (%)"), PERCENT, s.tkdn25_share),
            ("small_share", _("porsi usaha kecil (%)"), PERCENT, s.small_share),
        ]
        if stage != funnel.PLANNED:
            measures.append(("progress", _("terhadap pagu (%)"), PERCENT, figures.progress(stage)))
        for key, text, kind, value in measures:
            if stage == funnel.PLANNED and key == "tkdn25_share":
                continue
            out.append(FigureRow(section, row, f"{label}: {text}", f"{prefix}.{key}", value, kind))
    return out


def funnel_rows(data: Funnel) -> list[FigureRow]:
    section = _("Corong realisasi")
    rows = _stage_rows(section, _("Jumlah"), "funnel.total", data.total)
    for named in data.rows:
        key = named.row.key
        label = f"{named.opd_name} · {named.month_label} · {named.category_label}"
        rows += _stage_rows(
            section, label, f"funnel.{key.opd_id}.{key.month}.{key.category}", named.row
        )
    speed_section = _("Kecepatan pembayaran")
    for opd in data.speeds:
        s = opd.speed
        prefix = f"payment.{opd.opd_id}"
        rows += [
            FigureRow(
                speed_section,
                opd.name,
                _("Kontrak lunas"),
                f"{prefix}.paid",
                s.paid_contracts,
                COUNT,
            ),
            FigureRow(
                speed_section,
                opd.name,
                _("Median hari dari BAST sampai lunas"),
                f"{prefix}.median_days",
                s.median_days,
                COUNT,
            ),
            FigureRow(
                speed_section,
                opd.name,
                _("Target OPD (hari kalender setelah BAST, target portal)"),
                f"{prefix}.target_days",
                s.target_days,
                COUNT,
            ),
            FigureRow(
                speed_section,
                opd.name,
                _("Kontrak usaha kecil yang dihitung"),
                f"{prefix}.small_counted",
                s.small_counted,
                COUNT,
            ),
            FigureRow(
                speed_section,
                opd.name,
                _("Kontrak usaha kecil lunas dalam target"),
                f"{prefix}.small_on_time",
                s.small_on_time,
                COUNT,
            ),
            FigureRow(
                speed_section,
                opd.name,
                _("Porsi kontrak usaha kecil lunas dalam target (%)"),
                f"{prefix}.small_on_time_share",
                s.small_on_time_share,
                PERCENT,
            ),
        ]
    return rows
