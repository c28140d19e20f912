"""One date format and one date-time format per language, everywhere: the portal's format
modules (p3dn_portal/formats), and no template or Python display code with a date format
string of its own."""

import re
from datetime import UTC, date, datetime

import pytest
from django.utils import formats, translation

from p3dn_portal.lib.formatting import day, jakarta, jakarta_seconds
from tests.sources import matches

# `|date:"..."` / `|time:"..."` with anything but a named format (DATE_FORMAT, ...).
AD_HOC_TEMPLATE_FORMAT = re.compile(r"""\|(date|time):\s*["'](?![A-Z_]+_FORMAT["'])[^"']*["']""")
# A date written for people with strftime codes, day first or with a month name (ISO dates
# for inputs and file names, %Y-%m-%d, are not for reading), or a date_format call with a
# format string of its own (the weekday alone, 'l', is what formatting.day puts first).
AD_HOC_PYTHON_FORMAT = re.compile(
    r"%d[-/. ]%m|%[bB]\b|date_format\([^)]*,\s*[\"'](?![A-Z_]+_FORMAT|l[\"'])"
)


@pytest.mark.parametrize(
    ("language", "expected_date", "expected_datetime"),
    [("id", "7 Des 2026", "7 Des 2026 09:05"), ("en", "7 Dec 2026", "7 Dec 2026 09:05")],
)
def test_one_date_and_one_datetime_format_per_language(language, expected_date, expected_datetime):
    moment = datetime(2026, 12, 7, 9, 5)  # noqa: DTZ001 (a wall-clock time)
    with translation.override(language):
        assert formats.date_format(moment.date(), "DATE_FORMAT") == expected_date
        assert formats.date_format(moment.date(), "SHORT_DATE_FORMAT") == expected_date
        assert formats.date_format(moment, "DATETIME_FORMAT") == expected_datetime
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == expected_datetime
        assert formats.time_format(moment.time(), "TIME_FORMAT") == "09:05"


def test_moments_and_days_read_in_the_same_format():
    moment = datetime(2026, 12, 7, 2, 5, 9, tzinfo=UTC)  # 09:05:09 in Jakarta
    with translation.override("id"):
        assert jakarta(moment) == "7 Des 2026 09:05 WIB"
        assert jakarta_seconds(moment) == "7 Des 2026 09:05:09 WIB"
        assert day(date(2026, 12, 7)) == "Senin, 7 Des 2026"
    with translation.override("en"):
        assert jakarta(moment) == "7 Dec 2026 09:05 WIB"
        assert day(date(2026, 12, 7)) == "Monday, 7 Dec 2026"


def test_no_template_has_a_date_format_of_its_own():
    found = matches(AD_HOC_TEMPLATE_FORMAT, python=False)
    assert found == [], "use a named format (DATE_FORMAT, DATETIME_FORMAT) or |jakarta, |day"


def test_no_python_code_formats_a_date_for_people_on_its_own():
    found = matches(AD_HOC_PYTHON_FORMAT, python=True)
    assert found == [], "use formats.date_format(value, 'DATE_FORMAT') or formatting.jakarta"


def test_the_scans_see_an_ad_hoc_format():
    assert AD_HOC_TEMPLATE_FORMAT.search('{{ x|date:"j M Y" }}')
    assert AD_HOC_TEMPLATE_FORMAT.search("{{ x|time:'H:i' }}")
    assert not AD_HOC_TEMPLATE_FORMAT.search('{{ x|date:"DATE_FORMAT" }}')
    assert AD_HOC_PYTHON_FORMAT.search('f"{start:%d-%m-%Y %H:%M}"')
    assert AD_HOC_PYTHON_FORMAT.search('date_format(d, "l, j F Y")')
    assert not AD_HOC_PYTHON_FORMAT.search("date_format(d, 'DATE_FORMAT')")
