"""The one helper every export writes its cells through (p3dn_portal.lib.spreadsheets)."""

import pytest
from openpyxl import Workbook

from p3dn_portal.lib import spreadsheets
from tests.spreadsheets import FORMULA, assert_kept_as_text

STARTS = [FORMULA, "+62 21 1234", "-1+2", "@SUM(A1)", "\t=1+1", "\r=1+1", "#N/A"]


@pytest.mark.parametrize("text", STARTS)
def test_a_text_that_a_spreadsheet_would_evaluate_is_written_as_text(text):
    book = Workbook()
    book.active.cell(1, 1, text)  # written without `put`: the last pass catches it
    spreadsheets.put(book.active, 2, 1, text)
    assert_kept_as_text(spreadsheets.xlsx_bytes(book), text)


@pytest.mark.parametrize("text", STARTS)
def test_a_write_only_row_keeps_text_as_text(text):
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Log")
    sheet.append(spreadsheets.text_row(sheet, [1, text]))
    assert_kept_as_text(spreadsheets.xlsx_bytes(book), text)


def test_numbers_and_plain_text_are_left_as_they_are():
    book = Workbook()
    number = spreadsheets.put(book.active, 1, 1, -5)
    plain = spreadsheets.put(book.active, 1, 2, "Meja belajar")
    assert (number.data_type, number.quotePrefix) == ("n", False)
    assert (plain.data_type, plain.quotePrefix) == ("s", False)


@pytest.mark.parametrize("text", STARTS[:-1])
def test_a_csv_field_gets_an_apostrophe_before_a_formula_like_start(text):
    assert spreadsheets.csv_value(text) == "'" + text
    assert spreadsheets.csv_value("Meja") == "Meja"
    assert spreadsheets.csv_value(-5) == -5


def test_date_cells_read_in_the_portals_format_in_the_workbooks_language():
    from django.utils import translation

    from p3dn_portal.lib.spreadsheets import DATE_CELL, date_cell_format

    with translation.override("id"):
        assert date_cell_format() == "[$-421]d mmm yyyy hh:mm"
        assert date_cell_format(DATE_CELL) == "[$-421]d mmm yyyy"
    with translation.override("en"):
        assert date_cell_format() == "[$-409]d mmm yyyy hh:mm"
