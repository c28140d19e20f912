"""The directory's cached results are never older than the catalogue, and a product edit
computes again only the searches that may find that product (by its words or its vendor's
name), not every directory page; a search ranks a bounded set of candidates."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ProductFactory, TKDNCertificateFactory, VendorFactory
from vendors import directory
from vendors.models import Product, Vendor, VendorStatus

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("vendors:directory")


NAMES = ("Kain Batik Tulis", "Kain Songket", "Kursi Lipat", "Kursi Rotan", "Rompi Murah",
         "Rompi Mahal", "Jaket")  # fmt: skip


def _listed(client, **params) -> list[str]:
    """The products on the page, in order (from the HTML: a page read from the cache has no
    context)."""
    response = client.get(DIRECTORY, params)
    assert response.status_code == 200
    html = response.content.decode()
    return sorted((name for name in NAMES if f">{name}<" in html), key=lambda n: html.index(n))


@pytest.fixture
def catalogue(db):
    batik = VendorFactory(name="CV Sinar Jaya")
    chairs = VendorFactory(name="UD Mebel Lestari")
    ProductFactory(vendor=batik, name="Kain Batik Tulis", description="Motif parang.")
    ProductFactory(vendor=chairs, name="Kursi Lipat", description="Rangka besi.")
    return {"batik": batik, "chairs": chairs}


def _renders(monkeypatch) -> list[str]:
    """The searches rendered anew (not read from the cache), in order."""
    rendered = []
    real = directory.results_page

    def counting(*, filters, on, number):
        rendered.append(filters.q)
        return real(filters=filters, on=on, number=number)

    monkeypatch.setattr(directory, "results_page", counting)
    return rendered


def test_a_product_edit_keeps_the_searches_that_cannot_find_it(client, catalogue, monkeypatch):
    rendered = _renders(monkeypatch)
    assert _listed(client, q="batik") == ["Kain Batik Tulis"]
    assert _listed(client, q="kursi") == ["Kursi Lipat"]
    Product.objects.filter(name="Kursi Lipat").update(unit_price=Decimal("99000"))
    assert _listed(client, q="batik") == ["Kain Batik Tulis"]
    assert _listed(client, q="kursi") == ["Kursi Lipat"]
    # The batik search was kept; the chair search, which finds the chair, was computed again.
    assert rendered == ["batik", "kursi", "kursi"]


def test_a_product_edit_shows_in_the_searches_that_find_it_before_or_after(client, catalogue):
    assert _listed(client, q="batik") == ["Kain Batik Tulis"]
    assert _listed(client, q="songket") == []
    Product.objects.filter(name="Kain Batik Tulis").update(name="Kain Songket")
    assert _listed(client, q="batik") == []
    assert _listed(client, q="songket") == ["Kain Songket"]


def test_a_product_edit_shows_in_the_searches_finding_it_by_its_vendor_name(client, catalogue):
    assert _listed(client, q="mebel") == ["Kursi Lipat"]
    Product.objects.filter(name="Kursi Lipat").update(is_active=False)
    assert _listed(client, q="mebel") == []


def test_a_certificate_change_shows_in_the_searches_that_find_its_products(client, catalogue):
    product = Product.objects.get(name="Kain Batik Tulis")
    assert _listed(client, q="batik", min_tkdn="40") == []
    TKDNCertificateFactory(products=[product], vendor=product.vendor, tkdn_pct=Decimal("45"))
    assert _listed(client, q="batik", min_tkdn="40") == ["Kain Batik Tulis"]


def test_a_vendor_change_shows_in_every_search(client, catalogue):
    assert _listed(client, q="batik") == ["Kain Batik Tulis"]
    Vendor.objects.filter(pk=catalogue["batik"].pk).update(status=VendorStatus.INACTIVE)
    assert _listed(client, q="batik") == []


def test_a_search_excluding_a_word_follows_every_product_edit(client, catalogue, monkeypatch):
    assert directory.word_versions("kain -songket") is None
    assert set(directory.word_versions("kain batik")) == {"kain", "batik"}
    rendered = _renders(monkeypatch)
    assert _listed(client, q="kain -songket") == ["Kain Batik Tulis"]
    Product.objects.filter(name="Kursi Lipat").update(unit_price=Decimal("99000"))
    assert _listed(client, q="kain -songket") == ["Kain Batik Tulis"]
    assert rendered == ["kain -songket", "kain -songket"]


def test_a_list_without_a_search_follows_every_product_edit(client, catalogue):
    assert "Kursi Lipat" in _listed(client)
    Product.objects.filter(name="Kursi Lipat").update(name="Kursi Rotan")
    assert "Kursi Rotan" in _listed(client)


def test_a_statement_writing_many_products_moves_the_whole_directory_on():
    from freshness import topics
    from freshness.cache import versions

    ProductFactory.create_batch(2, name="Sabun Cair")
    before = versions()[topics.DIRECTORY]
    Product.objects.filter(name="Sabun Cair").update(unit_price=Decimal("5000"))
    assert versions()[topics.DIRECTORY] == before  # two rows: their words move on
    ProductFactory.create_batch(topics.WORDS_AT_MOST + 1 - Product.objects.count())
    Product.objects.update(unit_price=Decimal("6000"))
    assert versions()[topics.DIRECTORY] != before


# Bounded candidates ------------------------------------------------------------------------


def test_a_search_ranks_only_its_first_candidates_and_says_there_are_more(client, monkeypatch):
    monkeypatch.setattr(directory, "CANDIDATES", 3)
    ProductFactory.create_batch(5, name="Rompi Kerja")
    ranked = directory.ranked(
        filters=directory.DirectoryFilters(q="rompi"), on=timezone.localdate()
    )
    assert len(ranked) == 4  # one more than ranked says there are more
    response = client.get(DIRECTORY, {"q": "rompi"})
    assert len(response.context["page_obj"]) == 3
    assert "Lebih dari 3 produk ditemukan" in response.content.decode()


def test_the_candidates_of_each_kind_stop_at_the_limit(monkeypatch):
    """Each part of the candidate query has its LIMIT: its cost does not grow with the
    number of matches."""
    monkeypatch.setattr(directory, "CANDIDATES", 3)
    sql = str(
        directory.matching(
            filters=directory.DirectoryFilters(q="rompi"), on=timezone.localdate()
        ).query
    )
    assert sql.count("LIMIT 4") == 3  # the text part, the vendors named, the vendors' part


def test_the_ranking_puts_a_name_match_first_then_the_chosen_sort(client):
    vendor = VendorFactory()
    cheap = ProductFactory(vendor=vendor, name="Rompi Murah", unit_price=Decimal("10000"))
    dear = ProductFactory(vendor=vendor, name="Rompi Mahal", unit_price=Decimal("90000"))
    ProductFactory(vendor=vendor, name="Jaket", description="Bisa dipakai sebagai rompi.",
                   unit_price=Decimal("1000"))  # fmt: skip
    assert _listed(client, q="rompi", sort="price") == [cheap.name, dear.name, "Jaket"]
    assert _listed(client, q="rompi", sort="-price") == [dear.name, cheap.name, "Jaket"]


# The listing's daily refresh ---------------------------------------------------------------


def test_the_listing_is_refreshed_once_a_day_by_each_process(django_assert_num_queries):
    today = timezone.localdate()
    with django_assert_num_queries(1):
        directory.listing_current(on=today)
    with django_assert_num_queries(0):
        directory.listing_current(on=today)
    with django_assert_num_queries(1):
        directory.listing_current(on=today + timedelta(days=1))
