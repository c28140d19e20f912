"""Every write to packages and bids. The lifecycle is a state machine (procurement.rules):
no status is ever edited directly; each action checks the officer's OPD and position and
the package's state, changes it in one transaction and writes the audit row."""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError, connection, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts import services as account_services
from accounts.models import User
from audit import services as audit
from audit.models import AuditAction, SystemJob
from p3dn_portal.celery import publish_or_defer
from p3dn_portal.templatetags.p3dn import rupiah
from procurement import evaluation, rules, sealing
from procurement.models import (
    OPD,
    Bid,
    BidLine,
    BidStatus,
    EvaluationResult,
    EvaluationRun,
    Objection,
    Package,
    PackageEvent,
    PackageItem,
    RunStatus,
)
from procurement.rules import Action, Category, Status
from vendors import rules as vendor_rules
from vendors.local_content import effective_local_content
from vendors.models import (
    CertificateStatus,
    HalalCertificate,
    Product,
    TKDNCertificate,
    Vendor,
)
from vendors.selectors import products_with_local_content, valid_halal_certificates

logger = logging.getLogger(__name__)

NOT_YOUR_OPD = _("Paket ini milik OPD lain.")
POSITION_NOT_ALLOWED = _("Jabatan Anda ({position}) tidak berwenang {action}.")
WRONG_STATE = _("Paket berstatus “{status}”: tidak dapat {action}.")
METHOD_DOES_NOT_FIT = _(
    "Metode {method} tidak sesuai nilai paket (HPS {hps}): pengadaan langsung hanya sampai "
    "{ceiling}, tender dan tender cepat hanya di atas nilai itu."
)
HPS_OVER_PAGU = _("HPS ({hps}) melebihi pagu ({pagu}). Turunkan HPS atau perbaiki pagu.")
ITEMS_REQUIRED = _("Isi paling sedikit satu rincian barang/jasa dengan volume dan harga HPS.")
PREFERENCE_ONLY_GOODS = _("Preferensi harga hanya untuk pengadaan barang: isi 0 untuk jenis ini.")
CLOSING_IN_PAST = _("Batas akhir penawaran sudah lewat. Atur batas akhir yang akan datang.")
NOT_OPEN_YET = _("Penawaran untuk paket ini belum dibuka (dibuka {opens}).")
DEADLINE_PASSED = _(
    "Batas akhir penawaran ({closes}) sudah lewat menurut jam server. Penawaran tidak dapat "
    "diajukan, diubah, atau ditarik lagi."
)
NOT_ANNOUNCED = _("Paket ini tidak sedang menerima penawaran.")
VENDOR_NOT_VERIFIED = _(
    "Usaha Anda belum diverifikasi Dinas PPKUKM, sehingga belum dapat mengajukan penawaran."
)
RESERVED_NOT_SMALL = _(
    "Paket ini dicadangkan untuk usaha kecil (mikro dan kecil); skala usaha Anda {scale}."
)
HALAL_MISSING = _(
    "Paket ini wajib halal: produk makanan/minuman {products} belum punya sertifikat halal "
    "terverifikasi yang berlaku sampai batas akhir penawaran."
)
MIN_TKDN_NOT_MET = _(
    "TKDN penawaran Anda {tkdn} di bawah TKDN minimal paket {minimum}. Pilih produk dengan "
    "sertifikat TKDN lebih tinggi."
)
LINE_FOREIGN_PRODUCT = _("Pilih produk milik usaha Anda sendiri.")
LINE_INACTIVE_PRODUCT = _("Produk {product} nonaktif: aktifkan dulu di daftar produk.")
LINES_INCOMPLETE = _("Isi produk, volume, dan harga satuan untuk setiap rincian paket.")
BID_NOT_ACTIVE = _("Penawaran ini sudah diganti revisi atau ditarik.")
WINNER_NOT_ACTIVE = _("Pemenang harus salah satu penawaran aktif paket ini.")
WINNER_NOT_FIRST = _(
    "Pemenang adalah peringkat 1 hasil evaluasi terakhir. Jika ada perubahan, jalankan evaluasi "
    "ulang lebih dulu."
)
NO_EVALUATION = _("Belum ada hasil evaluasi yang selesai: jalankan evaluasi lebih dulu.")
EVALUATION_PENDING = _(
    "Evaluasi ulang masih berjalan. Tunggu hasilnya sebelum mengumumkan pemenang."
)
NO_ELIGIBLE_BID = _(
    "Tidak ada penawaran yang memenuhi syarat pada hasil evaluasi: nyatakan paket gagal."
)
OBJECTION_CLOSED = _("Masa sanggah sudah berakhir pada {ends}.")
OBJECTION_NOT_BIDDER = _("Hanya peserta yang mengajukan penawaran dapat menyanggah.")
OBJECTION_BY_WINNER = _("Pemenang tidak dapat menyanggah penetapannya sendiri.")
OBJECTION_ANSWERED = _("Sanggah ini sudah dijawab.")
OBJECTION_PERIOD_RUNNING = _(
    "Masa sanggah masih berjalan sampai {ends}. Penetapan final setelah masa sanggah berakhir."
)
OBJECTIONS_UNANSWERED = _("Jawab dulu semua sanggah ({count} belum dijawab).")
REASON_REQUIRED = _("Tulis alasannya: peserta dan auditor membacanya.")

