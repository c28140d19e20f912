"""The evaluator's decisions on the opened bids: the administrative and technical verdict
(pass, or fail naming the requirements) and the price-reasonableness clarification of a low
total. Each one asks for a new evaluation run, which ranks again."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit import services as audit
from audit.models import AuditAction
from procurement import evaluation, selectors
from procurement.models import Bid, BidStatus, BidVerdict, Clarification, Package
from procurement.rules import Action
from procurement.services.evaluation_runs import AUTOMATIC_FAILURES, evaluation_request
from procurement.services.lifecycle import _authorize, state_problem

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
