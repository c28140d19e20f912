"""The public list of packages open for bids: search, filters, sort, pages."""

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from procurement import forms
from procurement.rules import Category, Method, Status
from tests.factories import OPDFactory, PackageFactory

pytestmark = pytest.mark.django_db

PACKAGES = reverse("procurement:public-packages")


def _announced(**kwargs):
    return PackageFactory(status=Status.ANNOUNCED, **kwargs)


TITLE = re.compile(r'<a class="fw-semibold" href="/pengadaan/paket/[0-9]+/">([^<]*)</a>')


def _titles(client, **params) -> list[str]:
    """The titles listed, read from the page (the list is HTML kept in the cache)."""
    response = client.get(PACKAGES, params)
    assert response.status_code == 200
    return [html.unescape(title) for title in TITLE.findall(response.content.decode())]


def _warnings(client, **params) -> list[str]:
    response = client.get(PACKAGES, params)
    assert response.status_code == 200
    return [str(m) for m in get_messages(response.wsgi_request)]


# Who sees what --------------------------------------------------------------------------------


def test_it_is_open_to_anonymous_visitors(client):
    _announced(title="Pengadaan kursi lipat")
    response = client.get(PACKAGES)
    assert response.status_code == 200
    assert "Pengadaan kursi lipat" in response.content.decode()


def test_it_is_open_to_logged_in_vendors_and_officers(login, vendor_owner, officer):
    _announced(title="Pengadaan kursi lipat")
    for user in (vendor_owner, officer):
        assert "Pengadaan kursi lipat" in login(user).get(PACKAGES).content.decode()


def test_it_lists_only_packages_open_for_bids(client):
    _announced(title="Terbuka")
    PackageFactory(title="Draf")
    PackageFactory(title="Ditutup", status=Status.CLOSED)
    PackageFactory(title="Dibatalkan", status=Status.CANCELLED, cancel_reason="Anggaran dipotong")
    _announced(
        title="Lewat batas akhir",
        opens_at=timezone.now() - timedelta(days=9),
        closes_at=timezone.now() - timedelta(minutes=1),
    )
    assert _titles(client) == ["Terbuka"]


def test_each_row_shows_the_terms_a_vendor_decides_on(client):
    opd = OPDFactory(name="Dinas Pendidikan")
    closes = timezone.now() + timedelta(days=3)
    _announced(
        opd=opd,
        rup_code="51234567",
        title="Pengadaan meja guru",
        category=Category.GOODS,
        method=Method.TENDER,
        hps=Decimal("1050000000"),
        closes_at=closes,
        reserved_for_small_business=True,
        pdn=True,
        halal_required=True,
        min_tkdn_pct=Decimal("40"),
    )
    html = client.get(PACKAGES).content.decode()
    for text in (
        "51234567",
        "Pengadaan meja guru",
        "Dinas Pendidikan",
        "Barang",
        "Tender",
        "Rp1.050.000.000",
        f"{timezone.localtime(closes):%Y}",
        "WIB",
        ">UMK<",
        ">PDN<",
        ">Halal<",
        "TKDN ≥ 40,00%",
    ):
        assert text in html, text


def test_a_package_without_those_terms_has_no_badges(client):
    _announced(reserved_for_small_business=False, pdn=False, halal_required=False)
    html = client.get(PACKAGES).content.decode()
    for badge in (">UMK<", ">PDN<", ">Halal<", "TKDN ≥"):
        assert badge not in html


# Search, filters, sort ------------------------------------------------------------------------


def test_it_searches_title_description_and_rup_code(client):
    _announced(title="Pengadaan laptop guru")
    _announced(title="Pengadaan seragam", description="Seragam batik untuk siswa SD")
    _announced(title="Pengadaan obat", rup_code="77712345")
    _announced(title="Lain-lain")
    assert _titles(client, q="LAPTOP") == ["Pengadaan laptop guru"]
    assert _titles(client, q="batik") == ["Pengadaan seragam"]
    assert _titles(client, q="777123") == ["Pengadaan obat"]


def test_it_filters_by_opd_and_category(client):
    health = OPDFactory(name="Dinas Kesehatan")
    _announced(title="Alat kesehatan", opd=health)
    _announced(title="Konsultan", category=Category.CONSULTANCY, method=Method.TENDER)
    assert _titles(client, opd=health.pk) == ["Alat kesehatan"]
    assert _titles(client, category=Category.CONSULTANCY) == ["Konsultan"]


def test_it_filters_by_hps_range_typed_the_indonesian_way(client):
    _announced(title="Kecil", hps=Decimal("150000000"), pagu=Decimal("150000000"))
    _announced(title="Sedang", hps=Decimal("900000000"), pagu=Decimal("1000000000"))
    _announced(title="Besar", hps=Decimal("5000000000"), pagu=Decimal("5000000000"))
    assert _titles(client, hps_min="500.000.000", hps_max="Rp 1.000.000.000") == ["Sedang"]
    assert sorted(_titles(client, hps_min="900000000")) == ["Besar", "Sedang"]
    assert _titles(client, hps_max="150.000.000") == ["Kecil"]