CENT = Decimal("0.01")
CONTRACT_NUMBER_REQUIRED = _("Isi nomor dan tanggal kontrak.")


# Officers and the lifecycle ------------------------------------------------------------------


def authorize_position(*, officer, action: str) -> None:
    """PermissionDenied, saying why, unless the officer's position may take the action."""
    if not rules.may(officer.position, action):
        raise PermissionDenied(
            POSITION_NOT_ALLOWED.format(
                position=officer.get_position_display(), action=rules.Action(action).label
            )
        )


def state_problem(package: Package, action: str) -> str | None:
    """Why the package's state does not allow the action, or None."""
    if rules.next_status(package.status, action) is None:
        return WRONG_STATE.format(status=package.get_status_display(), action=Action(action).label)
    return None


def _authorize(*, package: Package, by: User, action: str) -> None:
    officer = by.opd_officer
    if officer is None or officer.opd_id != package.opd_id:
        raise PermissionDenied(NOT_YOUR_OPD)
    authorize_position(officer=officer, action=action)


def _transition(*, package: Package, action: str, by: User | None, reason: str = "") -> Package:
    """Lock the package, check the state machine, move it and write the audit row. The
    caller is inside a transaction."""
    package = Package.objects.select_for_update().get(pk=package.pk)
    problem = state_problem(package, action)
    if problem:
        raise ValidationError(problem, code="wrong_state")
    target = rules.next_status(package.status, action)
    package.audit_before = audit.snapshot(package, AUDITED_PACKAGE_FIELDS)
    PackageEvent.objects.create(
        package=package,
        action=action,
        from_status=package.status,
        to_status=target,
        by=by,
        reason=reason,
    )
    package.status = target
    return package


# What a lifecycle step may change on a package, as the audit log shows it.
AUDITED_PACKAGE_FIELDS = (
    "status",
    "winner",
    "objection_ends_at",
    "contract_value",
    "contract_number",
    "contract_signed_on",
    "cancel_reason",
)
TRANSITION_AUDIT = {
    Action.ANNOUNCE: AuditAction.PACKAGE_ANNOUNCED,
    Action.CLOSE: AuditAction.PACKAGE_CLOSED,
    Action.ANNOUNCE_WINNER: AuditAction.WINNER_ANNOUNCED,
    Action.AWARD: AuditAction.PACKAGE_AWARDED,
    Action.CONTRACT: AuditAction.CONTRACT_RECORDED,
    Action.CANCEL: AuditAction.PACKAGE_CANCELLED,
    Action.FAIL: AuditAction.PACKAGE_FAILED,
}


def _audit_transition(
    package: Package, *, action: str, by: User | None, note: str = "", job: str = ""
) -> None:
    """The audit row of a lifecycle step, once its changes are saved (same transaction)."""
    audit.record(
        actor=by,
        action=TRANSITION_AUDIT[action],
        obj=package,
        changes=audit.diff(package.audit_before, audit.snapshot(package, AUDITED_PACKAGE_FIELDS)),
        note=note,
        job=job,
    )


