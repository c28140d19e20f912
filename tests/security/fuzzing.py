"""What the fuzz tests send (hypothesis strategies for hostile form values and uploads) and
how they tell that nothing was written (a checksum of every project table)."""

import importlib
import io
import os
import pkgutil

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from PIL import Image

from tests.factories import PDF_BYTES

# The apps whose modules hold the portal's forms and views.
PROJECT_APPS = ("accounts", "vendors", "procurement", "matching", "dashboards", "opendata")
PROJECT_PACKAGES = (*PROJECT_APPS, "freshness", "p3dn_portal")

# Examples per form / per endpoint: small enough that all fuzz tests run in about two minutes
# on the CI machine; FUZZ_EXAMPLES=500 for a long run before a release.
FORM_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
ENDPOINT_EXAMPLES = max(int(os.environ.get("FUZZ_EXAMPLES", "30")) // 3, 5)

FUZZ = settings(
    deadline=None,
    # One database world per test (built once, the examples do not write to it); the test
    # client and `db` are function-scoped on purpose.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=False,
    print_blob=True,
)


def complete_ids(world) -> None:
    """The world's ids the fuzz tests name, derived here from the objects when the world
    (shared with the access walk, and growing with it) does not list them itself."""
    from vendors.models import HalalAssistance, ProductPhoto

    ids = world.ids
    if "public_product" not in ids:
        ids["public_product"] = ProductPhoto.objects.get(pk=ids["public_photo"]).product_id
    if "opd" not in ids:
        ids["opd"] = world.users["officer"].opd_officer.opd_id
    if "assistance" not in ids:
        ids["assistance"] = (
            HalalAssistance.objects.filter(vendor_id=ids["vendor_a"]).order_by("pk").first().pk
        )


def import_project_modules() -> None:
    """Import every module of the project's packages (not migrations or tests), so that every
    form class is defined and found by walking BaseForm's subclasses."""
    for package_name in PROJECT_PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if ".migrations" in module.name or ".management" in module.name:
                continue
            importlib.import_module(module.name)


# Values ----------------------------------------------------------------------------------------

HOSTILE_TEXT = [
    "",
    " ",
    "\t\n\r ",
    "\x00",
    "abc\x00def",
    "\u200b\u200e\ufeff",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR '1'='1' --",
    "'; DROP TABLE vendors_vendor; --",
    "%(name)s %s {0} {name}",
    "${7*7}{{7*7}}",
    "../../etc/passwd",
    "C:\\Windows\\win.ini",
    "\u03a9\u2248\u00e7\u221a\u02dc \U0001d54f \U0001f1ee\U0001f1e9 \ufdfd",
    "a" * 300,
    "x" * 20_000,
    "é" * 1000,
    "\ud800",  # a lone surrogate: not encodable as UTF-8
]
NUMBER_TEXT = [
    "0",
    "-1",
    "-0",
    "1",
    "25",
    "100",
    "100.01",
    "15",
    "15.0001",
    "2026",
    "99999999999999999999999999999999",
    "-99999999999999999999",
    "9223372036854775808",
    "1e308",
    "1E-999",
    "1e999999999",
    "NaN",
    "nan",
    "-Infinity",
    "Infinity",
    "inf",
    "1.500.000.000",
    "1.500.000.000,50",
    "1,500,000,000.50",
    "1.5.5",
    "1,,2",
    "Rp 1.500.000",
    "45,5",
    "45.5%",
    "0x1F",
    "١٢٣",  # Arabic-Indic digits
    "\uff11\uff12\uff13",  # full-width digits
    "½",
    "1_000",
    " 12 ",
]
DATE_TEXT = [
    "2026-01-31",
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "31/12/2026",
    "12/31/2026",
    "31-12-2026",
    "2026-01-31T10:00",
    "2026-01-31T25:61",
    "2026-01-31 10:00:00+07:00",
    "2026-03-08T02:30",
    "1/1/1",
    "yesterday",
    "2026-W05",
]
CHOICE_TEXT = ["on", "off", "true", "false", "True", "1", "yes", "accept", "decline", "held"]

# Values of a single field: hostile text, numbers as text, dates, booleans, random unicode.
scalar_values = st.one_of(
    st.sampled_from(HOSTILE_TEXT + NUMBER_TEXT + DATE_TEXT + CHOICE_TEXT),
    st.text(max_size=40),
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
)


def field_values(known: list[str] | None = None):
    """One or several values of a field (several: a multi-value field or a repeated key),
    drawn from the hostile values and the choices/ids the form knows."""
    values = st.one_of(scalar_values, st.sampled_from(known)) if known else scalar_values
    return st.lists(values, min_size=1, max_size=3)


# Uploads ---------------------------------------------------------------------------------------


def _image(fmt: str, size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 90, 200)).save(buffer, fmt)
    return buffer.getvalue()


UPLOAD_CONTENTS = [
    b"",
    PDF_BYTES,
    PDF_BYTES[:40],
    b"%PDF-1.4\n<html><script>alert(1)</script>",
    PDF_BYTES.replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript>>"),
    _image("PNG"),
    _image("JPEG"),
    _image("WEBP"),
    _image("GIF"),
    _image("PNG")[:50],
    b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
    b"<!DOCTYPE html><html><script>alert(1)</script></html>",
    b"MZ\x90\x00\x03\x00\x00\x00",
    b"PK\x03\x04zip",
]
UPLOAD_NAMES = [
    "sertifikat.pdf",
    "foto.jpg",
    "../../etc/passwd",
    "..\\..\\boot.ini",
    "a\x00.pdf",
    "nama\r\npanjang.png",
    "x" * 300 + ".pdf",
    "",
    "sertifikat.pdf.exe",
    "🇮🇩.png",
]


@st.composite
def uploads(draw) -> list[SimpleUploadedFile]:
    """One to three files: real and broken PDFs and images, hostile markup, random bytes, under
    hostile names and content types."""
    files = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        content = draw(st.one_of(st.sampled_from(UPLOAD_CONTENTS), st.binary(max_size=2048)))
        name = draw(st.sampled_from(UPLOAD_NAMES)) or "berkas"
        content_type = draw(
            st.sampled_from(["application/pdf", "image/png", "text/html", "", "image/svg+xml"])
        )
        files.append(SimpleUploadedFile(name, content, content_type=content_type))
    return files


# Nothing written --------------------------------------------------------------------------------

# Tables a refused request may write to on purpose: the session and the login-attempt log
# (django-axes), the cache-version rows bumped by triggers, and the history of logins.
EPHEMERAL_TABLES = {
    "django_session",
    "axes_accessattempt",
    "axes_accessfailurelog",
    "axes_accesslog",
    "freshness_dataversion",
}


def project_tables() -> list[str]:
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    return sorted(tables - EPHEMERAL_TABLES)


def database_checksum(tables: list[str]) -> dict[str, str]:
    """Each table's row count and the md5 of all its rows (in a stable order): any insert,
    update or delete changes it."""
    parts = [
        f"SELECT '{table}', count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' "
        f"ORDER BY t::text)), '') FROM {connection.ops.quote_name(table)} t"
        for table in tables
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return dict(cursor.fetchall())


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(table for table in before if before[table] != after.get(table))
