"""The public directory of verified vendors and their certified products."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    HalalCertificateFactory,
    ProductFactory,
    TKDNCertificateFactory,
    VendorFactory,
)
from vendors import directory
from vendors.models import CertificateStatus, Vendor, VendorStatus
from vendors.rules import BusinessScale, ScaleBasis, Tier

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("vendors:directory")


def _vendor_page(vendor) -> str:
    return reverse("vendors:directory-vendor", args=[vendor.pk])


def _product_links(response) -> list[str]:
    return re.findall(r'href="(/penyedia/direktori/[0-9]+/)"', response.content.decode())


def _listed(client, **params) -> list[str]:
    """Names of the products on the directory page, in order."""
    response = client.get(DIRECTORY, params)
    assert response.status_code == 200
    return [product.name for product in response.context["page_obj"]]


def _certify(product, tkdn: str, bmp: str = "0", **kwargs):
    return TKDNCertificateFactory(
        products=[product],
        vendor=product.vendor,
        tkdn_pct=Decimal(tkdn),
        bmp_pct=Decimal(bmp),
        **kwargs,
    )


def _today():
    return timezone.localdate()


# Access and visibility ----------------------------------------------------------------------


def test_it_is_open_to_anonymous_visitors(client):
    product = ProductFactory(name="Keripik Tempe")
    response = client.get(DIRECTORY)
    assert response.status_code == 200
    assert "Keripik Tempe" in response.content.decode()
    assert client.get(_vendor_page(product.vendor)).status_code == 200


def test_it_is_open_to_logged_in_users_too(login, officer):
    ProductFactory(name="Keripik Tempe")
    assert "Keripik Tempe" in login(officer).get(DIRECTORY).content.decode()


def test_it_lists_only_active_products_of_verified_vendors(client):
    ProductFactory(name="Terverifikasi aktif")
    ProductFactory(name="Nonaktif", is_active=False)
    ProductFactory(
        name="Penyedia menunggu",
        vendor=VendorFactory(status=VendorStatus.PENDING, verified_at=None),
    )
    ProductFactory(
        name="Penyedia ditolak",
        vendor=VendorFactory(
            status=VendorStatus.REJECTED, verified_at=None, rejection_reason="NIB tidak cocok"
        ),
    )
    html = client.get(DIRECTORY).content.decode()
    assert "Terverifikasi aktif" in html
    for hidden in ("Nonaktif", "Penyedia menunggu", "Penyedia ditolak"):
        assert hidden not in html
    assert _listed(client, q="penyedia") == []


@pytest.mark.parametrize(
    "status, reason", [(VendorStatus.PENDING, ""), (VendorStatus.REJECTED, "NIB tidak cocok")]
)
def test_it_has_no_page_for_a_vendor_that_is_not_verified(client, status, reason):
    vendor = VendorFactory(status=status, verified_at=None, rejection_reason=reason)
    ProductFactory(vendor=vendor)
    assert client.get(_vendor_page(vendor)).status_code == 404


def test_it_has_no_page_for_a_vendor_that_does_not_exist(client):
    assert client.get(reverse("vendors:directory-vendor", args=[987654])).status_code == 404


def test_the_vendor_page_lists_only_its_active_products(client):
    vendor = VendorFactory()
    ProductFactory(vendor=vendor, name="Dodol Betawi")
    ProductFactory(vendor=vendor, name="Produk lama", is_active=False)
    ProductFactory(name="Produk penyedia lain")
    html = client.get(_vendor_page(vendor)).content.decode()
    assert "Dodol Betawi" in html
    assert "Produk lama" not in html
    assert "Produk penyedia lain" not in html


def test_the_vendor_page_shows_scale_with_its_deciding_criterion_and_kbli_codes(client):
    vendor = VendorFactory(
        name="CV Kue Sejahtera",
        capital=Decimal("3000000000"),
        annual_sales=Decimal("1500000000"),
        kbli_codes=["10710", "10792"],
    )
    assert (vendor.scale, vendor.scale_basis) == (BusinessScale.MIKRO, ScaleBasis.ANNUAL_SALES)
    html = client.get(_vendor_page(vendor)).content.decode()
    assert "CV Kue Sejahtera" in html
    assert "Mikro" in html
    assert ">UMK<" in html
    assert "hasil penjualan tahunan" in html
    assert "10710" in html and "10792" in html


def test_it_never_shows_private_data_or_certificate_files(client):
    vendor = VendorFactory(
        nib="9120001234567",
        npwp="013467895123000",
        phone="021-7778899",
        address="Jl. Rahasia No. 9",
        capital=Decimal("750000000"),
        annual_sales=Decimal("1234567890"),
    )
    product = ProductFactory(vendor=vendor)
    certificate = _certify(product, "45")
    HalalCertificateFactory(products=[product], vendor=vendor)
    certificate_file = reverse("vendors:certificate-file", args=["tkdn", certificate.pk])
    for url in (DIRECTORY, _vendor_page(vendor)):
        html = client.get(url).content.decode()
        assert product.name in html
        for secret in (
            "9120001234567",
            "013467895123000",
            vendor.npwp_display,
            "021-7778899",
            "Jl. Rahasia",
            "750.000.000",
            "1.234.567.890",
            certificate.number,
            certificate_file,
            "/berkas/",
        ):
            assert secret not in html, f"{secret} leaked on {url}"


# Search -------------------------------------------------------------------------------------


def test_postgres_indonesian_config_stems_as_the_search_expects():
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('indonesian', 'pengadaan makanan minuman')::text")
        assert cursor.fetchone()[0] == "'ada':1 'makan':2 'minum':3"


@pytest.mark.parametrize("q", ["makanan", "makan", "makanannya", "dimakan", "MAKANAN"])
def test_it_finds_words_by_their_indonesian_stem(client, q):
    ProductFactory(name="Nasi Kotak Rapat", description="Paket makanan untuk rapat dinas.")
    ProductFactory(name="Kursi Lipat", description="Kursi lipat besi untuk aula.")
    assert _listed(client, q=q) == ["Nasi Kotak Rapat"]


def test_it_understands_web_search_syntax(client):
    ProductFactory(name="Kopi Bubuk", description="Kopi robusta giling.")
    ProductFactory(name="Kopi Sachet", description="Kopi instan dengan gula.")
    ProductFactory(name="Teh Celup", description="Teh melati.")
    assert _listed(client, q="kopi -gula") == ["Kopi Bubuk"]
    assert sorted(_listed(client, q="kopi or teh")) == ["Kopi Bubuk", "Kopi Sachet", "Teh Celup"]


def test_it_ranks_a_name_match_above_a_description_only_match(client):
    in_description = ProductFactory(
        name="Kue Kering Nastar", description="Nastar dengan selai nanas dan tepung singkong."
    )
    ProductFactory(name="Keripik Singkong Balado", description="Camilan pedas.")
    # Without the ranking the higher TKDN would come first.
    _certify(in_description, "80")
    assert _listed(client, q="singkong") == ["Keripik Singkong Balado", "Kue Kering Nastar"]


def test_it_also_finds_products_by_the_vendor_name(client):
    sinar = VendorFactory(name="CV Sinar Jaya Mebel")
    ProductFactory(vendor=sinar, name="Meja Kerja", description="Meja kayu jati.")
    ProductFactory(name="Lemari Arsip", description="Lemari besi, bukan dari Sinar Jaya.")
    ProductFactory(name="Rak Buku", description="Rak kayu.")
    assert _listed(client, q="Sinar Jaya") == ["Lemari Arsip", "Meja Kerja"]


def test_a_search_of_only_punctuation_finds_nothing_and_does_not_fail(client):
    ProductFactory(name="Kursi Lipat")
    assert _listed(client, q="'&|!():*") == []


# Filters ------------------------------------------------------------------------------------


def test_it_filters_by_kbli(client):
    ProductFactory(name="Roti Tawar", kbli="10710")
    ProductFactory(name="Kerupuk Ikan", kbli="10792")
    assert _listed(client, kbli="10710") == ["Roti Tawar"]
    assert _listed(client, kbli="31001") == []


def test_it_filters_by_city_offering_the_cities_of_verified_vendors(client):
    ProductFactory(name="Batik Tulis", vendor=VendorFactory(city="Kota Jakarta Barat"))
    ProductFactory(name="Kerajinan Rotan", vendor=VendorFactory(city="Kota Jakarta Utara"))
    ProductFactory(
        vendor=VendorFactory(city="Kota Bogor", status=VendorStatus.PENDING, verified_at=None)
    )
    response = client.get(DIRECTORY, {"city": "Kota Jakarta Utara"})
    assert [p.name for p in response.context["page_obj"]] == ["Kerajinan Rotan"]
    cities = [value for value, label in response.context["form"].fields["city"].choices]
    assert cities == ["", "Kota Jakarta Barat", "Kota Jakarta Utara"]


@pytest.mark.parametrize(
    "scale, expected",
    [
        ("mikro", ["Mikro"]),
        ("kecil", ["Kecil"]),
        ("menengah", ["Menengah"]),
        ("besar", ["Besar"]),
        ("umk", ["Kecil", "Mikro"]),
        ("", ["Besar", "Kecil", "Menengah", "Mikro"]),
    ],
)
def test_it_filters_by_scale_with_umk_meaning_micro_and_small(client, scale, expected):
    for capital, name in (
        ("500000000", "Mikro"),
        ("3000000000", "Kecil"),
        ("8000000000", "Menengah"),
        ("20000000000", "Besar"),
    ):
        ProductFactory(name=name, vendor=VendorFactory(capital=Decimal(capital)))
    assert sorted(_listed(client, scale=scale)) == expected


@pytest.mark.parametrize(
    "min_tkdn, expected",
    [
        ("25", ["Dua puluh lima", "Empat puluh"]),
        ("25,01", ["Empat puluh"]),
        ("24.99", ["Dua puluh lima", "Empat puluh"]),
        ("0", ["Dua puluh lima", "Empat puluh", "Tanpa TKDN"]),
        ("100", []),
    ],
)
def test_it_filters_by_minimum_tkdn_in_the_database(client, min_tkdn, expected):
    _certify(ProductFactory(name="Empat puluh"), "40")
    _certify(ProductFactory(name="Dua puluh lima"), "25")
    ProductFactory(name="Tanpa TKDN")
    assert sorted(_listed(client, min_tkdn=min_tkdn)) == expected


def test_it_filters_to_products_with_a_valid_halal_certificate(client):
    vendor = VendorFactory()
    halal = ProductFactory(vendor=vendor, name="Halal berlaku")
    HalalCertificateFactory(products=[halal], vendor=vendor)
    expired = ProductFactory(vendor=vendor, name="Halal kedaluwarsa")
    HalalCertificateFactory(
        products=[expired],
        vendor=vendor,
        issued_on=_today() - timedelta(days=800),
        expires_on=_today() - timedelta(days=1),
    )
    pending = ProductFactory(vendor=vendor, name="Halal menunggu")
    HalalCertificateFactory(
        products=[pending], vendor=vendor, status=CertificateStatus.PENDING, verified_at=None
    )
    ProductFactory(vendor=vendor, name="Tanpa halal")
    assert _listed(client, halal="on") == ["Halal berlaku"]
    assert len(_listed(client)) == 4


def test_filters_combine(client):
    jakarta_umk = VendorFactory(city="Kota Jakarta Pusat")
    _certify(ProductFactory(vendor=jakarta_umk, name="Cocok", kbli="10710"), "30")
    _certify(ProductFactory(vendor=jakarta_umk, name="KBLI lain", kbli="10792"), "30")
    _certify(ProductFactory(vendor=jakarta_umk, name="TKDN rendah", kbli="10710"), "10")
    large = VendorFactory(city="Kota Jakarta Pusat", capital=Decimal("20000000000"))
    _certify(ProductFactory(vendor=large, name="Usaha besar", kbli="10710"), "30")
    params = {"kbli": "10710", "city": "Kota Jakarta Pusat", "scale": "umk", "min_tkdn": "25"}
    assert _listed(client, **params) == ["Cocok"]


def test_the_form_keeps_its_values(client):
    VendorFactory(city="Kota Jakarta Selatan")
    html = client.get(
        DIRECTORY,
        {
            "q": "kopi",
            "kbli": "10792",
            "city": "Kota Jakarta Selatan",
            "scale": "umk",
            "min_tkdn": "40,5",
            "halal": "on",
            "sort": "price",
        },
    ).content.decode()
    assert 'name="q" value="kopi"' in html
    assert 'name="kbli" value="10792"' in html
    assert 'name="min_tkdn" value="40,5"' in html
    assert '<option value="Kota Jakarta Selatan" selected>' in html
    assert '<option value="umk" selected>' in html
    assert '<option value="price" selected>' in html
    assert 'name="halal" class="form-check-input" id="id_halal" checked' in html


# Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kbli", ["1079", "107920", "1079a", "10.79", "\x00"])
def test_it_reports_and_ignores_a_bad_kbli(client, kbli):
    ProductFactory(name="Kerupuk Ikan", kbli="10792")
    ProductFactory(name="Roti Tawar", kbli="10710")
    response = client.get(DIRECTORY, {"kbli": kbli})
    assert response.status_code == 200
    assert str(directory.BAD_KBLI) in response.content.decode()
    assert len(response.context["page_obj"]) == 2


@pytest.mark.parametrize("min_tkdn", ["abc", "-1", "100.01", "150", "NaN", "Infinity", "1e999"])
def test_it_reports_and_ignores_a_bad_minimum_tkdn(client, min_tkdn):
    _certify(ProductFactory(name="Empat puluh"), "40")
    ProductFactory(name="Tanpa TKDN")
    ProductFactory(name="KBLI lain", kbli="10710")
    response = client.get(DIRECTORY, {"min_tkdn": min_tkdn, "kbli": "10792"})
    assert response.status_code == 200
    html = response.content.decode()
    assert str(directory.BAD_MIN_TKDN) in html
    assert str(directory.BAD_KBLI) not in html
    # The good filter still applies.
    assert len(response.context["page_obj"]) == 2


@pytest.mark.parametrize(
    "params",
    [
        {"city": "Kota Atlantis"},
        {"scale": "raksasa"},
        {"sort": "harga; DROP TABLE"},
        {"halal": "bukan"},
        {"q": "x" * 5000},
    ],
)
def test_it_ignores_other_bad_values_without_failing(client, params):
    ProductFactory(name="Kerupuk Ikan")
    assert client.get(DIRECTORY, params).status_code == 200


@pytest.mark.parametrize(
    "page, shown", [("abc", 1), ("0", 2), ("-3", 2), ("999", 2), ("1.5", 1), ("", 1)]
)
def test_a_bad_page_number_falls_back_to_a_real_page(client, page, shown):
    ProductFactory.create_batch(directory.PAGE_SIZE + 3)
    response = client.get(DIRECTORY, {"page": page})
    assert response.status_code == 200
    assert response.context["page_obj"].number == shown


# Local content ------------------------------------------------------------------------------


def test_a_product_without_a_valid_certificate_counts_as_zero_tkdn_and_t4(client):
    today = _today()
    expired = ProductFactory(name="Kedaluwarsa")
    _certify(
        expired,
        "60",
        issued_on=today - timedelta(days=4 * 365),
        expires_on=today - timedelta(days=1),
    )
    _certify(ProductFactory(name="Menunggu"), "60", status=CertificateStatus.PENDING)
    _certify(
        ProductFactory(name="Ditolak"),
        "60",
        status=CertificateStatus.REJECTED,
        rejection_reason="Nomor tidak terdaftar di Kemenperin",
    )
    _certify(ProductFactory(name="Berstatus kedaluwarsa"), "60", status=CertificateStatus.EXPIRED)
    ProductFactory(name="Tanpa sertifikat")
    products = client.get(DIRECTORY).context["page_obj"]
    assert len(products) == 5
    for product in products:
        assert (product.tkdn_pct, product.bmp_pct, product.tier) == (0, 0, Tier.T4), product.name
    assert _listed(client, min_tkdn="1") == []


def test_a_certificate_expiring_today_still_counts(client):
    today = _today()
    _certify(ProductFactory(), "30", issued_on=today - timedelta(days=1000), expires_on=today)
    assert client.get(DIRECTORY).context["page_obj"][0].tkdn_pct == Decimal("30")


def test_the_newest_valid_certificate_beats_an_older_one(client):
    today = _today()
    product = ProductFactory()
    _certify(product, "70", "10", issued_on=today - timedelta(days=700))
    _certify(product, "30", "5", issued_on=today - timedelta(days=10))
    # A newer one that is not verified yet does not count.
    _certify(product, "90", issued_on=today - timedelta(days=1), status=CertificateStatus.PENDING)
    [shown] = client.get(DIRECTORY).context["page_obj"]
    assert (shown.tkdn_pct, shown.bmp_pct, shown.tier) == (Decimal("30"), Decimal("5"), Tier.T2)
    assert _listed(client, min_tkdn="31") == []


def test_an_expired_newer_certificate_leaves_the_older_valid_one_in_force(client):
    today = _today()
    product = ProductFactory()
    _certify(product, "50", issued_on=today - timedelta(days=300))
    _certify(
        product, "10", issued_on=today - timedelta(days=200), expires_on=today - timedelta(days=1)
    )
    assert client.get(DIRECTORY).context["page_obj"][0].tkdn_pct == Decimal("50")


def test_it_shows_tkdn_bmp_and_each_tier_with_its_explanation(client):
    _certify(ProductFactory(name="Satu"), "30", "10")  # 30 + 10 = 40: T1
    _certify(ProductFactory(name="Dua"), "29", "10.99")  # 39.99: T2
    _certify(ProductFactory(name="Tiga"), "24.99", "15")  # below 25: T3
    ProductFactory(name="Empat")
    response = client.get(DIRECTORY)
    tiers = {p.name: p.tier for p in response.context["page_obj"]}
    assert tiers == {"Satu": Tier.T1, "Dua": Tier.T2, "Tiga": Tier.T3, "Empat": Tier.T4}
    html = response.content.decode()
    assert "30,00%" in html and "10,99%" in html and "24,99%" in html
    for tier in Tier:
        assert f'title="{tier.label}">{tier.value}</span>' in html


def test_each_row_shows_price_vendor_city_scale_and_halal(client):
    vendor = VendorFactory(name="UD Sambal Mak Ijah", city="Kota Jakarta Selatan")
    product = ProductFactory(
        vendor=vendor,
        name="Sambal Bawang",
        brand="Mak Ijah",
        model_type="Botol 250 g",
        unit_price=Decimal("1250000"),
        kbli="10771",
    )
    HalalCertificateFactory(products=[product], vendor=vendor)
    html = client.get(DIRECTORY).content.decode()
    for text in (
        "Sambal Bawang",
        "Mak Ijah · Botol 250 g",
        "KBLI 10771",
        "Rp1.250.000",
        f'href="{_vendor_page(vendor)}">UD Sambal Mak Ijah</a>',
        "Kota Jakarta Selatan · Mikro",
        ">UMK</span>",
        ">Halal</span>",
    ):
        assert text in html, text


def test_the_umk_badge_is_only_for_micro_and_small(client):
    ProductFactory(vendor=VendorFactory(capital=Decimal("8000000000")))
    assert ">UMK</span>" not in client.get(DIRECTORY).content.decode()


# Order and pages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sort, expected",
    [
        (None, ["Tinggi", "Sedang", "Tanpa"]),
        ("tkdn", ["Tinggi", "Sedang", "Tanpa"]),
        ("name", ["Sedang", "Tanpa", "Tinggi"]),
        ("price", ["Tanpa", "Tinggi", "Sedang"]),
        ("-price", ["Sedang", "Tinggi", "Tanpa"]),
    ],
)
def test_it_sorts_without_a_query(client, sort, expected):
    _certify(ProductFactory(name="Tinggi", unit_price=Decimal("20000")), "60")
    _certify(ProductFactory(name="Sedang", unit_price=Decimal("30000")), "30")
    ProductFactory(name="Tanpa", unit_price=Decimal("10000"))
    params = {"sort": sort} if sort else {}
    assert _listed(client, **params) == expected


def test_it_pages_by_twenty_with_links_that_keep_the_filters(client):
    ProductFactory.create_batch(25, kbli="10792")
    ProductFactory(kbli="10710")
    first = client.get(DIRECTORY, {"kbli": "10792"})
    html = first.content.decode()
    assert len(first.context["page_obj"]) == 20
    assert "25 produk ditemukan" in html
    assert 'href="?kbli=10792&amp;page=2"' in html
    second = client.get(DIRECTORY, {"kbli": "10792", "page": "2"})
    assert len(second.context["page_obj"]) == 5
    assert 'href="?kbli=10792&amp;page=1"' in second.content.decode()


def test_it_says_when_nothing_matches(client):
    html = client.get(DIRECTORY, {"q": "gamelan"}).content.decode()
    assert "0 produk ditemukan" in html
    assert "Tidak ada produk yang cocok" in html


# Performance --------------------------------------------------------------------------------


def _products_with_everything(count: int) -> None:
    """Products of several vendors, each with a TKDN and a halal certificate."""
    vendors = VendorFactory.create_batch(3)
    for n in range(count):
        vendor = vendors[n % 3]
        product = ProductFactory(vendor=vendor, description="Paket makanan ringan.")
        _certify(product, "40", "5")
        HalalCertificateFactory(products=[product], vendor=vendor)


@pytest.mark.parametrize("count", [2, 25])
def test_the_directory_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    _products_with_everything(count)
    params = {"min_tkdn": "25", "halal": "on", "scale": "umk"}
    directory.listing_current(on=_today())  # as by an earlier request of the day
    # 1 the data versions; the first time for the catalogue as it is:
    # 2 cities of verified vendors for the filter
    # 3 count of matching products (up to the limit) for the paginator
    # 4 the page of products, with vendor (its rating too), effective TKDN/BMP and halal in
    #   the same query
    # 5 the blacklistings of the page's vendors
    with django_assert_num_queries(5):
        response = client.get(DIRECTORY, params)
    assert len(response.context["page_obj"]) == min(count, directory.PAGE_SIZE)
    with django_assert_num_queries(1):
        again = client.get(DIRECTORY, params)
    assert _product_links(again) == _product_links(response)


@pytest.mark.parametrize("count", [2, 25])
def test_a_search_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    _products_with_everything(count)
    directory.listing_current(on=_today())  # as by an earlier request of the day
    # 1 the data versions, with those of the words searched; the first time for them:
    # 2 cities of verified vendors for the filter
    # 3 the candidates (the first matches, up to the limit + 1: also the count); the vendors
    #   named by the query are a subquery of it
    # 4 the page of the candidates, ranked, with vendor, effective TKDN/BMP and halal
    # 5 the blacklistings of the page's vendors
    with django_assert_num_queries(5):
        response = client.get(DIRECTORY, {"q": "makanan", "sort": "price"})
    assert len(response.context["page_obj"]) == min(count, directory.PAGE_SIZE)
    # Then the versions (of the topics and words) alone.
    with django_assert_num_queries(1):
        client.get(DIRECTORY, {"q": "makanan", "sort": "price"})


@pytest.mark.parametrize("count", [2, 25])
def test_the_vendor_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    vendor = VendorFactory()
    for _ in range(count):
        product = ProductFactory(vendor=vendor)
        _certify(product, "40", "5")
        HalalCertificateFactory(products=[product], vendor=vendor)
    # 1 the verified vendor
    # 2 its active products with effective TKDN/BMP and halal
    # 3 its blacklisting today, if any
    with django_assert_num_queries(3):
        response = client.get(_vendor_page(vendor))
    assert len(response.context["products"]) == count


@pytest.fixture
def chairs(db):
    """Two hundred products of ten vendors: on a few dozen rows reading the whole table costs
    the planner no more than asking an index, so a small table would not show the real plan."""
    for vendor in VendorFactory.create_batch(10):
        ProductFactory.create_batch(20, vendor=vendor, description="Kursi lipat untuk aula.")


def _plan(products) -> str:
    with connection.cursor() as cursor:
        # What autovacuum does in production: merge GIN's pending list of fresh rows into the
        # index and gather statistics (the planner prices an unmerged list as a full read).
        cursor.execute("SELECT gin_clean_pending_list('product_search')")
        cursor.execute("ANALYZE vendors_product, vendors_vendor")
        cursor.execute("SET LOCAL enable_seqscan = off")
        # On two hundred rows a full scan of the vendor_id index, filtering, costs less than
        # any bitmap; with plain index scans off too, only an indexable match shape shows an
        # index (an OR the planner cannot split would be a disabled sequential scan).
        cursor.execute("SET LOCAL enable_indexscan = off")
    return products.explain()


def test_the_search_uses_the_gin_index(chairs):
    ProductFactory(name="Nasi Kotak", description="Paket makanan untuk rapat dinas.")
    filters = directory.DirectoryFilters(q="makanan")
    plan = _plan(directory.matching(filters=filters, on=_today()))
    assert "product_search" in plan, plan
    products = directory.search_products(filters=filters, on=_today())
    assert [p.name for p in products] == ["Nasi Kotak"]


def test_a_search_matching_a_vendor_name_uses_the_gin_indexes_of_both(chairs):
    ProductFactory(vendor=VendorFactory(name="CV Sinar Makanan"), name="Kursi Rotan")
    ProductFactory(name="Nasi Kotak", description="Paket makanan untuk rapat dinas.")
    filters = directory.DirectoryFilters(q="makanan")
    plan = _plan(directory.matching(filters=filters, on=_today()))
    assert "product_search" in plan, plan
    # The vendors' part has the expression of its index (on ten vendors the planner prefers
    # the index of verified vendors; alone, it uses this one).
    named = Vendor.objects.annotate(v=directory.VendorNameVector("name")).filter(
        v=directory.search_query("makanan")
    )
    assert "vendor_name_search" in _plan(named)
    products = directory.search_products(filters=filters, on=_today())
    assert [p.name for p in products] == ["Nasi Kotak", "Kursi Rotan"]


def test_a_change_of_the_catalogue_shows_in_results_already_cached(client):
    vendor = VendorFactory()
    product = ProductFactory(vendor=vendor, name="Keripik Pisang Lama")
    _certify(product, "40", "5")
    assert _listed(client) == ["Keripik Pisang Lama"]
    product.name = "Keripik Pisang Baru"
    product.save(update_fields=["name"])
    assert _listed(client) == ["Keripik Pisang Baru"]