def database_now() -> datetime:
    """The database's clock, read now (not at transaction start): it decides deadlines,
    whatever the clocks of the web servers and workers say."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


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
    **fields: object,
) -> Package:
    """Create a draft package or edit one; the HPS is the sum of its items."""
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
    return terms


@transaction.atomic
def package_announce(*, package: Package, by: User) -> Package:
    _authorize(package=package, by=by, action=Action.ANNOUNCE)
    package = _transition(package=package, action=Action.ANNOUNCE, by=by)
    if not package.items.exists():
        raise ValidationError(ITEMS_REQUIRED, code="items_required")
    if package.closes_at <= database_now():
        raise ValidationError(CLOSING_IN_PAST, code="closing_in_past")
    package.save(update_fields=["status"])
    _audit_transition(package, action=Action.ANNOUNCE, by=by)
    return package


def packages_close_due() -> list[int]:
    """Close every announced package whose deadline has passed (by the database clock) and
    open its bids. Run every minute by beat; each package in its own transaction, skipping
    one that another worker is closing."""
    closed = []
    due = Package.objects.filter(status=Status.ANNOUNCED, closes_at__lte=database_now())
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
    if package.status == Status.ANNOUNCED and package.closes_at > database_now():
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
    for bid in bids:
        _open(bid)
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


def _open(bid: Bid) -> None:
    """Decrypt a sealed bid into its lines and totals (at closing only)."""
    content = sealing.unseal(bid.sealed_content)
    lines = [
        BidLine(
            bid=bid,
            item_id=line["item"],
            product_id=line["product"],
            product_name=line["product_name"],
            quantity=Decimal(line["quantity"]),
            unit_price=Decimal(line["unit_price"]),
            tkdn_pct=Decimal(line["tkdn_pct"]),
            bmp_pct=Decimal(line["bmp_pct"]),
            certificate_number=line["certificate_number"],
            certificate_expires_on=(
                date.fromisoformat(line["certificate_expires_on"])
                if line["certificate_expires_on"]
                else None
            ),
            halal_certificate_number=line["halal_certificate_number"],
        )
        for line in content["lines"]
    ]
    BidLine.objects.bulk_create(lines)
    local = rules.bid_local_content(
        rules.LineFigures(l.quantity, l.unit_price, l.tkdn_pct, l.bmp_pct)
        for l in lines  # noqa: E741
    )
    bid.price = local.total
    bid.tkdn_pct = local.tkdn_pct
    bid.tkdn_bmp_pct = local.tkdn_bmp_pct
    bid.opened_at = timezone.now()
    bid.save(update_fields=["price", "tkdn_pct", "tkdn_bmp_pct", "opened_at"])


def package_evaluation_start(*, package: Package, by: User) -> Package:
    """An officer (re)starts the evaluation: a new run, kept beside the earlier ones."""
    return evaluation_request(package=package, by=by).package


@transaction.atomic
def package_winner_announce(
    *, package: Package, by: User, bid: Bid | None = None, reason: str = ""
) -> Package:
    """The PPK announces the winner of the current evaluation (rank 1 of the latest
    successful run); the objection period starts."""
    _authorize(package=package, by=by, action=Action.ANNOUNCE_WINNER)
    package = _transition(package=package, action=Action.ANNOUNCE_WINNER, by=by, reason=reason)
    run = (
        package.evaluation_runs.filter(status=RunStatus.SUCCEEDED)
        .order_by("-created_at", "-pk")
        .first()
    )
    if run is None:
        raise ValidationError(NO_EVALUATION, code="no_evaluation")
    if package.evaluation_runs.filter(
        status__in=(RunStatus.QUEUED, RunStatus.RUNNING), created_at__gt=run.created_at
    ).exists():
        raise ValidationError(EVALUATION_PENDING, code="evaluation_pending")
    first = run.results.filter(rank=1).select_related("bid").first()
    if first is None:
        raise ValidationError(NO_ELIGIBLE_BID, code="no_eligible_bid")
    if bid is not None and bid.pk != first.bid_id:
        raise ValidationError(WINNER_NOT_FIRST, code="winner")
    package.winner = first.bid
    package.objection_ends_at = database_now() + timedelta(days=rules.OBJECTION_DAYS)
    package.save(update_fields=["status", "winner", "objection_ends_at"])
    _audit_transition(package, action=Action.ANNOUNCE_WINNER, by=by, note=reason)
    _notify_bidders(package, "procurement/winner_announced")
    return package


@transaction.atomic
def objection_file(
    *, package: Package, by: User, text: str, attachment: UploadedFile | None = None
) -> Objection:
    package = Package.objects.select_for_update().get(pk=package.pk)
    if package.status != Status.OBJECTION:
        raise ValidationError(
            WRONG_STATE.format(status=package.get_status_display(), action=_("menyanggah")),
            code="wrong_state",
        )
    if database_now() > package.objection_ends_at:
        raise ValidationError(
            OBJECTION_CLOSED.format(ends=_when(package.objection_ends_at)), code="closed"
        )
    member = by.vendor_member
    bid = (
        package.bids.filter(vendor_id=member.vendor_id, status=BidStatus.ACTIVE).first()
        if member
        else None
    )
    if bid is None:
        raise PermissionDenied(OBJECTION_NOT_BIDDER)
    if bid.pk == package.winner_id:
        raise ValidationError(OBJECTION_BY_WINNER, code="winner")
    objection = Objection.objects.create(
        package=package, bid=bid, text=text.strip(), attachment=attachment, filed_by=by
    )
    audit.record(
        actor=by,
        action=AuditAction.OBJECTION_FILED,
        obj=objection,
        changes={"text": [None, objection.text]},
    )
    _notify_officers(package, "procurement/objection_filed", objection=objection)
    return objection


@transaction.atomic
def objection_answer(*, objection: Objection, by: User, answer: str) -> Objection:
    _authorize(package=objection.package, by=by, action=Action.ANSWER_OBJECTION)
    objection = (
        Objection.objects.select_for_update().select_related("bid__vendor").get(pk=objection.pk)
    )
    if objection.answered_at is not None:
        raise ValidationError(OBJECTION_ANSWERED, code="answered")
    if not answer.strip():
        raise ValidationError(REASON_REQUIRED, code="required")
    objection.answer = answer.strip()
    objection.answered_by = by
    objection.answered_at = timezone.now()
    objection.save(update_fields=["answer", "answered_by", "answered_at"])
    audit.record(
        actor=by,
        action=AuditAction.OBJECTION_ANSWERED,
        obj=objection,
        changes={"answer": ["", objection.answer], "answered_at": [None, objection.answered_at]},
    )
    _notify_vendor_users(
        objection.bid.vendor,
        "procurement/objection_answered",
        package=objection.package,
        objection=objection,
    )
    return objection


@transaction.atomic
def package_award(*, package: Package, by: User) -> Package:
    """Final award after the objection period; the contract value is the bid price (HP),
    never the evaluated price."""
    _authorize(package=package, by=by, action=Action.AWARD)
    package = _transition(package=package, action=Action.AWARD, by=by)
    if database_now() <= package.objection_ends_at:
        raise ValidationError(
            OBJECTION_PERIOD_RUNNING.format(ends=_when(package.objection_ends_at)), code="running"
        )
    unanswered = package.objections.filter(answered_at__isnull=True).count()
    if unanswered:
        raise ValidationError(OBJECTIONS_UNANSWERED.format(count=unanswered), code="unanswered")
    package.contract_value = package.winner.price
    package.save(update_fields=["status", "contract_value"])
    _audit_transition(package, action=Action.AWARD, by=by)
    _notify_bidders(package, "procurement/package_awarded")
    return package


@transaction.atomic
def package_contract(*, package: Package, by: User, number: str, signed_on: date) -> Package:
    _authorize(package=package, by=by, action=Action.CONTRACT)
    if not number.strip() or signed_on is None:
        raise ValidationError(CONTRACT_NUMBER_REQUIRED, code="required")
    package = _transition(package=package, action=Action.CONTRACT, by=by)
    package.contract_number = number.strip()
    package.contract_signed_on = signed_on
    package.save(update_fields=["status", "contract_number", "contract_signed_on"])
    _audit_transition(package, action=Action.CONTRACT, by=by)
    return package


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


# Bids -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    item: PackageItem
    product: Product
    quantity: Decimal
    unit_price: Decimal


def _check_vendor(package: Package, vendor: Vendor) -> None:
    if not vendor.is_verified:
        raise ValidationError(VENDOR_NOT_VERIFIED, code="vendor_not_verified")
    if package.reserved_for_small_business and not vendor.is_umk:
        raise ValidationError(
            RESERVED_NOT_SMALL.format(scale=vendor.get_scale_display() or "—"), code="reserved"
        )


def bidding_problem(*, package: Package, vendor: Vendor, now: datetime) -> ValidationError | None:
    """Why this vendor cannot bid on the package at `now`, before it fills in a bid; None if
    it may try (bid_submit decides, by the database clock, when the bid comes in)."""
    try:
        _check_open(package, now)
        _check_vendor(package, vendor)
    except ValidationError as error:
        return error
    return None


def _check_eligibility(
    *, package: Package, vendor: Vendor, products: list[Product], tkdn_pct: Decimal, on: date
) -> None:
    _check_vendor(package, vendor)
    if package.halal_required:
        halal_ids = set(
            valid_halal_certificates(on=on)
            .filter(products__in=products)
            .values_list("products", flat=True)
        )
        missing = [p.name for p in products if p.is_food and p.pk not in halal_ids]
        if missing:
            raise ValidationError(
                HALAL_MISSING.format(products=", ".join(missing)), code="halal_missing"
            )
    if package.min_tkdn_pct is not None and tkdn_pct < package.min_tkdn_pct:
        raise ValidationError(
            MIN_TKDN_NOT_MET.format(tkdn=f"{tkdn_pct}%", minimum=f"{package.min_tkdn_pct}%"),
            code="min_tkdn",
        )


@transaction.atomic
def bid_submit(*, package: Package, vendor: Vendor, by: User, lines: list[LineInput]) -> Bid:
    """Seal a bid, or a revision that replaces the vendor's active one. The local content
    is computed now from the products' certificates valid on the closing date, and frozen."""
    member = by.vendor_member
    if member is None or member.vendor_id != vendor.pk:
        raise PermissionDenied(LINE_FOREIGN_PRODUCT)
    # The package row lock serializes submissions to this package: two submissions from one
    # vendor racing each other, or racing the deadline, are decided one after the other.
    package = Package.objects.select_for_update().get(pk=package.pk)
    now = database_now()
    _check_open(package, now)
    items = {item.pk: item for item in package.items.all()}
    if (
        not lines
        or {line.item.pk for line in lines} != set(items)
        or any(
            line.quantity is None
            or line.quantity <= 0
            or line.unit_price is None
            or line.unit_price < 0
            for line in lines
        )
    ):
        raise ValidationError(LINES_INCOMPLETE, code="lines_incomplete")
    closing_day = timezone.localtime(package.closes_at).date()
    products = {
        p.pk: p
        for p in products_with_local_content(on=closing_day).filter(
            pk__in=[line.product.pk for line in lines]
        )
    }
    for line in lines:
        product = products.get(line.product.pk)
        if product is None or product.vendor_id != vendor.pk:
            raise ValidationError(LINE_FOREIGN_PRODUCT, code="foreign_product")
        if not product.is_active:
            raise ValidationError(
                LINE_INACTIVE_PRODUCT.format(product=product.name), code="inactive_product"
            )
    halal_numbers = dict(
        valid_halal_certificates(on=closing_day)
        .filter(products__in=list(products))
        .values_list("products", "number")
    )
    content_lines = []
    figures = []
    for line in sorted(lines, key=lambda l: items[l.item.pk].position):  # noqa: E741
        product = products[line.product.pk]
        local = effective_local_content(product, on=closing_day)
        content_lines.append(
            {
                "item": line.item.pk,
                "product": product.pk,
                "product_name": product.name,
                "quantity": str(line.quantity.quantize(CENT)),
                "unit_price": str(line.unit_price.quantize(CENT)),
                "tkdn_pct": str(local.tkdn_pct),
                "bmp_pct": str(local.bmp_pct),
                "certificate_number": local.certificate.number if local.certificate else "",
                "certificate_expires_on": (
                    local.certificate.expires_on.isoformat() if local.certificate else ""
                ),
                "halal_certificate_number": halal_numbers.get(product.pk, ""),
            }
        )
        figures.append(
            rules.LineFigures(line.quantity, line.unit_price, local.tkdn_pct, local.bmp_pct)
        )
    share = rules.bid_local_content(figures)
    _check_eligibility(
        package=package,
        vendor=vendor,
        products=list(products.values()),
        tkdn_pct=share.tkdn_pct,
        on=closing_day,
    )
    previous = package.bids.filter(vendor=vendor)
    replaced = list(previous.filter(status=BidStatus.ACTIVE).values_list("pk", "version"))
    previous.filter(status=BidStatus.ACTIVE).update(status=BidStatus.SUPERSEDED)
    version = (previous.aggregate(v=Max("version"))["v"] or 0) + 1
    content = {
        "package": package.pk,
        "vendor": vendor.pk,
        "version": version,
        "submitted_at": now.isoformat(),
        "lines": content_lines,
        "total": str(share.total.quantize(CENT)),
        "tkdn_pct": str(share.tkdn_pct),
        "tkdn_bmp_pct": str(share.tkdn_bmp_pct),
    }
    bid = Bid.objects.create(
        package=package,
        vendor=vendor,
        version=version,
        submitted_by=by,
        submitted_at=now,
        sealed_content=sealing.seal(content),
        receipt_hash=sealing.receipt(content),
    )
    _audit_bid_submitted(bid, replaced=replaced, by=by)
    # The vendor's own users get the receipt (its fingerprint, never its content) by mail.
    _notify_vendor_users(vendor, "procurement/bid_received", package=package, bid=bid)
    return bid


