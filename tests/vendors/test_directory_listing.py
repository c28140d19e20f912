"""The directory's precomputed local content (migration 0003): kept equal to what the
certificates say on every change, and on the passing of days; and the bounded match count."""

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
from vendors import directory, services
from vendors.models import CertificateStatus, HalalCertificate, Product, TKDNCertificate

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("vendors:directory")


def _today():
    return timezone.localdate()


def _stored(product) -> tuple:
    """The listed columns of the product, as the triggers left them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT listed_tkdn_pct, listed_bmp_pct, listed_halal_until >= %s"
            " FROM vendors_product WHERE id = %s",
            [_today(), product.pk],
        )
        tkdn, bmp, halal = cursor.fetchone()
    return tkdn, bmp, bool(halal)


def _computed(product, on=None) -> tuple:
    """The same, computed from the certificates (the vendor page's way)."""
    row = directory.computed_products(on=on or _today()).get(pk=product.pk)
    return row.tkdn_pct, row.bmp_pct, row.has_valid_halal


def _listed(product, on=None) -> tuple:
    """What the directory list shows for the product on that day."""
    on = on or _today()
    products = directory.search_products(filters=directory.DirectoryFilters(), on=on)
    row = products.get(pk=product.pk)
    return row.tkdn_pct, row.bmp_pct, row.has_valid_halal


def _check(product, expected: tuple) -> None:
    assert _stored(product) == expected
    assert _computed(product) == expected
    assert _listed(product) == expected


def _certify(product, tkdn="40", bmp="5", **kwargs) -> TKDNCertificate:
    return TKDNCertificateFactory(
        products=[product],
        vendor=product.vendor,
        tkdn_pct=Decimal(tkdn),
        bmp_pct=Decimal(bmp),
        **kwargs,
    )


def _pending(product, **kwargs) -> TKDNCertificate:
    return _certify(product, status=CertificateStatus.PENDING, verified_at=None, **kwargs)


ZERO = (Decimal("0"), Decimal("0"), False)


def test_a_new_product_lists_zero_and_no_halal():
    _check(ProductFactory(), ZERO)


def test_verifying_a_certificate_lists_it_and_rejecting_it_takes_it_back():
    product = ProductFactory()
    certificate = _pending(product)
    _check(product, ZERO)
    certificate.status = CertificateStatus.VERIFIED
    certificate.verified_at = timezone.now()
    certificate.save()
    _check(product, (Decimal("40"), Decimal("5"), False))
    certificate.status = CertificateStatus.REJECTED
    certificate.rejection_reason = "Nomor tidak terdaftar"
    certificate.save()
    _check(product, ZERO)


def test_editing_a_certificate_changes_the_listed_values_also_by_queryset_update():
    product = ProductFactory()
    certificate = _certify(product)
    certificate.tkdn_pct, certificate.bmp_pct = Decimal("60"), Decimal("10")
    certificate.save()
    _check(product, (Decimal("60"), Decimal("10"), False))
    TKDNCertificate.objects.filter(pk=certificate.pk).update(tkdn_pct=Decimal("70"))
    _check(product, (Decimal("70"), Decimal("10"), False))


def test_linking_and_unlinking_products():
    vendor = VendorFactory()
    first, second = ProductFactory(vendor=vendor), ProductFactory(vendor=vendor)
    certificate = _certify(first)
    _check(second, ZERO)
    certificate.products.add(second)
    _check(second, (Decimal("40"), Decimal("5"), False))
    certificate.products.remove(first)
    _check(first, ZERO)
    certificate.products.clear()
    _check(second, ZERO)


def test_deleting_a_certificate_lets_the_older_one_count_again():
    today = _today()
    product = ProductFactory()
    _certify(product, "30", "0", issued_on=today - timedelta(days=500))
    newer = _certify(product, "55", "5", issued_on=today - timedelta(days=10))
    _check(product, (Decimal("55"), Decimal("5"), False))
    newer.delete()
    _check(product, (Decimal("30"), Decimal("0"), False))


def test_a_product_saved_from_a_stale_instance_keeps_the_current_values():
    product = ProductFactory()
    stale = Product.objects.get(pk=product.pk)
    _certify(product)
    stale.name = "Nama baru"
    stale.save()
    _check(product, (Decimal("40"), Decimal("5"), False))


def test_halal_follows_verification_expiry_and_links():
    today = _today()
    product = ProductFactory()
    certificate = HalalCertificateFactory(
        products=[product], vendor=product.vendor, expires_on=today + timedelta(days=1)
    )
    _check(product, (Decimal("0"), Decimal("0"), True))
    # Valid through its expiry date, not a day longer, without any refresh.
    assert _listed(product, on=today + timedelta(days=1))[2] is True
    assert _listed(product, on=today + timedelta(days=2))[2] is False
    HalalCertificate.objects.filter(pk=certificate.pk).update(status=CertificateStatus.EXPIRED)
    _check(product, ZERO)
    HalalCertificate.objects.filter(pk=certificate.pk).update(status=CertificateStatus.VERIFIED)
    _check(product, (Decimal("0"), Decimal("0"), True))
    certificate.products.remove(product)
    _check(product, ZERO)


def test_when_the_newest_certificate_expires_by_date_the_older_one_takes_over():
    today = _today()
    product = ProductFactory()
    _certify(product, "30", "0", issued_on=today - timedelta(days=500))
    _certify(
        product,
        "60",
        "10",
        issued_on=today - timedelta(days=10),
        expires_on=today + timedelta(days=1),
    )
    _check(product, (Decimal("60"), Decimal("10"), False))
    later = today + timedelta(days=2)
    # Nothing changed in the database: the read of a later day refreshes the rows first.
    assert _listed(product, on=later) == (Decimal("30"), Decimal("0"), False)
    assert _computed(product, on=later) == (Decimal("30"), Decimal("0"), False)
    assert directory.refresh_local_content(on=later) == 0


def test_the_filter_and_sort_of_a_later_day_see_the_expiry_too():
    today = _today()
    lapsing, lasting = ProductFactory(name="Lapsing"), ProductFactory(name="Lasting")
    _certify(lapsing, "80", "0", expires_on=today + timedelta(days=1))
    _certify(lasting, "50", "0")
    later = today + timedelta(days=2)
    filters = directory.DirectoryFilters(min_tkdn=Decimal("60"))
    assert [p.name for p in directory.search_products(filters=filters, on=today)] == ["Lapsing"]
    assert list(directory.search_products(filters=filters, on=later)) == []
    ranked = directory.search_products(filters=directory.DirectoryFilters(), on=later)
    assert [p.name for p in ranked] == ["Lasting", "Lapsing"]


def test_the_daily_expiry_task_refreshes_the_rows():
    today = _today()
    product = ProductFactory()
    _certify(product, "30", "0", issued_on=today - timedelta(days=900))
    _certify(
        product,
        "60",
        "0",
        issued_on=today - timedelta(days=400),
        expires_on=today - timedelta(days=1),
    )
    # Stored while the newer one was still counted, as the day before.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE vendors_product SET listed_tkdn_pct = 60, listed_tkdn_until = %s WHERE id = %s",
            [today - timedelta(days=1), product.pk],
        )
    services.certificates_expire(today=today)
    assert _stored(product) == (Decimal("30"), Decimal("0"), False)


