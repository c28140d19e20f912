"""Evaluation runs: a run is requested (by an officer, or at closing), queued to a worker
once committed, and executed in one transaction over the package's opened bids: the checks
on each bid's frozen snapshot and the evaluator's verdicts, then the rule core
(procurement.evaluation). Runs are kept; the latest successful one is current."""

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit import services as audit
from audit.models import AuditAction, SystemJob
from p3dn_portal.celery import publish_or_defer
from procurement import evaluation, rules
from procurement.models import (
    Bid,
    BidLine,
    BidStatus,
    Clarification,
    EvaluationResult,
    EvaluationRun,
    Package,
    RunStatus,
)
from procurement.rules import Action
from procurement.services.lifecycle import _authorize, _transition
from vendors import rules as vendor_rules
from vendors.models import Blacklisting, CertificateStatus, HalalCertificate, TKDNCertificate

logger = logging.getLogger(__name__)


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
    return f"{run.package.rup_code} — evaluasi #{run.number}"


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


# Checks on the frozen snapshot that fail a bid whatever the evaluator decides.
AUTOMATIC_FAILURES = frozenset(
    {
        evaluation.VENDOR_NOT_VERIFIED,
        evaluation.RESERVED_NOT_SMALL,
        evaluation.MIN_TKDN_NOT_MET,
        evaluation.CERTIFICATE_REVOKED,
        evaluation.CERTIFICATE_EXPIRED,
        evaluation.HALAL_MISSING,
        evaluation.VENDOR_BLACKLISTED,
        evaluation.VENDOR_BLACKLISTED_OPEN,
    }
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
            "vendor_id",
        )
    )
    package_items = list(package.items.all())
    items = [item.terms() for item in package_items]
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
    verdicts = {bid[0]: Verdict(*bid[7:12]) for bid in bids if bid[7] is not None}
    blacklisted = _blacklisted(
        {bid[12] for bid in bids}, day=timezone.localdate(run.started_at or timezone.now())
    )
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
    for pk, _price, tkdn, tkdn_bmp, submitted_at, vendor_status, scale, *rest in bids:
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
        if rest[-1] in blacklisted:  # qualification: not blacklisted (on the run's day)
            problems.append(blacklisted[rest[-1]])
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
        snapshots[str(pk)] = certificates_used(bid_lines)
        corrections[str(pk)] = [c.as_dict() for c in corrected.corrections]
        flags[str(pk)] = [
            f.as_dict() for f in (*corrected.flags, *([low] if low else []), *mismatched)
        ]
        figures.append(
            evaluation.BidFigures.of_shares(
                pk,
                price=corrected.total,
                tkdn_pct=tkdn,
                tkdn_bmp_pct=tkdn_bmp,
                submitted_at=submitted_at,
                passed_evaluation=passed,
                price_reasonable=reasonable,
            )
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
        for ranked in evaluation.rank_bids(figures, run.terms())
    ]


def _blacklisted(vendor_ids: set[int], *, day) -> dict[int, evaluation.Reason]:
    """The qualification's blacklist check (Perlem LKPP 12/2021, step 4): the reason a bid of
    each vendor blacklisted on `day` falls with, its decision's period and reason in it."""
    reasons: dict[int, evaluation.Reason] = {}
    listed = (
        Blacklisting.objects.listed_on(day)
        .filter(vendor_id__in=vendor_ids)
        .order_by("vendor_id", F("ends_on").asc(nulls_last=True), "pk")
    )
    for blacklisting in listed:  # the one ending last counts (the later rows win)
        last = blacklisting.last_day
        params = {
            "starts_on": blacklisting.starts_on.isoformat(),
            "reference": blacklisting.decision_reference,
            "reason": blacklisting.reason,
        }
        if last is None:
            reasons[blacklisting.vendor_id] = evaluation.Reason.of(
                evaluation.VENDOR_BLACKLISTED_OPEN, **params
            )
        else:
            reasons[blacklisting.vendor_id] = evaluation.Reason.of(
                evaluation.VENDOR_BLACKLISTED, last_on=last.isoformat(), **params
            )
    return reasons


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


def certificates_used(lines: list[tuple]) -> list[dict]:
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