# A bid's fields the log may hold while it is sealed: never its prices or content.
BID_PUBLIC_FIELDS = ("status", "version", "submitted_at", "receipt_hash")


def _audit_bid_submitted(bid: Bid, *, replaced: list[tuple[int, int]], by: User) -> None:
    rows = [
        audit.entry(
            actor=by,
            action=AuditAction.BID_STATUS_CHANGED,
            obj=Bid(pk=pk, package=bid.package, vendor=bid.vendor, version=version),
            changes={"status": [BidStatus.ACTIVE, BidStatus.SUPERSEDED]},
            note=f"Diganti versi {bid.version}.",
        )
        for pk, version in replaced
    ]
    rows.append(
        audit.entry(
            actor=by,
            action=AuditAction.BID_SUBMITTED,
            obj=bid,
            changes=audit.diff({}, audit.snapshot(bid, BID_PUBLIC_FIELDS)),
        )
    )
    audit.record_many(rows)


@transaction.atomic
def bid_withdraw(*, bid: Bid, by: User) -> Bid:
    member = by.vendor_member
    if member is None or member.vendor_id != bid.vendor_id:
        raise PermissionDenied(LINE_FOREIGN_PRODUCT)
    package = Package.objects.select_for_update().get(pk=bid.package_id)
    _check_open(package, database_now())
    bid = Bid.objects.select_for_update().get(pk=bid.pk)
    if bid.status != BidStatus.ACTIVE:
        raise ValidationError(BID_NOT_ACTIVE, code="not_active")
    bid.status = BidStatus.WITHDRAWN
    bid.save(update_fields=["status"])
    audit.record(
        actor=by,
        action=AuditAction.BID_WITHDRAWN,
        obj=bid,
        changes={"status": [BidStatus.ACTIVE, BidStatus.WITHDRAWN]},
    )
    return bid


