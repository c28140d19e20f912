"""A package's terms and the steps of its life that are not the bids' or the award's:
a draft saved (with its items and checklist), announced, closed at its deadline (which opens
the bids and starts the evaluation), cancelled or failed."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit import services as audit
from audit.models import AuditAction, SystemJob
from p3dn_portal.lib.formatting import rupiah
from procurement import rules
from procurement.models import OPD, BidStatus, Package, PackageItem, PackageRequirement
from procurement.rules import Action, Category, Status
from procurement.services import lifecycle
from procurement.services.bids import _open
from procurement.services.evaluation_runs import evaluation_request
from procurement.services.lifecycle import (
    REASON_REQUIRED,
    _audit_transition,
    _authorize,
    _transition,
    state_problem,
)
from procurement.services.notifications import _notify_bidders

METHOD_DOES_NOT_FIT = _(
    "Metode {method} tidak sesuai nilai paket (HPS {hps}): pengadaan langsung hanya sampai "
    "{ceiling}, tender dan tender cepat hanya di atas nilai itu."
)
HPS_OVER_PAGU = _("HPS ({hps}) melebihi pagu ({pagu}). Turunkan HPS atau perbaiki pagu.")
ITEMS_REQUIRED = _("Isi paling sedikit satu rincian barang/jasa dengan volume dan harga HPS.")
PREFERENCE_ONLY_GOODS = _("Preferensi harga hanya untuk pengadaan barang: isi 0 untuk jenis ini.")
CLOSING_IN_PAST = _("Batas akhir penawaran sudah lewat. Atur batas akhir yang akan datang.")
CENT = Decimal("0.01")


def _rp(amount: Decimal) -> str:
    return rupiah(amount)


@dataclass(frozen=True)
class ItemInput:
    description: str
    kbli: str
    quantity: Decimal
    unit: str
    hps_unit_price: Decimal


PACKAGE_FIELDS = (
    "rup_code",
    "title",
    "description",
    "fiscal_year",
    "category",
    "method",
    "pagu",
    "pdn",
    "min_tkdn_pct",
    "halal_required",
    "items_optional",
    "reservation_exception_reason",
    "max_preference_pct",
    "opens_at",
    "closes_at",
)


def check_package_terms(
    *, category: str, method: str, pagu: Decimal, hps: Decimal, max_preference_pct: Decimal
) -> None:
    """The rules a package's figures must meet, as field errors."""
    errors: dict[str, list] = {}
    if hps > pagu:
        errors.setdefault("pagu", []).append(HPS_OVER_PAGU.format(hps=_rp(hps), pagu=_rp(pagu)))
    if not rules.method_fits_value(method=method, category=category, hps=hps):
        errors.setdefault("method", []).append(
            METHOD_DOES_NOT_FIT.format(
                method=rules.Method(method).label,
                hps=_rp(hps),
                ceiling=_rp(rules.DIRECT_PROCUREMENT_MAX[Category(category)]),
            )
        )
    if category != Category.GOODS and max_preference_pct:
        errors.setdefault("max_preference_pct", []).append(PREFERENCE_ONLY_GOODS)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def package_save(
    *,
    opd: OPD,
    by: User,
    items: list[ItemInput],
    package: Package | None = None,
    requirements: "list[RequirementInput] | None" = None,
    **fields: object,
) -> Package:
    """Create a draft package or edit one; the HPS is the sum of its items. `requirements`
    (the administrative and technical checklist) replaces the package's when given."""
    unknown = set(fields) - set(PACKAGE_FIELDS)
    if unknown:
        raise ValueError(f"Not a package field: {sorted(unknown)}")
    if package is None:
        package = Package(opd=opd, created_by=by)
        before = {}
    else:
        package = Package.objects.select_for_update().get(pk=package.pk)
        before = _package_terms(package, list(package.items.all()))
    _authorize(package=package, by=by, action=Action.EDIT)
    if package.pk and state_problem(package, Action.EDIT):
        raise ValidationError(state_problem(package, Action.EDIT), code="wrong_state")
    if not items:
        raise ValidationError(ITEMS_REQUIRED, code="items_required")
    for field, value in fields.items():
        setattr(package, field, value)
    package.hps = sum((i.quantity * i.hps_unit_price for i in items), Decimal(0)).quantize(
        Decimal("0.01")
    )
    check_package_terms(
        category=package.category,
        method=package.method,
        pagu=package.pagu,
        hps=package.hps,
        max_preference_pct=package.max_preference_pct,
    )
    package.reserved_for_small_business = rules.reserved_for_small_business(
        pagu=package.pagu, exception_reason=package.reservation_exception_reason
    )
    package.full_clean(exclude=["created_by"])
    package.save()
    package.items.all().delete()
    saved_items = PackageItem.objects.bulk_create(
        PackageItem(package=package, position=n, **vars(item)) for n, item in enumerate(items, 1)
    )
    if requirements is not None:
        package_requirements_save(package=package, requirements=requirements)
    changes = audit.diff(before, _package_terms(package, saved_items))
    if changes:
        audit.record(
            actor=by,
            action=AuditAction.PACKAGE_EDITED if before else AuditAction.PACKAGE_CREATED,
            obj=package,
            changes=changes,
        )
    return package