def test_it_filters_reserved_and_pdn_packages(client):
    _announced(title="UMK", reserved_for_small_business=True, pdn=False)
    _announced(title="PDN", reserved_for_small_business=False, pdn=True)
    assert _titles(client, umk="on") == ["UMK"]
    assert _titles(client, pdn="on") == ["PDN"]


def test_it_sorts_by_closing_time_soonest_first_by_default_or_by_hps(client):
    now = timezone.now()
    _announced(title="Lusa", closes_at=now + timedelta(days=2), hps=Decimal("300000000"))
    _announced(title="Besok", closes_at=now + timedelta(days=1), hps=Decimal("900000000"))
    _announced(title="Minggu depan", closes_at=now + timedelta(days=7), hps=Decimal("600000000"))
    assert _titles(client) == ["Besok", "Lusa", "Minggu depan"]
    assert _titles(client, sort="-hps") == ["Besok", "Minggu depan", "Lusa"]
    assert _titles(client, sort="hps") == ["Lusa", "Minggu depan", "Besok"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"hps_min": "seratus juta"}, forms.BAD_HPS_MIN),
        ({"hps_max": "1,2,3"}, forms.BAD_HPS_MAX),
        ({"hps_min": "-5"}, forms.BAD_HPS_MIN),
        ({"hps_min": "900.000.000", "hps_max": "100.000.000"}, forms.BAD_HPS_RANGE),
        ({"opd": "bukan-angka"}, forms.BAD_CHOICE.format(field="OPD")),
        ({"opd": "987654"}, forms.BAD_CHOICE.format(field="OPD")),
        ({"category": "senjata"}, forms.BAD_CHOICE.format(field="Jenis pengadaan")),
        ({"sort": "harga"}, forms.BAD_CHOICE.format(field="Urutkan")),
    ],
)
def test_bad_filter_input_is_reported_and_ignored(client, params, message):
    _announced(title="Meja", hps=Decimal("300000000"))
    _announced(title="Kursi", hps=Decimal("200000000"))
    assert _warnings(client, **params) == [str(message)]
    assert sorted(_titles(client, **params)) == ["Kursi", "Meja"]


def test_a_bad_filter_leaves_the_good_ones_working(client):
    _announced(title="Laptop", reserved_for_small_business=True)
    _announced(title="Laptop besar", reserved_for_small_business=False)
    assert _titles(client, q="laptop", umk="on", hps_min="abc") == ["Laptop"]


def test_a_bad_page_number_falls_back_to_a_real_page(client):
    _announced(title="Satu-satunya")
    for page in ("abc", "999", "-1"):
        assert _titles(client, page=page) == ["Satu-satunya"]


def test_it_shows_twenty_packages_a_page(client):
    now = timezone.now()
    for n in range(25):
        _announced(title=f"Paket {n:02d}", closes_at=now + timedelta(days=1, hours=n))
    first = _titles(client)
    assert first == [f"Paket {n:02d}" for n in range(20)]
    assert _titles(client, page=2) == [f"Paket {n:02d}" for n in range(20, 25)]
    assert "halaman 1 dari 2" in client.get(PACKAGES).content.decode()


@pytest.mark.parametrize("count", [2, 25])
def test_its_query_count_does_not_grow_with_packages(client, django_assert_num_queries, count):
    for _ in range(count):
        _announced()
    params = {"q": "pengadaan", "umk": "on", "sort": "-hps"}
    # 1 OPD choices, 2 data versions; the first time for the data as it is: 3 the next
    # closing, 4 count of matching packages, 5 the page with each package's OPD joined.
    with django_assert_num_queries(5):
        response = client.get(PACKAGES, params)
    assert response.status_code == 200
    assert len(_titles(client, **params)) == min(count, 20)
    with django_assert_num_queries(2):
        again = client.get(PACKAGES, params)
    assert TITLE.findall(again.content.decode()) == TITLE.findall(response.content.decode())


def test_a_package_leaves_the_cached_list_at_its_deadline(client):
    soon = _announced(title="Tutup sebentar lagi", closes_at=timezone.now() + timedelta(minutes=5))
    _announced(title="Masih lama", closes_at=timezone.now() + timedelta(days=5))
    assert _titles(client) == ["Tutup sebentar lagi", "Masih lama"]
    with time_machine.travel(soon.closes_at + timedelta(seconds=1)):
        assert _titles(client) == ["Masih lama"]


def test_a_new_package_shows_in_a_list_already_cached(client):
    _announced(title="Pertama")
    assert _titles(client) == ["Pertama"]
    _announced(title="Kedua", closes_at=timezone.now() + timedelta(days=30))
    assert _titles(client) == ["Pertama", "Kedua"]