def bid_content(bid: Bid) -> dict:
    """The sealed content, for the bidding vendor (before closing) or after opening."""
    return sealing.unseal(bid.sealed_content)


def bid_receipt_matches(bid: Bid) -> bool:
    """Whether the stored content still hashes to the receipt the vendor was given."""
    return sealing.receipt(bid_content(bid)) == bid.receipt_hash


def _check_open(package: Package, now: datetime) -> None:
    if package.status != Status.ANNOUNCED:
        raise ValidationError(NOT_ANNOUNCED, code="not_announced")
    if now < package.opens_at:
        raise ValidationError(NOT_OPEN_YET.format(opens=_when(package.opens_at)), code="not_open")
    if now >= package.closes_at:
        raise ValidationError(
            DEADLINE_PASSED.format(closes=_when(package.closes_at)), code="deadline_passed"
        )


def _when(moment: datetime) -> str:
    return f"{date_format(timezone.localtime(moment), 'DATETIME_FORMAT')} WIB"


# Notifications ------------------------------------------------------------------------------


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


# Evaluation runs ------------------------------------------------------------------------------

RUN_NOT_FOUND_STATE = _("Evaluasi hanya untuk paket yang penawarannya sudah ditutup.")
# Postgres advisory locks are keyed by two integers: this namespace and the package id.
EVALUATION_LOCK_NAMESPACE = 5_202_021
STALE_QUEUED_AFTER = timedelta(minutes=2)
STALE_RUNNING_AFTER = timedelta(minutes=20)


