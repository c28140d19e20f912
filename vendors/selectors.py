from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from vendors.models import (
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
