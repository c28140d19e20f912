"""The dashboard's figures as one long table (section, row, figure, code, value): the CSV and
the XLSX write the same rows, and the page shows the same selectors' numbers."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from dashboards.selectors import Matching, MatchingRow, Procurement, Realisation, Vendors
from p3dn_portal.lib import spreadsheets
from p3dn_portal.lib.formatting import jakarta
from procurement.exports import PERCENT_FORMAT, RUPIAH_FORMAT

COUNT, MONEY, PERCENT, TEXT = "count", "money", "percent", "text"


@dataclass(frozen=True)
class FigureRow:
    section: str
    row: str
    figure: str
    code: str
    value: int | Decimal | str | None
    kind: str


def realisation_measures() -> list[tuple[str, str, str, Callable[[Realisation], object]]]:
    """(code, label, kind, getter) of every realisation figure, in the page's order."""
    return [
        ("packages", _("Paket (tidak termasuk yang dibatalkan)"), COUNT, lambda r: r.packages),
        ("pagu", _("Pagu seluruh paket (Rp)"), MONEY, lambda r: r.pagu),
        ("pdn_packages", _("Paket wajib PDN"), COUNT, lambda r: r.pdn_packages),
        ("pdn_pagu", _("Pagu paket wajib PDN (Rp)"), MONEY, lambda r: r.pdn_pagu),
        (
            "pdn_pagu_share",
            _("Porsi pagu paket wajib PDN (%)"),
            PERCENT,
            lambda r: r.pdn_pagu_share,
        ),
        ("awarded_packages", _("Paket dengan pemenang final"), COUNT, lambda r: r.awarded_packages),
        ("awarded", _("Nilai kontrak/penetapan (Rp)"), MONEY, lambda r: r.awarded),
        ("domestic", _("Nilai ke produk dalam negeri, TKDN > 0 (Rp)"), MONEY, lambda r: r.domestic),
        (
            "domestic_share",
            _("Porsi produk dalam negeri, TKDN > 0 (%)"),
            PERCENT,
            lambda r: r.domestic_share,
        ),
        ("tkdn25", _("Nilai ke produk TKDN >= 25% (Rp)"), MONEY, lambda r: r.tkdn25),
        ("tkdn25_share", _("Porsi produk TKDN >= 25% (%)"), PERCENT, lambda r: r.tkdn25_share),
        ("small", _("Nilai ke usaha kecil, mikro + kecil (Rp)"), MONEY, lambda r: r.small),
        ("small_share", _("Porsi usaha kecil (%)"), PERCENT, lambda r: r.small_share),
        (
            "average_tkdn",
            _("Rata-rata TKDN tertimbang nilai (%)"),
            PERCENT,
            lambda r: r.average_tkdn,
        ),
    ]


def _realisation_rows(section: str, row: str, prefix: str, figures: Realisation) -> list[FigureRow]:
    return [
        FigureRow(section, row, str(label), f"{prefix}.{code}", get(figures), kind)
        for code, label, kind, get in realisation_measures()
    ]


def realisation_rows(figures: Realisation, *, prefix: str) -> list[FigureRow]:
    """The realisation figures as the page's table shows them (section and row left out)."""
    return _realisation_rows("", "", prefix, figures)


def _matching_rows(section: str, prefix: str, rows: list[MatchingRow]) -> list[FigureRow]:
    out = []
    for row in rows:
        f = row.figures
        for code, label, kind, value in [
            ("held", _("Pertemuan terlaksana"), COUNT, f.held),
            ("interest", _("Dengan pernyataan minat"), COUNT, f.interest),
            ("interest_value", _("Nilai pernyataan minat (Rp)"), MONEY, f.interest_value),
            ("awarded", _("Dimenangkan peserta pameran itu"), COUNT, f.awarded),
            ("conversion", _("Konversi pertemuan ke penetapan (%)"), PERCENT, row.conversion),
        ]:
            out.append(
                FigureRow(section, row.label, str(label), f"{prefix}.{row.key}.{code}", value, kind)
            )
    return out


