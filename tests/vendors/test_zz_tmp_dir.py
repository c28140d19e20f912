from django.contrib.postgres.search import SearchQuery
from django.db.models import Q
from django.utils import timezone
from tests.vendors.test_directory import _plan, chairs  # noqa
from tests.factories import ProductFactory, VendorFactory
from vendors import directory

def test_join_or(chairs):
    ProductFactory(vendor=VendorFactory(name="CV Sinar Makanan"), name="Kursi Rotan")
    q = SearchQuery("makanan", config="indonesian", search_type="websearch")
    qs = directory.listed_products(on=timezone.localdate()).select_related("vendor").filter(Q(search_vector=q) | Q(vendor__name__icontains="makanan"))
    print("JOIN-OR uses GIN:", "product_search" in _plan(qs))
