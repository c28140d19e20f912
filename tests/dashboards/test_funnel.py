"""The realisation funnel and the payment speed against the hand-computed fixture
(tests/dashboards/funnel_fixtures.py), on the page and in the CSV and XLSX."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dashboards.funnel import CONTRACTED, DELIVERED, PAID, PLANNED, FunnelKey
from dashboards.funnel_selectors import funnel_figures
from dashboards.selectors import Filters
from tests.dashboards.funnel_fixtures import M, build_funnel

D = Decimal
pytestmark = pytest.mark.django_db
URL = reverse("dashboards:home")


@pytest.fixture
def funnel(programme):
    build_funnel(programme)
    return programme


def test_the_funnel_totals_by_hand(funnel):
    data = funnel_figures(Filters(year=2026))
    total = data.total
    planned = total.stage(PLANNED)
    assert planned.value == 4500 * M
    assert planned.domestic_share == D("55.56")  # PDN pagu 2500
    assert planned.small_share == D("40.00")  # reserved 1800
    assert planned.tkdn25_share is None
    contracted = total.stage(CONTRACTED)
    assert contracted.value == 2580 * M
    assert (contracted.domestic_share, contracted.tkdn25_share, contracted.small_share) == (
        D("34.11"),
        D("34.11"),
        D("34.11"),
    )
    assert total.progress(CONTRACTED) == D("57.33")
    delivered = total.stage(DELIVERED)
    assert delivered.value == 2580 * M
    # Achieved TKDN 20 on C1: still domestic, no longer >= 25.
    assert (delivered.domestic_share, delivered.tkdn25_share) == (D("34.11"), D("0.00"))
    paid = total.stage(PAID)
    assert paid.value == 1880 * M
    assert (paid.domestic_share, paid.tkdn25_share, paid.small_share) == (
        D("46.81"),
        D("0.00"),
        D("46.81"),
    )
    assert total.progress(PAID) == D("41.78")


def test_the_funnel_rows_per_opd_month_and_category(funnel):
    data = funnel_figures(Filters(year=2026))
    opd_a = funnel.opd_a.pk
    rows = {named.row.key: named.row for named in data.rows}
    assert set(rows) == {
        FunnelKey(opd_a, 2, "goods"),
        FunnelKey(opd_a, 5, "goods"),
        FunnelKey(opd_a, 5, "construction"),
        FunnelKey(funnel.opd_b.pk, 8, "goods"),
        FunnelKey(opd_a, 11, "goods"),
    }
    february = rows[FunnelKey(opd_a, 2, "goods")]
    assert february.stage(PLANNED).value == 1000 * M
    assert february.stage(PAID).value == 880 * M
    assert february.progress(PAID) == D("88.00")
    construction = rows[FunnelKey(opd_a, 5, "construction")]
    assert construction.stage(PAID).value == 1000 * M
    assert construction.stage(PAID).domestic_share == D("0.00")
    # An OPD filter keeps its own rows only.
    only_b = funnel_figures(Filters(year=2026, opd_id=funnel.opd_b.pk))
    assert [r.row.key.opd_id for r in only_b.rows] == [funnel.opd_b.pk]
    assert only_b.total.stage(CONTRACTED).value == 0


def test_the_payment_speed_per_opd(funnel):
    data = funnel_figures(Filters(year=2026))
    assert [s.opd_id for s in data.speeds] == [funnel.opd_a.pk]
    speed = data.speeds[0].speed
    assert speed.paid_contracts == 1
    assert speed.median_days == D("10.0")
    assert (speed.small_counted, speed.small_on_time) == (1, 1)
    assert speed.small_on_time_share == D("100.00")
    assert speed.target_days == 15


def test_a_shorter_target_makes_the_payment_late(funnel):
    funnel.opd_a.payment_target_days = 9
    funnel.opd_a.save()
    speed = funnel_figures(Filters(year=2026)).speeds[0].speed
    assert speed.small_on_time_share == D("0.00")


def test_the_contracts_flagged_at_delivery_per_opd_by_hand(funnel):
    (flags,) = funnel_figures(Filters(year=2026)).flags
    assert (flags.opd_id, flags.shortfall_contracts, flags.shortfall_value) == (
        funnel.opd_a.pk,
        1,
        176 * M,
    )
    assert flags.lapsed_contracts == 1
    (construction,) = funnel_figures(Filters(year=2026, category="construction")).flags
    assert (construction.shortfall_contracts, construction.lapsed_contracts) == (0, 1)
    assert construction.shortfall_value == 0
    assert funnel_figures(Filters(year=2025)).flags == []


def test_an_officer_sees_only_the_flags_of_its_own_opd(login, officer, funnel):
    from tests.factories import OfficerFactory

    own = login(officer).get(URL, {"year": 2026}).content.decode()
    assert f'data-figure="flags.{funnel.opd_a.pk}.shortfall_value">Rp176.000.000<' in own
    other = OfficerFactory(opd=funnel.opd_b).user
    html = login(other).get(URL, {"year": 2026}).content.decode()
    assert f'data-figure="flags.{funnel.opd_a.pk}' not in html
    assert "Tidak ada kontrak yang ditandai pada cakupan ini." in html


def test_the_page_shows_the_funnel_and_what_each_stage_counts(login, admin_user, funnel):
    html = login(admin_user).get(URL, {"year": 2026}).content.decode()
    assert "Corong realisasi" in html
    assert 'data-figure="funnel.total.paid.value">Rp1.880.000.000<' in html
    assert 'data-figure="funnel.total.paid.domestic_share">46,81%<' in html
    assert "TKDN yang tercapai pada BAST" in html
    assert f'data-figure="payment.{funnel.opd_a.pk}.median_days">10,0<' in html


def _csv_rows(client):
    response = client.get(URL, {"year": 2026, "format": "csv"})
    return {row[3]: row for row in csv.reader(io.StringIO(response.content.decode()))}


def test_the_csv_and_xlsx_carry_the_same_rows(login, admin_user, funnel):
    client = login(admin_user)
    rows = _csv_rows(client)
    assert rows["funnel.total.paid.value"][4] == "1880000000.00"
    assert rows["funnel.total.paid.domestic_share"][4] == "46.81"
    assert rows["funnel.total.contracted.progress"][4] == "57.33"
    opd_a = funnel.opd_a.pk
    assert rows[f"funnel.{opd_a}.2.goods.paid.progress"][4] == "88.00"
    assert rows[f"payment.{opd_a}.median_days"][4] == "10.0"
    assert rows[f"payment.{opd_a}.small_on_time_share"][4] == "100.00"
    assert "funnel.total.planned.tkdn25_share" not in rows
    book = load_workbook(
        io.BytesIO(client.get(URL, {"year": 2026, "format": "xlsx"}).content), read_only=True
    )
    cells = {row[3]: row[4] for row in book.active.iter_rows(min_row=5, values_only=True)}
    assert set(cells) == set(rows) - {"Kode"}
    assert cells["funnel.total.paid.value"] == 1880 * M
    assert cells["funnel.total.paid.domestic_share"] == pytest.approx(0.4681)
