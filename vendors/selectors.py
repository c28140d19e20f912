from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from vendors.models import (
    Blacklisting,
    CertificateStatus,
    HalalCertificate,
    Product,
    TKDNCertificate,
    Vendor,
    VendorMember,
    VendorStatus,
)


def vendor_members(*, vendor: Vendor) -> QuerySet[VendorMember]:
    return vendor.members.select_related("user").order_by("role", "user__full_name")


def valid_tkdn_certificates(*, on: date) -> QuerySet[TKDNCertificate]:
    """Verified and unexpired on that day: the only certificates that count."""
    return TKDNCertificate.objects.filter(status=CertificateStatus.VERIFIED, expires_on__gte=on)


def valid_halal_certificates(*, on: date) -> QuerySet[HalalCertificate]:
    return HalalCertificate.objects.filter(status=CertificateStatus.VERIFIED).exclude(
        expires_on__lt=on
    )


def products_with_local_content(*, on: date) -> QuerySet[Product]:
    """Products with their effective certificate prefetched as `valid_tkdn` (a list, newest
    issue first: the first is the one that counts) and a `has_valid_halal` flag."""
    return Product.objects.prefetch_related(
        Prefetch(
            "tkdn_certificates",
            queryset=valid_tkdn_certificates(on=on).order_by("-issued_on", "-pk"),
            to_attr="valid_tkdn",
        )
    ).annotate(
        has_valid_halal=Exists(valid_halal_certificates(on=on).filter(products=OuterRef("pk")))
    )


def verified_vendors() -> QuerySet[Vendor]:
    return Vendor.objects.filter(status=VendorStatus.VERIFIED)


def vendor_products(*, vendor: Vendor, today: date) -> QuerySet[Product]:
    """A company's own products, active first, with local content and photo counts."""
    return (
        products_with_local_content(on=today)
        .filter(vendor=vendor)
        .annotate(photo_count=Count("photos", distinct=True))
        .order_by("-is_active", "name")
    )


def product_counts(*, vendor: Vendor) -> dict[str, int]:
    return vendor.products.aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(is_active=True))
    )


def certificate_counts(*, vendor: Vendor) -> dict[str, dict[str, int]]:
    """Per kind, how many certificates are in each status."""
    counts = {}
    for kind, queryset in (
        ("tkdn", vendor.tkdn_certificates),
        ("halal", vendor.halal_certificates),
    ):
        rows = queryset.values("status").annotate(n=Count("pk"))
        counts[kind] = {row["status"]: row["n"] for row in rows}
    return counts


ATTENTION_DAYS = 30


def certificates_needing_attention(*, vendor: Vendor, today: date) -> list:
    """Rejected certificates (with the reason to act on) and those expiring within 30 days."""
    soon = today + timedelta(days=ATTENTION_DAYS)
    attention = Q(status=CertificateStatus.REJECTED) | Q(
        status=CertificateStatus.VERIFIED, expires_on__lte=soon
    )
    tkdn = list(vendor.tkdn_certificates.filter(attention))
    halal = list(vendor.halal_certificates.filter(attention))
    return sorted(tkdn + halal, key=lambda c: (c.status != "rejected", c.expires_on or date.max))


def blacklistings_in_force(*, vendor: Vendor, today: date) -> QuerySet[Blacklisting]:
    """The vendor's blacklistings that hold today or are still to come (not lifted, not
    ended), the nearest first: what its home page tells it."""
    return (
        vendor.blacklistings.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .filter(Q(lifted_on__isnull=True) | Q(lifted_on__gt=today))
        .order_by("starts_on", "pk")
    )
