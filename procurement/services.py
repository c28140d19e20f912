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
from p3dn_portal.lib.formatting import percent, rupiah
from procurement import evaluation, rules, sealing, selectors
from procurement.models import (
    OPD,
    Bid,
    BidLine,
    BidStatus,
    BidVerdict,
    Clarification,
    EvaluationResult,
    EvaluationRun,
    Objection,
    Package,
    PackageEvent,
    PackageItem,
    PackageRequirement,
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
LINES_INCOMPLETE = _("Isi produk dan harga satuan untuk setiap rincian paket.")
LINES_MISSING = _(
    "Rincian {items} belum diisi: pilih produk Anda dan isi harga satuannya. Paket ini meminta "
    "harga untuk setiap rincian."
)
LINE_NOT_IN_PACKAGE = _("Rincian yang dikirim bukan rincian paket ini. Muat ulang halaman.")
LINE_PRICE_NOT_POSITIVE = _(
    "Harga satuan rincian {item} harus lebih dari nol. Isi harga per {unit} dalam rupiah."
)
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
RANKING_PROVISIONAL = _(
    "Peringkat masih sementara: selesaikan evaluasi administrasi dan teknis setiap penawaran "
    "(dan klarifikasi harga yang ditandai) lebih dulu."
)
RANKING_BEFORE_REOPENING = _(
    "Evaluasi dibuka kembali karena sanggah diterima sesudah peringkat ini: perbaiki keputusan "
    "evaluasi, lalu tunggu peringkat baru."
)
NOT_ALL_ABOVE_HPS = _(
    "Tidak semua penawaran di atas HPS pada hasil evaluasi terakhir; paket tidak dapat "
    "dinyatakan gagal dengan alasan ini."
)
ALL_ABOVE_HPS_REASON = _("Tender gagal: semua penawaran di atas HPS.")
VERDICT_BID_NOT_OPENED = _("Hanya penawaran aktif yang sudah dibuka yang dievaluasi.")
VERDICT_REASON_REQUIRED = _(
    "Tulis alasan penawaran gugur: penyedia dan auditor membacanya di berita acara."
)
VERDICT_UNKNOWN_REQUIREMENT = _("Persyaratan yang dipilih bukan persyaratan paket ini.")
CLARIFICATION_NOT_LOW = _(
    "Klarifikasi kewajaran harga hanya untuk penawaran dengan total terkoreksi di bawah 80% HPS."
)
CLARIFICATION_NEEDS_PASS = _(
    "Catat dulu keputusan evaluasi administrasi dan teknis yang lulus untuk penawaran ini."
)
CLARIFICATION_REASON_REQUIRED = _("Tulis hasil klarifikasi: apa yang dijelaskan penyedia.")
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
    "performance_guarantee",
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


def _open(bid: Bid, items: dict[int, PackageItem]) -> None:
    """Decrypt a sealed bid into its lines and totals (at closing only). The bid price HP is
    the total after arithmetic correction: each item at the document's volume."""
    content = sealing.unseal(bid.sealed_content)
    lines = [
        BidLine(
            bid=bid,
            item_id=line["item"],
            product_id=line["product"],
            product_name=line["product_name"],
            product_kbli=line.get("kbli", ""),
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
        if line["item"] in items  # an item not in the document is dropped
    ]
    BidLine.objects.bulk_create(lines)
    corrected = evaluation.correct_bid(
        [_item_terms(item) for item in items.values()],
        [evaluation.LineOffer(str(l.item_id), l.quantity, l.unit_price) for l in lines],  # noqa: E741
    )
    local = rules.bid_local_content(
        rules.LineFigures(items[l.item_id].quantity, l.unit_price, l.tkdn_pct, l.bmp_pct)
        for l in lines  # noqa: E741
    )
    bid.price = corrected.total
    bid.tkdn_pct = local.tkdn_pct
    bid.tkdn_bmp_pct = local.tkdn_bmp_pct
    bid.opened_at = timezone.now()
    bid.save(update_fields=["price", "tkdn_pct", "tkdn_bmp_pct", "opened_at"])


def _item_terms(item: PackageItem) -> evaluation.ItemTerms:
    return evaluation.ItemTerms(
        item_id=str(item.pk),
        quantity=item.quantity,
        hps_unit_price=item.hps_unit_price,
        name=f"{item.position}. {item.description}",
    )


def package_evaluation_start(*, package: Package, by: User) -> Package:
    """An officer (re)starts the evaluation: a new run, kept beside the earlier ones."""
    return evaluation_request(package=package, by=by).package


def winner_candidate(package: Package) -> EvaluationResult:
    """The result ranked first by the current evaluation, when a winner may be announced
    from it: a final ranking, no newer run under way, none from before a reopening.
    ValidationError saying why not, otherwise."""
    run = selectors.current_run(package)
    if run is None:
        raise ValidationError(NO_EVALUATION, code="no_evaluation")
    if package.evaluation_runs.filter(
        status__in=(RunStatus.QUEUED, RunStatus.RUNNING), created_at__gt=run.created_at
    ).exists():
        raise ValidationError(EVALUATION_PENDING, code="evaluation_pending")
    if package.events.filter(action=Action.REOPEN, at__gt=run.created_at).exists():
        raise ValidationError(RANKING_BEFORE_REOPENING, code="reopened")
    if not run.final:
        raise ValidationError(RANKING_PROVISIONAL, code="provisional")
    first = selectors.run_results(run).filter(rank=1).first()
    if first is None:
        raise ValidationError(NO_ELIGIBLE_BID, code="no_eligible_bid")
    return first


def winner_announcement_problem(*, package: Package, officer) -> str | None:
    """Why this officer cannot announce the package's winner now, in the words the
    announcement would refuse with; None when it can."""
    if not rules.may(officer.position, Action.ANNOUNCE_WINNER):
        return str(
            POSITION_NOT_ALLOWED.format(
                position=officer.get_position_display(), action=Action.ANNOUNCE_WINNER.label
            )
        )
    problem = state_problem(package, Action.ANNOUNCE_WINNER)
    if problem:
        return str(problem)
    try:
        winner_candidate(package)
    except ValidationError as error:
        return " ".join(error.messages)
    return None


@transaction.atomic
def package_winner_announce(
    *, package: Package, by: User, bid: Bid | None = None, reason: str = ""
) -> Package:
    """The PPK announces the winner of the current evaluation (rank 1 of the latest
    successful run); the objection period starts."""
    _authorize(package=package, by=by, action=Action.ANNOUNCE_WINNER)
    package = _transition(package=package, action=Action.ANNOUNCE_WINNER, by=by, reason=reason)
    first = winner_candidate(package)
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
def objection_answer(
    *, objection: Objection, by: User, answer: str, upheld: bool = False
) -> Objection:
    """Decide a sanggah: rejected, or upheld, which sends the package back to the selection
    (winner withdrawn; the pokja corrects its verdicts and a new run ranks again) before
    anything can be awarded. The objector is told the decision; when upheld, every bidder."""
    _authorize(package=objection.package, by=by, action=Action.ANSWER_OBJECTION)
    objection = (
        Objection.objects.select_for_update().select_related("bid__vendor").get(pk=objection.pk)
    )
    if objection.answered_at is not None:
        raise ValidationError(OBJECTION_ANSWERED, code="answered")
    if not answer.strip():
        raise ValidationError(REASON_REQUIRED, code="required")
    package = objection.package
    if upheld:
        _authorize(package=package, by=by, action=Action.REOPEN)
        package = _transition(package=package, action=Action.REOPEN, by=by, reason=answer.strip())
        package.winner = None
        package.objection_ends_at = None
        package.save(update_fields=["status", "winner", "objection_ends_at"])
    objection.answer = answer.strip()
    objection.upheld = upheld
    objection.answered_by = by
    objection.answered_at = timezone.now()
    objection.save(update_fields=["answer", "upheld", "answered_by", "answered_at"])
    audit.record(
        actor=by,
        action=AuditAction.OBJECTION_ANSWERED,
        obj=objection,
        changes={
            "answer": ["", objection.answer],
            "upheld": [None, upheld],
            "answered_at": [None, objection.answered_at],
        },
    )
    if upheld:
        audit.record(
            actor=by,
            action=AuditAction.EVALUATION_REOPENED,
            obj=package,
            changes=audit.diff(
                package.audit_before, audit.snapshot(package, AUDITED_PACKAGE_FIELDS)
            ),
            note=objection.answer,
        )
    _notify_vendor_users(
        objection.bid.vendor,
        "procurement/objection_answered",
        package=package,
        objection=objection,
    )
    if upheld:
        _notify_bidders(package, "procurement/evaluation_reopened", objection=objection)
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
    package.performance_guarantee = guarantee_for(package, package.winner).amount
    package.save(update_fields=["status", "contract_value", "performance_guarantee"])
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


def guarantee_for(package: Package, bid: Bid) -> rules.Guarantee:
    """The performance guarantee the bid's contract would carry: 5% of its price (HP), or 5%
    of the HPS when its total is under 80% of the HPS and the clarification kept it."""
    low = (
        evaluation.is_unreasonably_low(bid.price, package.hps)
        and BidVerdict.objects.filter(bid=bid, clarification=Clarification.ACCEPTED).exists()
    )
    return rules.Guarantee(
        rules.performance_guarantee(contract_value=bid.price, hps=package.hps, low_price=low),
        low,
    )


def package_fail_above_hps(*, package: Package, by: User) -> Package:
    """One step when the current ranking has every bid still in the price stage above the
    HPS: the tender fails ("tender gagal: semua penawaran di atas HPS") and can be re-tendered."""
    run = selectors.current_run(package)
    if run is None or not run_all_above_hps(run):
        raise ValidationError(NOT_ALL_ABOVE_HPS, code="not_all_above_hps")
    return package_fail(package=package, by=by, reason=str(ALL_ABOVE_HPS_REASON))


def run_all_above_hps(run: EvaluationRun) -> bool:
    """In this run every bid that reached the price stage is above the HPS (at least one
    did); the others fell earlier, on their snapshot or the evaluator's verdict."""
    codes = [
        {reason.get("code") for reason in reasons if isinstance(reason, dict)}
        for reasons in run.results.values_list("reasons", flat=True)
    ]
    fell_before_price = AUTOMATIC_FAILURES | {evaluation.VERDICT_FAILED}
    return any(evaluation.ABOVE_HPS in c for c in codes) and all(
        evaluation.ABOVE_HPS in c or c & fell_before_price for c in codes
    )


# The evaluator's verdicts (administrative and technical evaluation, price clarification) ----


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


def _evaluated_bid(package: Package, bid: Bid) -> Bid:
    if bid.package_id != package.pk or bid.status != BidStatus.ACTIVE or bid.opened_at is None:
        raise ValidationError(VERDICT_BID_NOT_OPENED, code="not_opened")
    return bid


def _check_verdict_action(package: Package, by: User, action: str) -> Package:
    _authorize(package=package, by=by, action=action)
    package = Package.objects.select_for_update().get(pk=package.pk)
    problem = state_problem(package, action)
    if problem:
        raise ValidationError(problem, code="wrong_state")
    return package


VERDICT_AUDIT_FIELDS = ("passed", "checks", "reason", "clarification", "clarification_reason")


@transaction.atomic
def bid_verdict_record(
    *,
    package: Package,
    bid: Bid,
    by: User,
    passed: bool,
    failed_requirements: list[int] | tuple[int, ...] = (),
    reason: str = "",
) -> BidVerdict:
    """The pokja's pass or fail of one bid on the package's administrative and technical
    requirements; a fail names the requirements and the reason. A new run ranks again."""
    package = _check_verdict_action(package, by, Action.VERDICT)
    bid = _evaluated_bid(package, bid)
    requirements = set(package.requirements.values_list("pk", flat=True))
    failed = set(failed_requirements)
    if not failed <= requirements:
        raise ValidationError(VERDICT_UNKNOWN_REQUIREMENT, code="unknown_requirement")
    passed = passed and not failed
    if not passed and not reason.strip():
        raise ValidationError(VERDICT_REASON_REQUIRED, code="reason_required")
    checks = {
        str(pk): {"passed": pk not in failed, "reason": reason.strip() if pk in failed else ""}
        for pk in sorted(requirements)
    }
    verdict = BidVerdict.objects.select_for_update().filter(bid=bid).first()
    before = audit.snapshot(verdict, VERDICT_AUDIT_FIELDS) if verdict else {}
    if verdict is None:
        verdict = BidVerdict(bid=bid)
    verdict.passed = passed
    verdict.checks = checks
    verdict.reason = "" if passed else reason.strip()
    verdict.decided_by = by
    verdict.decided_at = timezone.now()
    if not passed:  # a clarification only follows a pass
        verdict.clarification, verdict.clarification_reason = "", ""
    verdict.save()
    _audit_verdict(verdict, before=before, by=by)
    evaluation_request(package=package, by=by)
    return verdict


@transaction.atomic
def bid_verdicts_confirm_all(*, package: Package, by: User) -> int:
    """Pass, on every requirement, each opened bid that has no verdict yet, no failed check
    on its snapshot and no flag (KBLI, unbalanced unit price, low total) in the current run:
    flagged bids are decided one by one. One new run ranks again; the count confirmed."""
    package = _check_verdict_action(package, by, Action.VERDICT)
    run = selectors.current_run(package)
    if run is None:
        return 0
    requirements = sorted(package.requirements.values_list("pk", flat=True))
    checks = {str(pk): {"passed": True, "reason": ""} for pk in requirements}
    plain = [
        result.bid
        for result in run.results.select_related("bid").filter(bid__verdict__isnull=True)
        if not result.flags
        and all(
            isinstance(r, dict) and r.get("code") not in AUTOMATIC_FAILURES for r in result.reasons
        )
        and result.bid.status == BidStatus.ACTIVE
    ]
    now = timezone.now()
    verdicts = BidVerdict.objects.bulk_create(
        BidVerdict(bid=bid, passed=True, checks=checks, decided_by=by, decided_at=now)
        for bid in plain
    )
    for verdict in verdicts:
        _audit_verdict(verdict, before={}, by=by, note="Konfirmasi semua penawaran tanpa tanda.")
    if verdicts:
        evaluation_request(package=package, by=by)
    return len(verdicts)


# Checks on the frozen snapshot that fail a bid whatever the evaluator decides.
AUTOMATIC_FAILURES = frozenset(
    {
        evaluation.VENDOR_NOT_VERIFIED,
        evaluation.RESERVED_NOT_SMALL,
        evaluation.MIN_TKDN_NOT_MET,
        evaluation.CERTIFICATE_REVOKED,
        evaluation.CERTIFICATE_EXPIRED,
        evaluation.HALAL_MISSING,
    }
)


@transaction.atomic
def bid_clarification_record(
    *, package: Package, bid: Bid, by: User, accepted: bool, reason: str
) -> BidVerdict:
    """The outcome of the price-reasonableness clarification of a bid whose corrected total
    is under 80% of the HPS: kept (then the performance guarantee is 5% of the HPS) or
    failed, with what the bidder explained."""
    package = _check_verdict_action(package, by, Action.CLARIFY)
    bid = _evaluated_bid(package, bid)
    if not evaluation.is_unreasonably_low(bid.price, package.hps):
        raise ValidationError(CLARIFICATION_NOT_LOW, code="not_low")
    verdict = BidVerdict.objects.select_for_update().filter(bid=bid).first()
    if verdict is None or not verdict.passed:
        raise ValidationError(CLARIFICATION_NEEDS_PASS, code="needs_pass")
    if not reason.strip():
        raise ValidationError(CLARIFICATION_REASON_REQUIRED, code="reason_required")
    before = audit.snapshot(verdict, VERDICT_AUDIT_FIELDS)
    verdict.clarification = Clarification.ACCEPTED if accepted else Clarification.FAILED
    verdict.clarification_reason = reason.strip()
    verdict.clarified_by = by
    verdict.clarified_at = timezone.now()
    verdict.save()
    _audit_verdict(verdict, before=before, by=by)
    evaluation_request(package=package, by=by)
    return verdict


def _audit_verdict(verdict: BidVerdict, *, before: dict, by: User, note: str = "") -> None:
    audit.record(
        actor=by,
        action=AuditAction.BID_VERDICT,
        obj=verdict.bid,
        changes=audit.diff(before, audit.snapshot(verdict, VERDICT_AUDIT_FIELDS)),
        note=note,
    )


# Bids -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    """One priced item of a bid. There is no volume: the document's volume is the bid's."""

    item: PackageItem
    product: Product
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
            MIN_TKDN_NOT_MET.format(tkdn=percent(tkdn_pct), minimum=percent(package.min_tkdn_pct)),
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
    _check_lines(package, items, lines)
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
        # The document's volume, never one the bidder sent (Perlem LKPP 12/2021).
        quantity = items[line.item.pk].quantity
        content_lines.append(
            {
                "item": line.item.pk,
                "product": product.pk,
                "product_name": product.name,
                "kbli": product.kbli,
                "quantity": str(quantity.quantize(CENT)),
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
        figures.append(rules.LineFigures(quantity, line.unit_price, local.tkdn_pct, local.bmp_pct))
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
        **sealing.sealed_fields(content),
    )
    _audit_bid_submitted(bid, replaced=replaced, by=by)
    # The vendor's own users get the receipt (its fingerprint, never its content) by mail.
    _notify_vendor_users(vendor, "procurement/bid_received", package=package, bid=bid)
    return bid


def _check_lines(package: Package, items: dict[int, PackageItem], lines: list[LineInput]) -> None:
    """Every line is an item of this package, once, with a price above zero; every item has
    a line unless the package lets items be left out (then included in the other prices)."""
    if not lines:
        raise ValidationError(LINES_INCOMPLETE, code="lines_incomplete")
    seen = [line.item.pk for line in lines]
    if len(set(seen)) != len(seen) or not set(seen) <= set(items):
        raise ValidationError(LINE_NOT_IN_PACKAGE, code="foreign_item")
    missing = [item for pk, item in items.items() if pk not in seen]
    if missing and not package.items_optional:
        raise ValidationError(
            LINES_MISSING.format(
                items=", ".join(f"{item.position}. {item.description}" for item in missing)
            ),
            code="lines_missing",
        )
    for line in lines:
        if line.unit_price is None or line.unit_price <= 0:
            item = items[line.item.pk]
            raise ValidationError(
                LINE_PRICE_NOT_POSITIVE.format(
                    item=f"{item.position}. {item.description}", unit=item.unit
                ),
                code="price_not_positive",
            )


def kbli_mismatches(lines: list[LineInput]) -> list[LineInput]:
    """The lines whose product's KBLI differs from the item's: a warning for the bidder and a
    flag for the evaluator, never a silent pass."""
    return [line for line in lines if not rules.kbli_matches(line.item.kbli, line.product.kbli)]


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
            run.save(update_fields=["status", "progress", "finished_at", "final"])
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
    """The stages of Perlem LKPP 12/2021 over the package's opened bids: arithmetic
    correction, the checks on the frozen snapshot and the evaluator's verdicts (administration
    and technique), then the price checks, the ladder and the ranking in the rule core. Reads
    the bids and their lines in a constant number of queries (as plain rows: 5,000 bids of 20
    lines are 100,000 of them). Sets `run.final` when every bid has its verdict and every low
    price still standing its clarification."""
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
            # The evaluator's verdict, when there is one (a left join).
            "verdict__passed",
            "verdict__checks",
            "verdict__reason",
            "verdict__clarification",
            "verdict__clarification_reason",
        )
    )
    package_items = list(package.items.all())
    items = [_item_terms(item) for item in package_items]
    item_kbli = {item.pk: item.kbli for item in package_items}
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
            "quantity",
            "unit_price",
            "product_kbli",
        )
    ):
        lines[row[0]].append(row)
    verdicts = {bid[0]: Verdict(*bid[7:]) for bid in bids if bid[7] is not None}
    requirement_names = (
        dict(package.requirements.values_list("pk", "text"))
        if any(not v.passed for v in verdicts.values())
        else {}
    )
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
    names = {item.item_id: item.name for item in items}
    figures, before_price, snapshots, corrections, flags = [], {}, {}, {}, {}
    pending = False
    for pk, _price, tkdn, tkdn_bmp, submitted_at, vendor_status, scale, *_verdict in bids:
        bid_lines = lines[pk]
        corrected = evaluation.correct_bid(
            items,
            [evaluation.LineOffer(str(row[1]), row[9], row[10]) for row in bid_lines],
        )
        low = evaluation.low_total_flag(corrected.total, package.hps)
        mismatched = [
            evaluation.Reason.of(
                evaluation.KBLI_MISMATCH,
                item=names[str(row[1])],
                product_kbli=row[11] or "—",
                item_kbli=item_kbli[row[1]],
            )
            for row in bid_lines
            if row[11] and not rules.kbli_matches(item_kbli[row[1]], row[11])
        ]
        problems = _snapshot_problems(
            package, vendor_status, scale, tkdn, bid_lines, closing_day, revoked, halal_revoked
        )
        verdict = verdicts.get(pk)
        reasons = list(problems)
        if verdict is not None and not verdict.passed:
            reasons.append(_verdict_failed(verdict, requirement_names))
        elif verdict is None and not problems:
            reasons.append(evaluation.Reason.of(evaluation.VERDICT_PENDING))
            pending = True
        passed = not problems and (verdict is None or verdict.passed)
        reasonable = verdict is None or verdict.clarification != Clarification.FAILED
        if low is not None and passed and corrected.total <= package.hps and verdict is not None:
            if not verdict.clarification:
                reasons.append(evaluation.Reason.of(evaluation.CLARIFICATION_PENDING))
                pending = True
            elif verdict.clarification == Clarification.ACCEPTED:
                reasons.append(
                    evaluation.Reason.of(
                        evaluation.CLARIFICATION_ACCEPTED, reason=verdict.clarification_reason
                    )
                )
        before_price[str(pk)] = reasons
        snapshots[str(pk)] = _certificates_used(bid_lines)
        corrections[str(pk)] = [c.as_dict() for c in corrected.corrections]
        flags[str(pk)] = [
            f.as_dict() for f in (*corrected.flags, *([low] if low else []), *mismatched)
        ]
        figures.append(
            evaluation.BidFigures(
                bid_id=str(pk),
                price=corrected.total,
                tkdn_pct=tkdn,
                bmp_pct=tkdn_bmp - tkdn,
                submitted_at=submitted_at,
                passed_evaluation=passed,
                price_reasonable=reasonable,
            )
        )
    terms = evaluation.PackageTerms(
        category=package.category,
        hps=package.hps,
        max_preference_pct=run.max_preference_pct,
        formula=run.formula,
        pdn_required=package.pdn,
    )
    run.final = bool(bids) and not pending
    return [
        EvaluationResult(
            run=run,
            bid_id=int(ranked.bid_id),
            eligible=ranked.eligible,
            tier=ranked.tier,
            kp=ranked.kp,
            hea=ranked.hea.quantize(HEA_PLACES),
            rank=ranked.rank,
            reasons=[
                *(r.as_dict() for r in before_price[ranked.bid_id]),
                # The core's "failed evaluation" says no more than the reasons above.
                *(
                    r.as_dict()
                    for r in ranked.reason_codes
                    if r.code != evaluation.FAILED_EVALUATION or not before_price[ranked.bid_id]
                ),
            ],
            snapshot=snapshots[ranked.bid_id],
            corrections=corrections[ranked.bid_id],
            flags=flags[ranked.bid_id],
        )
        for ranked in evaluation.rank_bids(figures, terms)
    ]


