from django.db.models import QuerySet

from vendors.models import Vendor, VendorMember


def vendor_members(*, vendor: Vendor) -> QuerySet[VendorMember]:
    return vendor.members.select_related("user").order_by("role", "user__full_name")