def _package_terms(package: Package, items: list[PackageItem]) -> dict[str, object]:
    """A package's terms and line items as the audit log compares them."""
    terms = audit.snapshot(package, (*PACKAGE_FIELDS, "hps", "reserved_for_small_business"))
    terms["items"] = [
        f"{item.position}. {item.description} [{item.kbli or '-'}]: "
        f"{item.quantity.quantize(CENT)} {item.unit} x {item.hps_unit_price.quantize(CENT)}"
        for item in sorted(items, key=lambda item: item.position)
    ]
    terms["requirements"] = [
        f"{r.get_stage_display()}: {r.text}" for r in package.requirements.order_by("position")
    ]
    return terms


@dataclass(frozen=True)
class RequirementInput:
    stage: str
    text: str


def package_requirements_save(*, package: Package, requirements: list[RequirementInput]) -> None:
    """Replace a draft package's checklist (called by package_save, same transaction)."""
    package.requirements.all().delete()
    PackageRequirement.objects.bulk_create(
        PackageRequirement(package=package, position=n, stage=r.stage, text=r.text.strip())
        for n, r in enumerate((r for r in requirements if r.text.strip()), 1)
    )


@transaction.atomic
def package_announce(*, package: Package, by: User) -> Package:
    _authorize(package=package, by=by, action=Action.ANNOUNCE)
    package = _transition(package=package, action=Action.ANNOUNCE, by=by)
    if not package.items.exists():
        raise ValidationError(ITEMS_REQUIRED, code="items_required")
    if package.closes_at <= lifecycle.database_now():
        raise ValidationError(CLOSING_IN_PAST, code="closing_in_past")
    package.save(update_fields=["status"])
    _audit_transition(package, action=Action.ANNOUNCE, by=by)
    return package


def packages_close_due() -> list[int]:
    """Close every announced package whose deadline has passed (by the database clock) and
    open its bids. Run every minute by beat; each package in its own transaction, skipping
    one that another worker is closing."""
    closed = []
    due = Package.objects.filter(status=Status.ANNOUNCED, closes_at__lte=lifecycle.database_now())
    for package_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            package = (
                Package.objects.select_for_update(skip_locked=True)
                .filter(pk=package_id, status=Status.ANNOUNCED)
                .first()
            )
            if package is not None:
                _close(package, by=None, job=SystemJob.PACKAGES_CLOSE_DUE)
                closed.append(package_id)
    return closed


@transaction.atomic
def package_close(*, package: Package, by: User) -> Package:
    """An officer closes a package whose deadline has passed, when the job has not yet."""
    _authorize(package=package, by=by, action=Action.CLOSE)
    package = Package.objects.select_for_update().get(pk=package.pk)
    if package.status == Status.ANNOUNCED and package.closes_at > lifecycle.database_now():
        raise ValidationError(
            _("Batas akhir penawaran belum lewat; paket tertutup otomatis pada waktunya."),
            code="not_due",
        )
    return _close(package, by=by)


def _close(package: Package, *, by: User | None, job: str = "") -> Package:
    package = _transition(package=package, action=Action.CLOSE, by=by)
    package.save(update_fields=["status"])
    _audit_transition(package, action=Action.CLOSE, by=by, job=job)
    # In the order they came in (the audit log lists the openings so).
    bids = list(
        package.bids.filter(status=BidStatus.ACTIVE).select_related("vendor").order_by("pk")
    )
    items = {item.pk: item for item in package.items.all()}
    for bid in bids:
        _open(bid, items)
    # Opened now: the prices enter the log only from this moment.
    audit.record_many(
        audit.entry(
            actor=by,
            job=job,
            action=AuditAction.BID_OPENED,
            obj=bid,
            changes=audit.diff(
                {}, audit.snapshot(bid, ("price", "tkdn_pct", "tkdn_bmp_pct", "opened_at"))
            ),
        )
        for bid in bids
    )
    _notify_bidders(package, "procurement/package_closed", bids=bids)
    if bids:
        # The evaluation starts by itself once the bids are open.
        package = evaluation_request(package=package, by=None).package
    return package


def package_evaluation_start(*, package: Package, by: User) -> Package:
    """An officer (re)starts the evaluation: a new run, kept beside the earlier ones."""
    return evaluation_request(package=package, by=by).package


@transaction.atomic
def package_cancel(*, package: Package, by: User, reason: str) -> Package:
    _authorize(package=package, by=by, action=Action.CANCEL)
    if not reason.strip():
        raise ValidationError(REASON_REQUIRED, code="required")
    package = _transition(package=package, action=Action.CANCEL, by=by, reason=reason.strip())
    package.cancel_reason = reason.strip()
    package.save(update_fields=["status", "cancel_reason"])
    _audit_transition(package, action=Action.CANCEL, by=by)
    _notify_bidders(package, "procurement/package_cancelled")
    return package


@transaction.atomic
def package_fail(*, package: Package, by: User, reason: str) -> Package:
    _authorize(package=package, by=by, action=Action.FAIL)
    if not reason.strip():
        raise ValidationError(REASON_REQUIRED, code="required")
    package = _transition(package=package, action=Action.FAIL, by=by, reason=reason.strip())
    package.save(update_fields=["status"])
    _audit_transition(package, action=Action.FAIL, by=by, note=reason.strip())
    _notify_bidders(package, "procurement/package_failed", reason=reason.strip())
    return package
