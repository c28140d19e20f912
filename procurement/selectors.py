from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from procurement.models import (
    OPD,
    Bid,
    BidLine,
    BidStatus,
    EvaluationResult,
    EvaluationRun,
    Officer,
    Package,
    PackageEvent,
    PackageItem,
    RunStatus,
)
from procurement.rules import SEALED_STATES, Action, Status


def opd_officers(*, opd: OPD) -> QuerySet[Officer]:
    return opd.officers.select_related("user").order_by("position", "user__full_name")


def unpublished() -> Q:
    """Packages the public never saw: drafts, and drafts cancelled before they were
    announced. They stay the OPD's alone."""
    cancelled_as_draft = PackageEvent.objects.filter(
        package=OuterRef("pk"), action=Action.CANCEL, from_status=Status.DRAFT
    )
    return Q(status=Status.DRAFT) | Q(Exists(cancelled_as_draft))


def public_packages() -> QuerySet[Package]:
    """What anyone may see: every package once it was announced."""
    return Package.objects.exclude(unpublished()).select_related("opd")


def package_for_user(*, user: User, package_id: int) -> Package:
    """A package as this user may see it: drafts (and drafts cancelled unannounced) only for
    officers of its OPD; 404 for anything else."""
    # Only the OPD: the winner and the creator are shown from HTML kept in the cache, and
    # read (one query each) only when that HTML is made again.
    package = Package.objects.select_related("opd").filter(pk=package_id).first()
    if package is None:
        raise Http404
    officer = user.opd_officer if user.is_authenticated else None
    if officer is not None and officer.opd_id == package.opd_id:
        return package
    if package.status == Status.DRAFT or (
        package.status == Status.CANCELLED and _cancelled_as_draft(package)
    ):
        raise Http404
    return package


def winner_name(*, package: Package) -> str | None:
    """The name of the vendor of the package's winning bid, once the bids are open."""
    if package.winner_id is None or package.is_sealed:
        return None
    return Bid.objects.filter(pk=package.winner_id).values_list("vendor__name", flat=True).first()


def _cancelled_as_draft(package: Package) -> bool:
    return package.events.filter(action=Action.CANCEL, from_status=Status.DRAFT).exists()


def opd_packages(*, opd: OPD) -> QuerySet[Package]:
    return (
        Package.objects.filter(opd=opd)
        .annotate(bid_count=Count("bids", filter=Q(bids__status=BidStatus.ACTIVE)))
        .order_by("-created_at")
    )


def active_bids(*, package: Package) -> QuerySet[Bid]:
    """The bids that count, once the package is open to officers: never while sealed."""
    if package.status in SEALED_STATES:
        return Bid.objects.none()
    return package.bids.filter(status=BidStatus.ACTIVE).select_related("vendor")


def active_bid_count(*, package: Package) -> int:
    """Officers may know how many bids there are before closing, nothing else."""
    return package.bids.filter(status=BidStatus.ACTIVE).count()


def vendor_bids(*, vendor) -> QuerySet[Bid]:
    return vendor.bids.select_related("package__opd").order_by("-submitted_at")


@dataclass(frozen=True)
class ComparisonRow:
    item: PackageItem
    cells: list[tuple[Bid, BidLine | None]]  # one per bid, in the order of the bids


def opened_bids_comparison(*, package: Package) -> tuple[list[Bid], list[ComparisonRow]]:
    """The opened active bids, cheapest first, and one row per line item with each bid's
    line for it: four queries whatever the number of bids and lines."""
    bids = list(
        active_bids(package=package)
        .filter(opened_at__isnull=False)
        .order_by("price", "submitted_at", "pk")
        .prefetch_related("lines")
    )
    items = list(package.items.all())
    by_pk = {item.pk: item for item in items}
    for bid in bids:
        for line in bid.lines.all():
            line.item = by_pk[line.item_id]  # the corrected amount reads the item's volume
    lines = [(bid, {line.item_id: line for line in bid.lines.all()}) for bid in bids]
    rows = [
        ComparisonRow(item, [(bid, of_bid.get(item.pk)) for bid, of_bid in lines]) for item in items
    ]
    return bids, rows


# Evaluation results ---------------------------------------------------------------------------


def current_run(package: Package) -> EvaluationRun | None:
    """The package's latest successful evaluation: the one that counts."""
    return (
        package.evaluation_runs.filter(status=RunStatus.SUCCEEDED)
        .select_related("requested_by")
        .order_by("-created_at", "-pk")
        .first()
    )


def run_results(run: EvaluationRun) -> QuerySet[EvaluationResult]:
    """A run's results with each bid and its vendor: ranked ones first by rank, then the
    ineligible ones by HEA."""
    return run.results.select_related(
        "bid__vendor", "bid__verdict__decided_by", "bid__verdict__clarified_by"
    ).order_by(F("rank").asc(nulls_last=True), "hea", "pk")


def next_closing() -> datetime | None:
    """When the next package open for bids closes: the list of open packages changes then."""
    return (
        Package.objects.filter(status=Status.ANNOUNCED, closes_at__gt=timezone.now())
        .order_by("closes_at")
        .values_list("closes_at", flat=True)
        .first()
    )
