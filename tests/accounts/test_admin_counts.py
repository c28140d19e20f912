"""The Django admin's changelists count their rows bounded, never the whole table beside."""

import pytest
from django.contrib import admin
from django.urls import reverse

from p3dn_portal.lib.paging import CountUpTo, SearchCountUpTo
from tests.factories import ProductFactory, VendorFactory
from vendors.models import Vendor

pytestmark = pytest.mark.django_db


def test_every_changelist_counts_up_to_a_limit_and_not_the_whole_table():
    for model_admin in admin.site._registry.values():
        assert model_admin.paginator is CountUpTo, model_admin
        assert model_admin.show_full_result_count is False, model_admin


def test_the_count_stops_at_the_limit(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(CountUpTo, "limit", 3)
    VendorFactory.create_batch(5)
    paginator = CountUpTo(Vendor.objects.order_by("pk"), 2)
    with django_assert_num_queries(1) as queries:
        assert paginator.count == 3
    assert "LIMIT 3" in queries.captured_queries[0]["sql"]
    assert paginator.num_pages == 2


def test_a_search_counts_its_matches_up_to_a_lower_limit(
    monkeypatch, login, admin_user, django_assert_num_queries
):
    """Each match of a word is confirmed in the table: a search counts fewer of them than a
    list of every row does (issue 19)."""
    monkeypatch.setattr(SearchCountUpTo, "limit", 3)
    monkeypatch.setattr(CountUpTo, "limit", 100)
    for n in range(5):
        VendorFactory(name=f"CV Anyaman {n}")
    client = login(admin_user)
    url = reverse("admin:vendors_vendor_changelist")
    with django_assert_num_queries(6) as queries:
        searched = client.get(url, {"q": "anyaman"})
    assert searched.context["cl"].result_count == 3
    assert any("LIMIT 3)" in query["sql"] for query in queries.captured_queries)
    assert client.get(url).context["cl"].result_count == 5


def test_the_rows_found_through_a_relation_are_asked_for_as_one_array(
    login, admin_user, django_assert_num_queries
):
    """A product search by its vendor's name sends the vendors' keys as one array parameter,
    not one placeholder per key (the driver splits and binds each, twice a page)."""
    vendors = [VendorFactory(name=f"CV Rotan Jaya {n}") for n in range(3)]
    products = {ProductFactory(vendor=vendor, name="Kursi", brand="") for vendor in vendors}
    ProductFactory(name="Meja", brand="")
    client = login(admin_user)
    with django_assert_num_queries(6) as queries:
        response = client.get(reverse("admin:vendors_product_changelist"), {"q": "rotan jaya"})
    assert set(response.context["cl"].result_list) == products
    sqls = [query["sql"] for query in queries.captured_queries]
    listed = [sql for sql in sqls if "vendors_product" in sql]
    assert listed and all('"vendor_id" = ANY(' in sql for sql in listed)
