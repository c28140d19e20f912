"""The dashboard page and its downloads: who sees what, and the same numbers everywhere."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dashboards import exports
from dashboards.views import BAD_FILTERS, NOT_FOR_YOU
from tests.dashboards.conftest import M
from tests.spreadsheets import FORMULA, assert_kept_as_text

pytestmark = pytest.mark.django_db

URL = reverse("dashboards:home")


def _csv(response) -> dict[str, str]:
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Bagian", "Baris", "Angka", "Kode", "Nilai"]
    return {row[3]: row[4] for row in rows[1:] if row[3] != "scope"}


def _xlsx(response) -> dict[str, object]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return {
        row[3]: row[4]
        for row in sheet.iter_rows(min_row=5, values_only=True)
        if row[3] and row[3] != "scope"
    }


def test_it_sends_anonymous_users_to_the_login_page(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("fmt", ["", "?format=csv", "?format=xlsx"])
def test_it_refuses_vendors(login, vendor_owner, fmt):
    response = login(vendor_owner).get(URL + fmt)

    assert response.status_code == 403
    assert str(NOT_FOR_YOU) in response.content.decode()


def test_it_shows_an_admin_every_opd(login, admin_user, programme):
    response = login(admin_user).get(URL, {"year": 2026})

    assert response.status_code == 200
    opds = [row.opd_id for row in response.context["procurement"].opds]
    assert opds == [programme.opd_b.pk, programme.opd_a.pk]
    assert response.context["procurement"].total.awarded == 3230 * M


def test_an_admin_may_choose_one_opd(login, admin_user, programme):
    response = login(admin_user).get(URL, {"year": 2026, "opd": programme.opd_b.pk})

    assert response.context["procurement"].total.awarded == 250 * M


@pytest.mark.parametrize("fmt", ["html", "csv", "xlsx"])
def test_an_officer_sees_only_their_own_opd_even_when_asking_for_another(
    login, officer, programme, fmt
):
    response = login(officer).get(URL, {"year": 2026, "opd": programme.opd_b.pk, "format": fmt})

    assert response.status_code == 200
    if fmt == "html":
        procurement = response.context["procurement"]
        assert [row.opd_id for row in procurement.opds] == [programme.opd_a.pk]
        assert procurement.total.awarded == 2980 * M
        assert programme.opd_b.name not in response.content.decode()
        assert 'name="opd"' not in response.content.decode()
    else:
        values = _csv(response) if fmt == "csv" else _xlsx(response)
        assert Decimal(str(values["total.awarded"])) == 2980 * M
        assert f"opd.{programme.opd_b.pk}.awarded" not in values


def test_the_page_csv_and_xlsx_show_the_same_figures(login, admin_user, programme):
    client = login(admin_user)
    page = client.get(URL, {"year": 2026}).content.decode()
    from_csv = _csv(client.get(reverse("dashboards:csv"), {"year": 2026}))
    from_xlsx = _xlsx(client.get(reverse("dashboards:xlsx"), {"year": 2026}))

    expected = {
        "total.pagu": (Decimal("4500000000"), "Rp4.500.000.000"),
        "total.pdn_pagu_share": (Decimal("55.56"), "55,56%"),
        "total.awarded": (Decimal("3230000000"), "Rp3.230.000.000"),
        "total.domestic_share": (Decimal("47.37"), "47,37%"),
        "total.tkdn25_share": (Decimal("27.24"), "27,24%"),
        "total.small_share": (Decimal("34.98"), "34,98%"),
        "total.average_tkdn": (Decimal("13.68"), "13,68%"),
        "total.awarded_packages": (Decimal("4"), "4"),
    }
    for code, (value, shown) in expected.items():
        assert Decimal(from_csv[code]) == value, code
        in_xlsx = Decimal(str(from_xlsx[code]))
        assert in_xlsx == (value / 100 if code.endswith(("_share", "_tkdn")) else value), code
        assert f'data-figure="{code}">{shown}</td>' in page, code
    assert Decimal(from_csv["target.domestic"]) == Decimal("80")
    assert Decimal(from_csv["target.small"]) == Decimal("40")
    assert Decimal(from_csv[f"opd.{programme.opd_b.pk}.domestic_share"]) == Decimal("100.00")
    assert Decimal(from_csv["month.5.awarded"]) == 2100 * M


def test_every_csv_figure_is_in_the_xlsx(login, admin_user, programme):
    client = login(admin_user)
    from_csv = _csv(client.get(URL, {"year": 2026, "format": "csv"}))
    from_xlsx = _xlsx(client.get(URL, {"year": 2026, "format": "xlsx"}))

    assert from_csv.keys() == from_xlsx.keys()


def test_the_downloads_are_attachments(login, admin_user):
    client = login(admin_user)
    csv_response = client.get(reverse("dashboards:csv"), {"year": 2026})
    xlsx_response = client.get(reverse("dashboards:xlsx"), {"year": 2026})

    assert csv_response["Content-Type"].startswith("text/csv")
    assert csv_response["Content-Disposition"] == 'attachment; filename="dasbor-p3dn-2026.csv"'
    assert xlsx_response["Content-Disposition"] == 'attachment; filename="dasbor-p3dn-2026.xlsx"'


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "dua ribu"}, "Tahun anggaran harus berupa angka, misalnya 2026."),
        ({"year": "1999"}, "Tahun anggaran paling awal 2000."),
        ({"quarter": "5"}, "Triwulan harus 1, 2, 3 atau 4."),
        ({"category": "senjata"}, "Jenis pengadaan tidak dikenal: pilih dari daftar."),
        ({"method": "lelang"}, "Metode pemilihan tidak dikenal: pilih dari daftar."),
        ({"opd": "abc"}, "OPD tidak dikenal: pilih dari daftar."),
        ({"opd": "999999"}, "OPD tidak dikenal: pilih dari daftar."),
    ],
)
def test_bad_filters_get_a_clear_message_not_an_error(login, admin_user, params, message):
    client = login(admin_user)
    response = client.get(URL, params)
    download = client.get(reverse("dashboards:csv"), params)

    assert response.status_code == 400
    page = response.content.decode()
    assert str(BAD_FILTERS) in page
    assert message in page
    assert download.status_code == 400
    assert message in download.content.decode()


def test_an_unknown_format_shows_the_page(login, admin_user):
    response = login(admin_user).get(URL, {"format": "pdf"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_it_defaults_to_the_current_fiscal_year(login, admin_user):
    response = login(admin_user).get(URL)

    assert response.status_code == 200
    assert response.context["filters"].year == 2026


def test_a_label_like_a_formula_stays_text_in_the_xlsx_and_the_csv():
    rows = [exports.FigureRow(FORMULA, "-1+2", "@SUM(A1)", "x", Decimal("-5"), exports.COUNT)]
    assert_kept_as_text(exports.to_workbook(rows, title="+judul"), FORMULA)
    written = list(csv.reader(io.StringIO(exports.to_csv(rows))))[1]
    assert written == ["'" + FORMULA, "'-1+2", "'@SUM(A1)", "x", "-5"]
