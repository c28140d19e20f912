"""Spreadsheets officers download: numbers stay numbers (Rupiah and percent formats)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from p3dn_portal.lib import spreadsheets
from p3dn_portal.lib.formatting import JAKARTA, jakarta
from procurement.models import Bid, BidVerdict, EvaluationResult, EvaluationRun, Package
from procurement.reasons import reasons_display
from procurement.selectors import ComparisonRow

RUPIAH_FORMAT = '"Rp"#,##0'
PERCENT_FORMAT = "0.00%"


def bids_workbook(package: Package, bids: list[Bid], rows: list[ComparisonRow]) -> bytes:
    """The comparison as a worksheet: six item columns, then six columns per bidder; amounts
    and shares are numbers with Rupiah and percent formats, never text."""
    book = Workbook()
    sheet = book.active
    sheet.title = str(_("Perbandingan penawaran"))
    bold = Font(bold=True)
    width = 6  # columns per bidder

    def put(row: int, column: int, value: object, number_format: str | None = None) -> None:
        cell = sheet.cell(row, column, value)
        if number_format:
            cell.number_format = number_format

    put(1, 1, f"{package.rup_code} — {package.title}")
    sheet["A1"].font = Font(bold=True, size=13)
    put(2, 1, str(_("Dicetak")))
    put(2, 2, jakarta(timezone.now()))
    headers = [
        _("No."),
        _("Uraian"),
        _("Volume"),
        _("Satuan"),
        _("Harga satuan HPS (Rp)"),
        _("Jumlah HPS (Rp)"),
    ]
    first = len(headers) + 1  # the first bidder's first column
    line_headers = [
        _("Produk"),
        _("Harga satuan (Rp)"),
        _("Jumlah (Rp)"),
        _("TKDN"),
        _("BMP"),
        _("Nomor sertifikat TKDN"),
    ]
    for n, bid in enumerate(bids):
        column = first + n * width
        put(4, column, f"{bid.vendor.name} ({bid.vendor.get_scale_display()})")
        sheet.cell(4, column).font = bold
        sheet.merge_cells(
            start_row=4, start_column=column, end_row=4, end_column=column + width - 1
        )
    for column, header in enumerate(headers + line_headers * len(bids), 1):
        put(5, column, str(header))
        sheet.cell(5, column).font = bold
    row_number = 5
    for row in rows:
        row_number += 1
        item = row.item
        put(row_number, 1, item.position)
        put(row_number, 2, item.description)
        put(row_number, 3, item.quantity, "#,##0.##")
        put(row_number, 4, item.unit)
        put(row_number, 5, item.hps_unit_price, RUPIAH_FORMAT)
        put(row_number, 6, item.hps_total, RUPIAH_FORMAT)
        for n, (_bid, line) in enumerate(row.cells):
            if line is None:
                continue
            column = first + n * width
            put(row_number, column, line.product_name)
            put(row_number, column + 1, line.unit_price, RUPIAH_FORMAT)
            put(row_number, column + 2, line.amount, RUPIAH_FORMAT)
            put(row_number, column + 3, line.tkdn_pct / 100, PERCENT_FORMAT)
            put(row_number, column + 4, line.bmp_pct / 100, PERCENT_FORMAT)
            put(row_number, column + 5, line.certificate_number)
    # Totals and the bid's particulars, each under the column of its kind.
    footers = [
        (_("Total harga penawaran (Rp)"), 2, lambda b: b.price, RUPIAH_FORMAT),
        (_("TKDN penawaran"), 3, lambda b: b.tkdn_pct / 100, PERCENT_FORMAT),
        (_("TKDN + BMP penawaran"), 3, lambda b: b.tkdn_bmp_pct / 100, PERCENT_FORMAT),
        (
            _("Waktu pengajuan (WIB)"),
            0,
            lambda b: timezone.localtime(b.submitted_at, JAKARTA).replace(tzinfo=None),
            spreadsheets.date_cell_format(spreadsheets.DATETIME_SECONDS_CELL),
        ),
        (_("Versi"), 0, lambda b: b.version, "0"),
        (_("Sidik penawaran (SHA-256)"), 0, lambda b: b.receipt_hash, None),
    ]
    for label, offset, value, number_format in footers:
        row_number += 1
        put(row_number, 2, str(label))
        sheet.cell(row_number, 2).font = bold
        for n, bid in enumerate(bids):
            put(row_number, first + n * width + offset, value(bid), number_format)
    sheet.column_dimensions["B"].width = 40
    for column in range(first, first + width * len(bids)):
        sheet.column_dimensions[get_column_letter(column)].width = 18
    return spreadsheets.xlsx_bytes(book)


def evaluation_workbook(run: EvaluationRun, results: list[EvaluationResult]) -> bytes:
    """A run's ranking as a worksheet: one row per bid; HP and HEA in Rupiah, TKDN, BMP and
    KP as percentages, all numbers."""
    package = run.package
    book = Workbook()
    sheet = book.active
    sheet.title = str(_("Hasil evaluasi"))
    bold = Font(bold=True)
    sheet.cell(1, 1, f"{package.rup_code} — {package.title}").font = Font(bold=True, size=13)
    particulars = [
        (_("Evaluasi"), f"#{run.pk} · {run.get_status_display()}"),
        (_("Versi aturan"), run.rule_version),
        (_("Rumus HEA"), run.get_formula_display()),
        (_("Peringkat"), str(_("final") if run.final else _("sementara"))),
        (_("Diminta pada"), jakarta(run.created_at)),
        (_("Dicetak"), jakarta(timezone.now())),
    ]
    for row, (label, value) in enumerate(particulars, 2):
        sheet.cell(row, 1, str(label)).font = bold
        sheet.cell(row, 2, value)
    header_row = len(particulars) + 3
    headers = [
        _("Peringkat"),
        _("Penyedia"),
        _("Skala usaha"),
        _("Harga penawaran (HP)"),
        _("TKDN"),
        _("BMP"),
        _("Tier"),
        _("Koefisien preferensi (KP)"),
        _("Harga evaluasi akhir (HEA)"),
        _("Memenuhi syarat"),
        _("Alasan"),
        _("Koreksi aritmatika"),
        _("Tanda untuk klarifikasi"),
        _("Evaluasi administrasi dan teknis"),
        _("Klarifikasi kewajaran harga"),
    ]
    for column, header in enumerate(headers, 1):
        sheet.cell(header_row, column, str(header)).font = bold
    number_formats = [
        "0",
        None,
        None,
        RUPIAH_FORMAT,
        PERCENT_FORMAT,
        PERCENT_FORMAT,
        None,
        "0.0000%",
        RUPIAH_FORMAT,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    for row, result in enumerate(results, header_row + 1):
        bid = result.bid
        verdict = getattr(bid, "verdict", None)
        values = [
            result.rank,
            bid.vendor.name,
            bid.vendor.get_scale_display(),
            bid.price,
            bid.tkdn_pct / 100,
            bid.bmp_pct / 100,
            result.tier,
            result.kp,
            result.hea,
            str(_("Ya") if result.eligible else _("Tidak")),
            "\n".join(reasons_display(result.reasons)),
            "\n".join(reasons_display(result.corrections)),
            "\n".join(reasons_display(result.flags)),
            verdict_summary(verdict),
            clarification_summary(verdict),
        ]
        for column, (value, number_format) in enumerate(
            zip(values, number_formats, strict=True), 1
        ):
            cell = sheet.cell(row, column, value)
            if number_format:
                cell.number_format = number_format
    for column, width in zip(
        "ABCDEFGHIJKLMNO",
        [10, 36, 14, 20, 10, 10, 6, 14, 22, 12, 80, 60, 60, 50, 50],
        strict=True,
    ):
        sheet.column_dimensions[column].width = width
    return spreadsheets.xlsx_bytes(book)


def verdict_summary(verdict: BidVerdict | None) -> str:
    """The evaluator's administrative and technical verdict in one cell: outcome, reason,
    who and when."""
    if verdict is None:
        return str(_("Belum diputuskan"))
    outcome = _("Lulus") if verdict.passed else _("Gugur")
    reason = f": {verdict.reason}" if verdict.reason else ""
    return f"{outcome}{reason} ({verdict.decided_by.full_name}, {jakarta(verdict.decided_at)})"


def clarification_summary(verdict: BidVerdict | None) -> str:
    if verdict is None or not verdict.clarification:
        return ""
    who = verdict.clarified_by.full_name if verdict.clarified_by else ""
    return (
        f"{verdict.get_clarification_display()}: {verdict.clarification_reason} "
        f"({who}, {jakarta(verdict.clarified_at)})"
    )
