import pytest
from django.urls import reverse

from tests.factories import ProductFactory, TKDNCertificateFactory, image_upload, pdf_upload
from vendors.models import Product

# The same upload and access tests on the folder and on an S3 bucket.
pytestmark = [pytest.mark.django_db, pytest.mark.both_storages]

PRODUCTS = reverse("vendors:products")
ADD = reverse("vendors:product-add")
DATA = {
    "name": "Kerupuk udang premium",
    "description": "Dari udang segar Sidoarjo.",
    "kbli": "10799",
    "unit": "kg",
    "unit_price": "85.000",
    "brand": "Sari Laut",
    "model_type": "",
    "specification": "",
    "hs_code": "1905.90",
    "is_food": "on",
    "is_active": "on",
}


def test_a_vendor_adds_a_product_with_photos(login, vendor_owner):
    client = login(vendor_owner)
    response = client.post(
        ADD, {**DATA, "photos": [image_upload("a.png"), image_upload("b.jpg", "JPEG")]}
    )
    assert response.url == PRODUCTS
    product = Product.objects.get()
    assert product.vendor == vendor_owner.vendor_membership.vendor
    assert str(product.unit_price) == "85000.00"
    assert product.hs_code == "190590"
    assert product.photos.count() == 2
    photo = product.photos.first()
    response = client.get(reverse("vendors:product-photo", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_staff_can_manage_products_too(login, vendor_staff):
    assert login(vendor_staff).post(ADD, DATA).status_code == 302
    assert Product.objects.count() == 1


def test_bad_input_is_refused_and_nothing_is_saved(login, vendor_owner):
    response = login(vendor_owner).post(
        ADD, {**DATA, "kbli": "107", "unit_price": "murah", "photos": [pdf_upload("foto.png")]}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Kode KBLI harus 5 angka" in html
    assert "Tulis angka saja" in html
    assert "Foto harus gambar" in html
    assert 'value="Kerupuk udang premium"' in html  # what was typed is kept
    assert not Product.objects.exists()


def test_a_vendor_cannot_see_or_edit_another_vendors_product(login, vendor_owner, outsider_vendor):
    theirs = ProductFactory(vendor=outsider_vendor.vendor_membership.vendor)
    client = login(vendor_owner)
    assert client.get(reverse("vendors:product-edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("vendors:product-edit", args=[theirs.pk]), DATA).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name != DATA["name"]
    assert theirs.name not in client.get(PRODUCTS).content.decode()


@pytest.mark.parametrize("cast", ["officer", "admin_user"])
def test_other_roles_cannot_manage_products(request, login, cast):
    assert login(request.getfixturevalue(cast)).get(PRODUCTS).status_code == 403


def test_the_list_shows_the_effective_tkdn_and_tier(login, vendor_owner):
    vendor = vendor_owner.vendor_membership.vendor
    certified = ProductFactory(vendor=vendor, name="Bersertifikat")
    ProductFactory(vendor=vendor, name="Tanpa sertifikat")
    TKDNCertificateFactory(vendor=vendor, products=[certified], tkdn_pct="45.50", bmp_pct="10")
    html = login(vendor_owner).get(PRODUCTS).content.decode()
    assert "45,50%" in html
    assert "T1" in html
    assert "T4" in html


@pytest.mark.parametrize("count", [1, 12])
def test_the_product_list_query_count_does_not_grow(
    login, vendor_owner, django_assert_num_queries, count
):
    vendor = vendor_owner.vendor_membership.vendor
    for product in ProductFactory.create_batch(count, vendor=vendor):
        TKDNCertificateFactory(vendor=vendor, products=[product])
    client = login(vendor_owner)
    # 1 user with vendor and OPD, 2 products with halal flag and photo count,
    # 3 their valid TKDN certificates (prefetch); the navbar's unread count comes with 1
    with django_assert_num_queries(3):
        assert client.get(PRODUCTS).status_code == 200
