"""The portal's date and time formats in Indonesian (settings.FORMAT_MODULE_PATH): one date
format and one date-time format, the same in pages, exports, mail and the admin. Templates
use the named formats (`|date:"DATE_FORMAT"`, `|jakarta`), never a format string of their
own (tests/test_templates.py checks it). Input formats stay Django's."""

DATE_FORMAT = "j M Y"  # 8 Des 2026
TIME_FORMAT = "H:i"  # 09:00
DATETIME_FORMAT = "j M Y H:i"  # 8 Des 2026 09:00
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
