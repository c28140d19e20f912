"""Text stays text in every workbook and CSV file the portal writes.

A product name such as `=HYPERLINK("http://…"&B6,"Lihat katalog")`, typed by a vendor, became
a live formula in the officer's bids workbook (openpyxl stores any string starting with `=`
as a formula). A spreadsheet also evaluates text starting with `+`, `-` or `@` once the cell
is edited or the file goes through CSV, and a leading tab or carriage return hides such a
start. Every export therefore writes its cells through this module: such text is stored as
a string with the cell's quotePrefix style (the spreadsheet shows it as typed, without a
quote, and keeps it text when edited); in CSV, where no style exists, it gets a leading
apostrophe (OWASP's advice for CSV injection)."""

import io
from collections.abc import Iterable

from django.utils.translation import get_language
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The portal's DATE_FORMAT and DATETIME_FORMAT (p3dn_portal/formats) as number formats of a
# date cell, the month named in the workbook's language by its locale code (Excel's LCID:
# 421 Indonesian, 409 English): the cell keeps a real date, sortable and computable.
_LOCALES = {"id": "[$-421]", "en": "[$-409]"}
DATE_CELL = "d mmm yyyy"
DATETIME_CELL = "d mmm yyyy hh:mm"
DATETIME_SECONDS_CELL = "d mmm yyyy hh:mm:ss"


def date_cell_format(pattern: str = DATETIME_CELL) -> str:
    """A date cell's number format in the active language (DATE_CELL, DATETIME_CELL or
    DATETIME_SECONDS_CELL)."""
    language = (get_language() or "id").split("-")[0]
    return f"{_LOCALES.get(language, _LOCALES['id'])}{pattern}"


_STRING = "s"


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def as_text(cell: Cell) -> Cell:
    """The cell, its text kept text: never a formula, an error code or a number to be."""
    value = cell.value
    if isinstance(value, str) and (is_formula_like(value) or cell.data_type != _STRING):
        cell.data_type = _STRING
        cell.quotePrefix = True
    return cell


def put(sheet: Worksheet, row: int, column: int, value: object) -> Cell:
    """`sheet.cell(row, column, value)`, text kept text."""
    return as_text(sheet.cell(row, column, value))


def text_row(sheet: Worksheet, values: Iterable[object]) -> list[Cell]:
    """A row for a write-only sheet's `append`, text kept text."""
    cells = []
    for value in values:
        cell = value if isinstance(value, Cell) else WriteOnlyCell(sheet, value)
        cells.append(as_text(cell))
    return cells


def xlsx_bytes(book: Workbook) -> bytes:
    """The workbook as bytes, after a last pass over every cell of a workbook kept in memory
    (a cell written without `put` is caught here); a write-only workbook's rows were written
    through `text_row` already."""
    if not book.write_only:
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    as_text(cell)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_value(value: object) -> object:
    """A CSV field, text kept text: a leading apostrophe before a formula-like start."""
    return f"'{value}" if is_formula_like(value) else value