@dataclass(frozen=True)
class Verdict:
    """A verdict as the evaluation job reads it with the bids."""

    passed: bool
    checks: dict
    reason: str
    clarification: str
    clarification_reason: str


def _verdict_failed(verdict: Verdict, requirement_names: dict[int, str]) -> evaluation.Reason:
    failed = [
        requirement_names.get(int(pk), "—")
        for pk, check in sorted(verdict.checks.items(), key=lambda kv: int(kv[0]))
        if not check.get("passed", True)
    ]
    return evaluation.Reason.of(
        evaluation.VERDICT_FAILED, requirements="; ".join(failed) or "—", reason=verdict.reason
    )


HEA_PLACES = Decimal("0.0000000001")


def _certificates_used(lines: list[tuple]) -> list[dict]:
    """The certificates a bid's figures rest on, each once, as frozen at submission."""
    used: dict[str, dict] = {}
    for _bid, _item, product, tkdn, bmp, number, expires, halal, _food, *_rest in lines:
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
) -> list[evaluation.Reason]:
    """What the rule core does not know: the checks on the bid's frozen snapshot, which the
    portal decides for the evaluator (administrative evaluation)."""
    problems = []
    if vendor_status != "verified":
        problems.append(evaluation.Reason.of(evaluation.VENDOR_NOT_VERIFIED))
    if package.reserved_for_small_business and not vendor_rules.is_umk(scale):
        problems.append(evaluation.Reason.of(evaluation.RESERVED_NOT_SMALL, scale=scale or "—"))
    if package.min_tkdn_pct is not None and tkdn < package.min_tkdn_pct:
        problems.append(
            evaluation.Reason.of(
                evaluation.MIN_TKDN_NOT_MET, tkdn_pct=tkdn, minimum_pct=package.min_tkdn_pct
            )
        )
    for _bid, _item, product, _tkdn, _bmp, number, expires, halal, is_food, *_rest in lines:
        if number in revoked:
            problems.append(evaluation.Reason.of(evaluation.CERTIFICATE_REVOKED, number=number))
        if number and expires and expires < closing_day:
            problems.append(evaluation.Reason.of(evaluation.CERTIFICATE_EXPIRED, number=number))
        if package.halal_required and is_food and (not halal or halal in halal_revoked):
            problems.append(evaluation.Reason.of(evaluation.HALAL_MISSING, products=product))
    return problems