@transaction.atomic
def evaluation_request(*, package: Package, by: User | None) -> EvaluationRun:
    """Store a run as queued and hand it to a worker once committed. With the broker down
    the request still succeeds: the run waits and evaluations_requeue picks it up."""
    if by is not None:
        _authorize(package=package, by=by, action=Action.EVALUATE)
    package = _transition(package=package, action=Action.EVALUATE, by=by)
    package.save(update_fields=["status"])
    run = EvaluationRun.objects.create(
        package=package,
        rule_version=evaluation.RULE_VERSION,
        formula=package.evaluation_formula,
        max_preference_pct=package.max_preference_pct,
        requested_by=by,
    )
    audit.record(
        actor=by,
        job="" if by is not None else SystemJob.EVALUATION_AT_CLOSING,
        action=AuditAction.EVALUATION_STARTED,
        obj=run,
        label=_run_label(run),
        changes=audit.diff(
            {},
            audit.snapshot(run, ("status", "rule_version", "formula", "max_preference_pct")),
        ),
        note=f"Status paket: {package.audit_before['status']} -> {package.status}",
    )
    transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    from procurement.tasks import evaluation_run

    if not publish_or_defer(evaluation_run, args=(run_id,)):
        logger.warning("Broker unreachable: evaluation run %s stays queued.", run_id)


def evaluations_requeue() -> list[int]:
    """Queued runs no worker picked up (the broker was down), and runs whose worker died
    mid-way, go back to the queue."""
    now = timezone.now()
    stale = EvaluationRun.objects.filter(
        Q(status=RunStatus.QUEUED, created_at__lt=now - STALE_QUEUED_AFTER)
        | Q(status=RunStatus.RUNNING, started_at__lt=now - STALE_RUNNING_AFTER)
    )
    run_ids = list(stale.values_list("pk", flat=True))
    for run_id in run_ids:
        _enqueue(run_id)
    return run_ids


