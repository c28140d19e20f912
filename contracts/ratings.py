"""The vendor's average ratings, kept on the vendor (vendors.Vendor.rating_*) for the
directory and the officers' bid pages to read without a query: recomputed from its ratings
in the transaction that writes one (vendors cannot read contracts; contracts tells it)."""

from django.db.models import Avg, Count

from contracts.models import Contract, Rating
from vendors import services as vendor_services
from vendors.models import RATING_ASPECTS


def vendor_ratings_refresh(*, vendor_id: int) -> None:
    """Every rating of the vendor's contracts, averaged per aspect, stored on the vendor."""
    totals = Rating.objects.filter(contract__vendor_id=vendor_id).aggregate(
        count=Count("pk"), **{aspect: Avg(aspect) for aspect in RATING_ASPECTS}
    )
    count = totals.pop("count")
    vendor_services.vendor_ratings_set(vendor_id=vendor_id, count=count, averages=totals)


def rating_saved(sender, *, instance: Rating, **kwargs) -> None:
    """A rating was written (at the BAST) or removed: its vendor's averages follow, in the
    same transaction."""
    vendor_id = (
        Contract.objects.filter(pk=instance.contract_id).values_list("vendor_id", flat=True).first()
    )
    if vendor_id is not None:
        vendor_ratings_refresh(vendor_id=vendor_id)
