"""The Django admin's changelists count their rows bounded, never the whole table beside."""

import pytest
from django.contrib import admin

from p3dn_portal.lib.paging import CountUpTo
from tests.factories import VendorFactory
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
