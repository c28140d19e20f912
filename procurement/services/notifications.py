"""Who hears of a package's steps: the users of each bidding vendor, or the OPD's officers.
The mail goes through accounts' outbox, which hides a message about a bid while it is sealed."""

from django.urls import reverse

from accounts import services as account_services
from procurement.models import Bid, BidStatus, Package
from vendors.models import Vendor


def _package_link(package: Package) -> str:
    return reverse("procurement:package-detail", args=[package.pk])


def _notify_vendor_users(vendor: Vendor, template: str, *, package: Package, **context) -> None:
    users = [m.user for m in vendor.members.select_related("user")]
    account_services.notify(
        users=users,
        template=template,
        context={"package": package, "vendor": vendor, **context},
        link=_package_link(package),
        # The outbox hides a message about a bid while the bid is sealed (who bid).
        bid=context.get("bid"),
    )


def _notify_bidders(package: Package, template: str, bids: list[Bid] | None = None, **context):
    """Every user of every vendor with an active bid on the package."""
    if bids is None:
        bids = list(package.bids.filter(status=BidStatus.ACTIVE).select_related("vendor"))
    for bid in bids:
        _notify_vendor_users(bid.vendor, template, package=package, bid=bid, **context)


def _notify_officers(package: Package, template: str, **context) -> None:
    users = [o.user for o in package.opd.officers.select_related("user")]
    account_services.notify(
        users=users,
        template=template,
        context={"package": package, **context},
        link=_package_link(package),
    )