def evaluation_execute(*, run_id: int) -> EvaluationRun | None:
    """Evaluate the package's bids and write every result in one transaction, so a worker
    killed mid-way leaves a run to retry, never half a ranking. Idempotent: a finished run
    is left as it is; the same inputs give the same results."""
    with transaction.atomic():
        run = EvaluationRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:  # a task outlived its run (e.g. a database reset): nothing to do
            logger.info("Evaluation run %s no longer exists; task skipped.", run_id)
            return None
        if run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
            return run
        run.status = RunStatus.RUNNING
        run.started_at = timezone.now()
        run.attempts += 1
        run.save(update_fields=["status", "started_at", "attempts"])
    try:
        with transaction.atomic():
            # One evaluation of a package at a time: a second run waits here for the first.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)",
                    [EVALUATION_LOCK_NAMESPACE, run.package_id],
                )
            # The run and its package locked (not the requesting user, read for the log).
            run = (
                EvaluationRun.objects.select_for_update(of=("self", "package"))
                .select_related("package", "requested_by")
                .get(pk=run_id)
            )
            if run.status == RunStatus.SUCCEEDED:  # a second delivery waited for the first
                return run
            run.results.all().delete()
            results = _evaluate(run)
            EvaluationResult.objects.bulk_create(results, batch_size=500)
            run.status = RunStatus.SUCCEEDED
            run.progress = 100
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "progress", "finished_at"])
            _audit_evaluation_succeeded(run, results)
    except OperationalError:
        # The database failed, not the evaluation: the run stays running and the task's
        # retry (or evaluations_requeue) takes it again.
        raise
    except Exception as error:
        with transaction.atomic():
            EvaluationRun.objects.filter(pk=run_id).update(
                status=RunStatus.FAILED, error=repr(error)[:2000], finished_at=timezone.now()
            )
            _audit_evaluation_failed(run_id)
        raise
    return run


WINNER_KEY = "pemenang (peringkat 1)"


def _run_label(run: EvaluationRun) -> str:
    return f"{run.package.rup_code} — evaluasi #{run.pk}"