# Bounded count ------------------------------------------------------------------------------


def test_the_count_is_exact_up_to_the_limit(client, monkeypatch):
    monkeypatch.setattr(directory, "COUNT_LIMIT", 5)
    ProductFactory.create_batch(5)
    response = client.get(DIRECTORY)
    html = response.content.decode()
    assert "5 produk ditemukan" in html
    assert "Lebih dari" not in html
    assert response.context["page_obj"].paginator.has_more is False


def test_beyond_the_limit_it_says_more_than_and_pages_the_first_ones(client, monkeypatch):
    monkeypatch.setattr(directory, "COUNT_LIMIT", 25)
    ProductFactory.create_batch(26)
    response = client.get(DIRECTORY)
    html = response.content.decode()
    paginator = response.context["page_obj"].paginator
    assert (paginator.count, paginator.has_more, paginator.num_pages) == (25, True, 2)
    assert "Lebih dari 25 produk ditemukan" in html
    assert "halaman 1" in html and "halaman 1 dari" not in html
    last = client.get(DIRECTORY, {"page": "9"})
    assert last.context["page_obj"].number == 2
    assert len(last.context["page_obj"]) == 5
    assert "Hanya 25 produk pertama yang ditampilkan" in last.content.decode()


def test_the_limit_is_written_with_a_thousands_separator(client, monkeypatch):
    paginator = directory.BoundedPaginator(Product.objects.order_by("pk"), 20)
    assert paginator.count == 0 and not paginator.has_more
    with monkeypatch.context() as patch:
        patch.setattr(directory.BoundedPaginator, "_bounded_count", 1001)
        ProductFactory()
        html = client.get(DIRECTORY).content.decode()
    assert "Lebih dari 1.000 produk ditemukan" in html
