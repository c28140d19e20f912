"""What a vendor sees of a package on its page: its own bid, why it may not bid, its sanggah.
`{% load procurement_vendor %}`. Never anything about another vendor's bid."""

from dataclasses import dataclass, field
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.functional import Promise

from procurement import services
from procurement.forms import ObjectionForm
from procurement.models import Bid, BidStatus, Objection, Package
from procurement.rules import Status
from vendors.models import Vendor

register = template.Library()


@dataclass
class VendorPanel:
    bid: Bid | None
    total: Decimal | None = None
    stated_total: Decimal | None = None  # the total as submitted, when correction changed it
    tkdn_pct: Decimal | None = None
    tkdn_bmp_pct: Decimal | None = None
    accepting: bool = False  # announced and before the deadline
    problem: str | Promise | None = None
    is_winner: bool = False
    can_object: bool = False
    objections: list[Objection] = field(default_factory=list)
    objection_form: ObjectionForm | None = None


@register.simple_tag
def vendor_panel(package: Package | None, vendor: Vendor | None) -> VendorPanel | None:
    """The vendor's own active bid on the package with its figures (from the sealed content
    before opening, from the opened bid after), and its objections once a winner is named."""
    if not isinstance(package, Package) or not isinstance(vendor, Vendor):
        return None
    now = timezone.now()
    bid = package.bids.filter(vendor=vendor, status=BidStatus.ACTIVE).first()
    panel = VendorPanel(bid=bid)
    panel.accepting = package.status == Status.ANNOUNCED and now < package.closes_at
    if panel.accepting:
        panel.problem = services.bidding_problem(package=package, vendor=vendor, now=now)
    if bid is not None:
        if bid.opened_at is None:
            content = services.bid_content(bid)
            panel.total = content.total
            panel.tkdn_pct = content.tkdn_pct
            panel.tkdn_bmp_pct = content.tkdn_bmp_pct
        else:
            # Opened: the price after arithmetic correction (the document's volumes), beside
            # the total the bid stated when they differ.
            panel.total, panel.tkdn_pct, panel.tkdn_bmp_pct = (
                bid.price,
                bid.tkdn_pct,
                bid.tkdn_bmp_pct,
            )
            stated = services.bid_content(bid).total
            panel.stated_total = stated if stated != bid.price else None
        panel.is_winner = bid.pk == package.winner_id
    if not package.is_sealed:
        panel.objections = list(
            Objection.objects.filter(package=package, bid__vendor=vendor).order_by("filed_at")
        )
    panel.can_object = (
        package.status == Status.OBJECTION
        and bid is not None
        and not panel.is_winner
        and package.objection_ends_at is not None
        and now <= package.objection_ends_at
    )
    if panel.can_object:
        panel.objection_form = ObjectionForm()
    return panel
