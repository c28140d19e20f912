"""From the ranking to the contract: the winner announced from the current evaluation (the
objection period starts), the final award at the bid price once every objection is answered,
the contract recorded; or the tender failed when every bid is above the HPS."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from procurement import evaluation, rules, selectors
from procurement.models import (
    Bid,
    BidVerdict,
    Clarification,
    EvaluationResult,
    EvaluationRun,
    Package,
    RunStatus,
)
from procurement.rules import Action
from procurement.services import lifecycle
from procurement.services.evaluation_runs import AUTOMATIC_FAILURES
from procurement.services.lifecycle import (
    POSITION_NOT_ALLOWED,
    _audit_transition,
    _authorize,
    _transition,
    _when,
    state_problem,
)
from procurement.services.notifications import _notify_bidders
from procurement.services.packages import package_fail
from procurement.signals import package_contracted

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
OBJECTION_PERIOD_RUNNING = _(
    "Masa sanggah masih berjalan sampai {ends}. Penetapan final setelah masa sanggah berakhir."
)
OBJECTIONS_UNANSWERED = _("Jawab dulu semua sanggah ({count} belum dijawab).")
CONTRACT_NUMBER_REQUIRED = _("Isi nomor dan tanggal kontrak.")


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
    package.objection_ends_at = lifecycle.database_now() + timedelta(days=rules.OBJECTION_DAYS)
    package.save(update_fields=["status", "winner", "objection_ends_at"])
    _audit_transition(package, action=Action.ANNOUNCE_WINNER, by=by, note=reason)
    _notify_bidders(package, "procurement/winner_announced")
    return package


@transaction.atomic
def package_award(*, package: Package, by: User) -> Package:
    """Final award after the objection period; the contract value is the bid price (HP),
    never the evaluated price."""
    _authorize(package=package, by=by, action=Action.AWARD)
    package = _transition(package=package, action=Action.AWARD, by=by)
    if lifecycle.database_now() <= package.objection_ends_at:
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
    # The apps above (contracts) write what follows the contract in this transaction.
    package_contracted.send(sender=Package, package=package, by=by)
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
