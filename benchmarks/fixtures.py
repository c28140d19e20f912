"""What the benchmark measures, found in the seeded database: the well-known fixtures of
`seed_scale` (seeding.scale.manifest) and, beside each, a small case of the same page."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

COMMON_WORD = "batik"  # in tens of thousands of product names
RARE_WORD = "Bench"  # the bench vendor's name: its few products


@dataclass(frozen=True)
class Fixtures:
    admin_id: int
    officer_id: int
    vendor_user_id: int
    hot_package_id: int  # closed, 500 opened bids, evaluated
    small_package_id: int  # the same OPD's evaluated package with the fewest bids
    eval_package_id: int  # 5,000 bids x 20 items, for the evaluation job
    event_id: int
    small_opd_id: int  # the OPD with the fewest packages
    open_rup_code: str  # one package open for bids: a search that finds one
    bench_vendor_id: int  # a product of every catalogue line
    small_vendor_id: int  # a verified vendor with one product
    common_word: str = COMMON_WORD
    rare_word: str = RARE_WORD


def load() -> Fixtures:
    from accounts.models import User
    from procurement.models import OPD, BidStatus, Package, RunStatus
    from procurement.rules import Status
    from seeding import scale
    from vendors.models import Vendor, VendorStatus

    manifest = scale.manifest()
    hot = Package.objects.get(pk=manifest["hot_package_id"])
    small = (
        Package.objects.filter(opd_id=hot.opd_id, evaluation_runs__status=RunStatus.SUCCEEDED)
        .exclude(pk__in=[hot.pk, manifest["eval_package_id"]])
        .annotate(opened=Count("bids", filter=Q(bids__status=BidStatus.ACTIVE), distinct=True))
        .filter(opened__gte=1)
        .order_by("opened", "pk")
        .first()
    )
    if small is None:
        raise SystemExit("seed_scale left no evaluated package beside HOT in the bench OPD")
    open_package = (
        Package.objects.filter(status=Status.ANNOUNCED, closes_at__gt=timezone.now())
        .order_by("pk")
        .first()
    )
    verified = Vendor.objects.filter(status=VendorStatus.VERIFIED).order_by("pk")
    bench_vendor = verified.get(name=scale.BENCH_VENDOR_NAME)
    small_vendor = (
        verified.filter(pk__in=verified.exclude(pk=bench_vendor.pk).values("pk")[:50])
        .annotate(n=Count("products"))
        .order_by("n", "pk")
        .first()
    )
    smallest_opd = OPD.objects.annotate(n=Count("packages")).order_by("n", "pk").first()
    return Fixtures(
        admin_id=User.objects.get(email=manifest["admin_email"]).pk,
        officer_id=manifest["officer_user_id"],
        vendor_user_id=manifest["vendor_user_id"],
        hot_package_id=hot.pk,
        small_package_id=small.pk,
        eval_package_id=manifest["eval_package_id"],
        event_id=manifest["event_id"],
        small_opd_id=smallest_opd.pk,
        open_rup_code=open_package.rup_code,
        bench_vendor_id=bench_vendor.pk,
        small_vendor_id=small_vendor.pk,
    )