def figure_rows(
    *,
    scope: list[tuple[str, str]],
    procurement: Procurement,
    vendors: Vendors | None,
    matching: Matching,
) -> list[FigureRow]:
    """Every figure of the dashboard once, starting with the filters they were counted under."""
    rows = [FigureRow(_("Cakupan"), "", label, "scope", value, TEXT) for label, value in scope]
    total = procurement.total
    rows += _realisation_rows(_("Realisasi pengadaan"), _("Jumlah"), "total", total)
    rows += [
        FigureRow(
            _("Realisasi pengadaan"),
            _("Target"),
            _("Target porsi produk dalam negeri (%)"),
            "target.domestic",
            procurement.domestic_target,
            PERCENT,
        ),
        FigureRow(
            _("Realisasi pengadaan"),
            _("Target"),
            _("Target porsi usaha kecil (%)"),
            "target.small",
            procurement.small_target,
            PERCENT,
        ),
    ]
    for month in procurement.months:
        rows += _realisation_rows(
            _("Per bulan batas akhir penawaran"),
            month.label,
            f"month.{month.month}",
            month.figures,
        )
    for rank, opd in enumerate(procurement.opds, 1):
        rows += _realisation_rows(
            _("Peringkat OPD"), f"{rank}. {opd.name}", f"opd.{opd.opd_id}", opd.figures
        )
    if vendors is not None:
        section = _("Penyedia")
        rows += [
            FigureRow(section, "", _("Terdaftar"), "vendors.registered", vendors.registered, COUNT),
            FigureRow(section, "", _("Terverifikasi"), "vendors.verified", vendors.verified, COUNT),
        ]
        for r in vendors.scales:
            rows += [
                FigureRow(section, r.label, _("Terdaftar"), f"scale.{r.key}.total", r.total, COUNT),
                FigureRow(
                    section,
                    r.label,
                    _("Terverifikasi"),
                    f"scale.{r.key}.verified",
                    r.verified,
                    COUNT,
                ),
            ]
        city_section = _("Penyedia per kota/kabupaten")
        for r in vendors.cities:
            rows += [
                FigureRow(city_section, r.label, _("Terdaftar"), "city.total", r.total, COUNT),
                FigureRow(
                    city_section, r.label, _("Terverifikasi"), "city.verified", r.verified, COUNT
                ),
            ]
        cert_section = _("Sertifikat")
        for c in vendors.certificates:
            rows.append(
                FigureRow(
                    cert_section,
                    c.label,
                    _("Terverifikasi"),
                    f"cert.{c.key}.verified",
                    c.verified,
                    COUNT,
                )
            )
            for days, n in c.expiring.items():
                rows.append(
                    FigureRow(
                        cert_section,
                        c.label,
                        _("Berakhir dalam %(days)s hari") % {"days": days},
                        f"cert.{c.key}.expiring_{days}",
                        n,
                        COUNT,
                    )
                )
        halal_section = _("Pendampingan halal")
        for r in vendors.assistance:
            rows.append(
                FigureRow(
                    halal_section, r.label, _("Pendaftaran"), f"assistance.{r.key}", r.total, COUNT
                )
            )
        rows.append(
            FigureRow(
                halal_section,
                _("Jumlah"),
                _("Pendaftaran"),
                "assistance.total",
                vendors.assistance_total,
                COUNT,
            )
        )
    rows += _matching_rows(_("Temu bisnis per acara"), "event", matching.events)
    rows += _matching_rows(_("Temu bisnis per tahun"), "year", matching.years)
    return rows


def _headers() -> list[str]:
    return [_("Bagian"), _("Baris"), _("Angka"), _("Kode"), _("Nilai")]


def to_csv(rows: list[FigureRow]) -> str:
    """Plain numbers (a dot for decimals, no thousands separator) so that any tool reads them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_headers())
    for r in rows:
        value = "" if r.value is None else str(r.value)
        text = [spreadsheets.csv_value(str(v)) for v in (r.section, r.row, r.figure, r.code)]
        writer.writerow([*text, value])
    return buffer.getvalue()


def to_workbook(rows: list[FigureRow], *, title: str) -> bytes:
    """Numbers stay numbers: Rupiah and percent formats, percentages as fractions."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Angka program")
    sheet.cell(1, 1, title).font = Font(bold=True, size=13)
    sheet.cell(2, 1, _("Dicetak")).font = Font(bold=True)
    sheet.cell(2, 2, jakarta(timezone.now()))
    header_row = 4
    for column, header in enumerate(_headers(), 1):
        sheet.cell(header_row, column, header).font = Font(bold=True)
    for n, r in enumerate(rows, header_row + 1):
        for column, value in enumerate([r.section, r.row, r.figure, r.code], 1):
            sheet.cell(n, column, value)
        cell = sheet.cell(n, 5)
        if r.value is None:
            continue
        if r.kind == PERCENT:
            cell.value = r.value / 100
            cell.number_format = PERCENT_FORMAT
        elif r.kind == MONEY:
            cell.value = r.value
            cell.number_format = RUPIAH_FORMAT
        else:
            cell.value = r.value
    for column, width in zip("ABCDE", [30, 36, 44, 28, 22], strict=True):
        sheet.column_dimensions[column].width = width
    return spreadsheets.xlsx_bytes(book)
