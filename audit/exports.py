"""The audit log as a spreadsheet: one sheet of entries, one of their changes (a row per
changed field, so that a schedule run's thousands of placements stay readable). Each sheet
reads as the admin page does (labels, Rupiah, the portal's dates) and keeps, in the columns
after those, what the log stores (the codes of actions, object types and jobs; the field's
key and the values as stored), for whoever filters or joins the file by machine."""

import json

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from audit.display import value_text
from audit.models import AuditEntry
from audit.services import change_label
from p3dn_portal.lib.formatting import JAKARTA
from p3dn_portal.lib.spreadsheets import (
    DATETIME_SECONDS_CELL,
    date_cell_format,
    text_row,
    xlsx_bytes,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _local(moment) -> object:
    """A naive Jakarta time: spreadsheets know no time zones (the header says WIB)."""
    return timezone.localtime(moment, JAKARTA).replace(tzinfo=None)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def audit_workbook(entries: QuerySet[AuditEntry]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Log audit"))
    changes_sheet = book.create_sheet(_("Perubahan"))

    def header(target, titles: list[str]) -> None:
        cells = []
        for title in titles:
            cell = WriteOnlyCell(target, title)
            cell.font = Font(bold=True)
            cells.append(cell)
        target.append(cells)

    header(
        sheet,
        [
            _("No. entri"),
            _("Waktu (WIB)"),
            _("Tindakan"),
            _("Jenis objek"),
            _("ID objek"),
            _("Objek"),
            _("Email pelaku"),
            _("Tugas latar"),
            _("Ringkasan"),
            _("Catatan"),
            _("Kode tindakan"),
            _("Kode jenis objek"),
            _("Kode tugas latar"),
        ],
    )
    header(
        changes_sheet,
        [
            _("No. entri"),
            _("Objek"),
            _("Kolom"),
            _("Sebelum"),
            _("Sesudah"),
            _("Kode kolom"),
            _("Sebelum (tersimpan)"),
            _("Sesudah (tersimpan)"),
        ],
    )
    time_format = date_cell_format(DATETIME_SECONDS_CELL)
    for entry in entries.iterator(chunk_size=500):
        at = WriteOnlyCell(sheet, _local(entry.at))
        at.number_format = time_format
        sheet.append(
            text_row(
                sheet,
                [
                    entry.pk,
                    at,
                    entry.get_action_display(),
                    entry.get_object_type_display(),
                    entry.object_id,
                    entry.object_label,
                    entry.actor_label,
                    entry.get_job_display() if entry.job else "",
                    entry.summary_text,
                    entry.note,
                    entry.action,
                    entry.object_type,
                    entry.job,
                ],
            )
        )
        for key, (before, after) in entry.changes.items():
            changes_sheet.append(
                text_row(
                    changes_sheet,
                    [
                        entry.pk,
                        entry.object_label,
                        change_label(entry.object_type, key),
                        value_text(entry.object_type, key, before),
                        value_text(entry.object_type, key, after),
                        key,
                        _cell_text(before),
                        _cell_text(after),
                    ],
                )
            )
    return xlsx_bytes(book)