def _winners(run: EvaluationRun) -> tuple[str | None, str | None]:
    """The bids ranked first by the previous successful run and by this one, as the log
    names them (vendor, bid version and id). Two indexed lookups: one query with an OR
    over a subquery reads every result of every run (a second on the bench)."""
    previous = (
        EvaluationRun.objects.filter(package_id=run.package_id, status=RunStatus.SUCCEEDED)
        .exclude(pk=run.pk)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    firsts = {
        run_id == run.pk: f"{name} v{version} (#{bid_id})"
        for run_id, bid_id, name, version in EvaluationResult.objects.filter(
            run_id__in=[run.pk, previous], rank=1
        ).values_list("run_id", "bid_id", "bid__vendor__name", "bid__version")
    }
    return firsts.get(False), firsts.get(True)


def _audit_evaluation_succeeded(run: EvaluationRun, results: list[EvaluationResult]) -> None:
    """The run's outcome: its winner beside the previous successful run's, and counts."""
    eligible = sum(1 for result in results if result.eligible)
    audit.record(
        actor=run.requested_by,
        job=SystemJob.EVALUATION_RUN,
        action=AuditAction.EVALUATION_SUCCEEDED,
        obj=run,
        label=_run_label(run),
        changes={
            "status": [RunStatus.RUNNING, RunStatus.SUCCEEDED],
            WINNER_KEY: list(_winners(run)),
        },
        note=(
            f"{len(results)} penawaran dievaluasi, {eligible} memenuhi syarat, "
            f"{len(results) - eligible} gugur."
        ),
    )


def _audit_evaluation_failed(run_id: int) -> None:
    run = EvaluationRun.objects.select_related("package", "requested_by").filter(pk=run_id).first()
    if run is None:
        return
    audit.record(
        actor=run.requested_by,
        job=SystemJob.EVALUATION_RUN,
        action=AuditAction.EVALUATION_FAILED,
        obj=run,
        label=_run_label(run),
        changes={"status": [RunStatus.RUNNING, RunStatus.FAILED], "error": ["", run.error]},
    )


def _evaluate(run: EvaluationRun) -> list[EvaluationResult]:
    """Read the package's opened bids and their lines in a constant number of queries (as
    plain rows: 5,000 bids of 20 lines are 100,000 of them), apply the checks on the frozen
    snapshot, then the rule core."""
    package = run.package
    closing_day = timezone.localtime(package.closes_at).date()
    opened = Q(package=package, status=BidStatus.ACTIVE, opened_at__isnull=False)
    bids = list(
        Bid.objects.filter(opened)
        .order_by("pk")
        .values_list(
            "pk",
            "price",
            "tkdn_pct",
            "tkdn_bmp_pct",
            "submitted_at",
            "vendor__status",
            "vendor__scale",
        )
    )
    lines: dict[int, list[tuple]] = {bid[0]: [] for bid in bids}
    for row in (
        BidLine.objects.filter(bid__in=Bid.objects.filter(opened))
        .order_by("bid_id", "item__position")
        .values_list(
            "bid_id",
            "item_id",
            "product_name",
            "tkdn_pct",
            "bmp_pct",
            "certificate_number",
            "certificate_expires_on",
            "halal_certificate_number",
            "product__is_food",
        )
    ):
        lines[row[0]].append(row)
    numbers = {row[5] for rows in lines.values() for row in rows} - {""}
    halal_numbers = {row[7] for rows in lines.values() for row in rows} - {""}
    revoked = set(
        TKDNCertificate.objects.filter(
            number__in=numbers, status=CertificateStatus.REJECTED
        ).values_list("number", flat=True)
    )
    halal_revoked = set(
        HalalCertificate.objects.filter(
            number__in=halal_numbers, status=CertificateStatus.REJECTED
        ).values_list("number", flat=True)
    )
    figures, checks, snapshots = [], {}, {}
    for pk, price, tkdn, tkdn_bmp, submitted_at, vendor_status, scale in bids:
        bid_lines = lines[pk]
        checks[str(pk)] = _snapshot_problems(
            package, vendor_status, scale, tkdn, bid_lines, closing_day, revoked, halal_revoked
        )
        snapshots[str(pk)] = _certificates_used(bid_lines)
        figures.append(
            evaluation.BidFigures(
                bid_id=str(pk),
                price=price,
                tkdn_pct=tkdn,
                bmp_pct=tkdn_bmp - tkdn,
                submitted_at=submitted_at,
                passed_evaluation=not checks[str(pk)],
            )
        )
    terms = evaluation.PackageTerms(
        category=package.category,
        hps=package.hps,
        max_preference_pct=run.max_preference_pct,
        formula=run.formula,
        pdn_required=package.pdn,
    )
    return [
        EvaluationResult(
            run=run,
            bid_id=int(ranked.bid_id),
            eligible=ranked.eligible,
            tier=ranked.tier,
            kp=ranked.kp,
            hea=ranked.hea.quantize(HEA_PLACES),
            rank=ranked.rank,
            reasons=[*checks[ranked.bid_id], *ranked.reasons],
            snapshot=snapshots[ranked.bid_id],
        )
        for ranked in evaluation.rank_bids(figures, terms)
    ]


HEA_PLACES = Decimal("0.0000000001")


def _certificates_used(lines: list[tuple]) -> list[dict]:
    """The certificates a bid's figures rest on, each once, as frozen at submission."""
    used: dict[str, dict] = {}
    for _bid, _item, product, tkdn, bmp, number, expires, halal, _food in lines:
        if number and number not in used:
            used[number] = {
                "number": number,
                "kind": "tkdn",
                "tkdn_pct": str(tkdn),
                "bmp_pct": str(bmp),
                "expires_on": expires.isoformat() if expires else "",
            }
        if halal and halal not in used:
            used[halal] = {"number": halal, "kind": "halal", "product": product}
    return list(used.values())


def _snapshot_problems(
    package, vendor_status, scale, tkdn, lines, closing_day, revoked, halal_revoked
) -> list[str]:
    """What the rule core does not know: the checks on the bid's frozen snapshot."""
    problems = []
    if vendor_status != "verified":
        problems.append(str(VENDOR_NOT_VERIFIED))
    if package.reserved_for_small_business and not vendor_rules.is_umk(scale):
        label = vendor_rules.BusinessScale(scale).label if scale else "—"
        problems.append(str(RESERVED_NOT_SMALL.format(scale=label)))
    if package.min_tkdn_pct is not None and tkdn < package.min_tkdn_pct:
        problems.append(
            str(MIN_TKDN_NOT_MET.format(tkdn=f"{tkdn}%", minimum=f"{package.min_tkdn_pct}%"))
        )
    for _bid, _item, product, _tkdn, _bmp, number, expires, halal, is_food in lines:
        if number in revoked:
            problems.append(str(CERTIFICATE_REVOKED.format(number=number)))
        if number and expires and expires < closing_day:
            problems.append(str(CERTIFICATE_EXPIRED_AT_CLOSING.format(number=number)))
        if package.halal_required and is_food and (not halal or halal in halal_revoked):
            problems.append(str(HALAL_MISSING.format(products=product)))
    return problems


CERTIFICATE_REVOKED = _(
    "Sertifikat {number} ditolak atau dicabut setelah penawaran diajukan; penawaran gugur."
)
CERTIFICATE_EXPIRED_AT_CLOSING = _(
    "Sertifikat {number} tidak berlaku lagi pada tanggal batas akhir penawaran."
)
