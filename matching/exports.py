"""The event's figures as a workbook for Dinas PPKUKM reports: the dashboard's numbers on
the first sheet, then one row per meeting and per participant. Numbers stay numbers."""

from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from matching.models import Event, Meeting, Participant
from matching.selectors import BreakdownRow, EventFigures, meeting_awarded
from p3dn_portal.lib import spreadsheets
from p3dn_portal.lib.formatting import JAKARTA, jakarta

RUPIAH_FORMAT = '"Rp"#,##0'
BOLD = Font(bold=True)


def _yes_no(value: bool | None) -> str:
    if value is None:
        return "—"
    return str(_("Ya") if value else _("Tidak"))


def _local(moment) -> object:
    """A naive Jakarta time: spreadsheets know no time zones (the headers say WIB)."""
    return timezone.localtime(moment, JAKARTA).replace(tzinfo=None) if moment else None


def _table(
    sheet: Worksheet,
    row: int,
    headers: Sequence[object],
    rows: Sequence[Sequence[object]],
    formats: dict[int, str] | None = None,
) -> int:
    """Headers in bold at `row`, then the rows; returns the next free row."""
    for column, header in enumerate(headers, 1):
        sheet.cell(row, column, str(header)).font = BOLD
    for values in rows:
        row += 1
        for column, value in enumerate(values, 1):
            cell = sheet.cell(row, column, value)
            if formats and column in formats:
                cell.number_format = formats[column]
    return row + 2


def _widths(sheet: Worksheet, widths: Sequence[int]) -> None:
    for column, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _breakdown(rows: list[BreakdownRow]) -> list[list[object]]:
    return [
        [
            row.name,
            row.participants,
            row.figures.requested,
            row.figures.accepted,
            row.figures.held,
            row.figures.no_show,
            row.figures.interest,
            row.figures.interest_value,
            row.figures.package_linked,
            row.figures.awarded,
        ]
        for row in rows
    ]


BREAKDOWN_HEADERS = [
    _("Permintaan"),
    _("Disetujui"),
    _("Terlaksana"),
    _("Tidak hadir"),
    _("Pernyataan minat"),
    _("Nilai minat (Rp)"),
    _("Tertaut paket"),
    _("Dimenangkan"),
]


def event_workbook(
    *,
    event: Event,
    figures: EventFigures,
    opd_rows: list[BreakdownRow],
    exhibitor_rows: list[BreakdownRow],
    meetings: list[Meeting],
    participants: list[Participant],
) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = str(_("Ringkasan"))
    summary.cell(1, 1, event.name).font = Font(bold=True, size=13)
    summary.cell(2, 1, str(_("Status"))).font = BOLD
    summary.cell(2, 2, event.get_status_display())
    summary.cell(3, 1, str(_("Dicetak"))).font = BOLD
    summary.cell(3, 2, jakarta(timezone.now()))
    row = 5
    summary.cell(row, 1, str(_("Angka"))).font = BOLD
    summary.cell(row, 2, str(_("Jumlah"))).font = BOLD
    for figure in figures.summary_rows():
        row += 1
        summary.cell(row, 1, figure.label)
        cell = summary.cell(row, 2, figure.value)
        if figure.money:
            cell.number_format = RUPIAH_FORMAT
    next_row = row + 2
    next_row = _table(
        summary,
        next_row,
        [_("OPD"), pgettext("jamak", "Pembeli"), *BREAKDOWN_HEADERS],
        _breakdown(opd_rows),
        {8: RUPIAH_FORMAT},
    )
    _table(
        summary,
        next_row,
        [_("Peserta pameran"), _("Diterima"), *BREAKDOWN_HEADERS],
        _breakdown(exhibitor_rows),
        {8: RUPIAH_FORMAT},
    )
    _widths(summary, [44, 18, 12, 12, 12, 12, 16, 18, 14, 14])

    sheet = book.create_sheet(pgettext("jamak", "Pertemuan"))
    _table(
        sheet,
        1,
        [
            _("Sesi (WIB)"),
            _("Meja"),
            _("Pembeli"),
            _("OPD"),
            _("Peserta pameran"),
            _("Status"),
            _("Diminta oleh"),
            _("Pernyataan minat"),
            _("Perkiraan nilai (Rp)"),
            _("Tindak lanjut"),
            _("Paket pengadaan"),
            _("Dimenangkan peserta pameran"),
        ],
        [_meeting_row(meeting) for meeting in meetings],
        {1: spreadsheets.date_cell_format(), 9: RUPIAH_FORMAT},
    )
    _widths(sheet, [17, 7, 30, 24, 34, 16, 16, 12, 18, 18, 44, 14])
    sheet.freeze_panes = "A2"

    sheet = book.create_sheet(pgettext("jamak", "Peserta"))
    _table(
        sheet,
        1,
        [
            _("Sebagai"),
            _("Nama"),
            _("OPD / kota"),
            _("Status"),
            _("Nomor stan"),
            _("Produk yang dipamerkan / kebutuhan"),
            _("Mendaftar pada (WIB)"),
        ],
        [_participant_row(participant) for participant in participants],
        {7: spreadsheets.date_cell_format()},
    )
    _widths(sheet, [16, 34, 30, 20, 10, 60, 18])
    sheet.freeze_panes = "A2"

    return spreadsheets.xlsx_bytes(book)


def _meeting_row(meeting: Meeting) -> list[object]:
    outcome = getattr(meeting, "outcome", None)
    package = outcome.package if outcome else None
    return [
        _local(meeting.slot.starts_at) if meeting.slot else None,
        meeting.table,
        meeting.buyer.officer.user.full_name,
        meeting.buyer.officer.opd.name,
        meeting.exhibitor.vendor.name,
        meeting.get_status_display(),
        meeting.get_requested_by_display(),
        _yes_no(outcome.interest) if outcome else "—",
        outcome.estimated_value if outcome and outcome.interest else None,
        outcome.get_follow_up_display() if outcome else "",
        f"{package.rup_code} — {package.title}" if package else "",
        _yes_no(meeting_awarded(meeting)),
    ]


def _participant_row(participant: Participant) -> list[object]:
    if participant.is_buyer:
        place = participant.officer.opd.name
        what = "; ".join(need.description for need in participant.needs.all())
    else:
        place = participant.vendor.city
        what = "; ".join(product.name for product in participant.products.all())
    return [
        participant.get_kind_display(),
        participant.name,
        place,
        participant.get_status_display(),
        participant.booth,
        what,
        _local(participant.created_at),
    ]
