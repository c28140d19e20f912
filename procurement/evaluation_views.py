"""The Pokja's evaluation steps in the browser: the administrative and technical verdicts
and the price clarifications, the printable minutes of the evaluation (berita acara hasil
evaluasi), the confirmation before a winner is announced, and the one-step failure when
every bid is above the HPS. Thin: lookup, form, one service, message, redirect."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import role_required
from accounts.models import Role
from p3dn_portal.lib.confirm import Confirmation, confirmation_page, confirmed
from p3dn_portal.lib.formatting import jakarta, rupiah
from p3dn_portal.lib.forms import error_text
from p3dn_portal.lib.paging import page_context
from procurement import evaluation, forms, reasons, rules, selectors, services
from procurement.models import (
    Bid,
    BidLine,
    BidStatus,
    BidVerdict,
    EvaluationResult,
    EvaluationRun,
    Package,
    RunStatus,
)
from procurement.rules import Action
from procurement.views import ASK_ENDED, ASK_ENDED_TOLD, _get_opd_package

VERDICT_SAVED = _("Keputusan untuk {vendor} disimpan; peringkat dihitung ulang.")
CLARIFICATION_SAVED = _("Hasil klarifikasi harga {vendor} disimpan; peringkat dihitung ulang.")
CONFIRMED_ALL = _(
    "{count} penawaran tanpa tanda dinyatakan lulus semua persyaratan; peringkat dihitung ulang."
)
NOTHING_TO_CONFIRM = _(
    "Tidak ada penawaran tanpa tanda yang belum diputuskan. Putuskan penawaran bertanda satu "
    "per satu."
)
ASK_FAIL_ABOVE_HPS = _("Nyatakan tender gagal karena semua penawaran di atas HPS?")
ASK_FAIL_ABOVE_HPS_AGAIN = _("Paket dapat ditender ulang sebagai paket baru.")
ASK_FAIL_ABOVE_HPS_BUTTON = _("Ya, nyatakan tender gagal")
FAILED_ABOVE_HPS = _(
    "Paket dinyatakan gagal: semua penawaran di atas HPS. Paket dapat ditender ulang."
)
WINNER_ANNOUNCED = _(
    "Pemenang diumumkan: {vendor}. Masa sanggah berakhir {ends}; peserta diberi tahu."
)
WINNER_CONFIRM_REQUIRED = _("Centang konfirmasi untuk mengumumkan pemenang.")
VERDICTS_PAGE_SIZE = 25


def _get_opened_bid(package: Package, bid_id: int) -> Bid:
    """An opened active bid of this package; 404 otherwise (sealed, withdrawn, elsewhere)."""
    return get_object_or_404(
        Bid.objects.select_related("vendor"),
        pk=bid_id,
        package=package,
        status=BidStatus.ACTIVE,
        opened_at__isnull=False,
    )


@dataclass(frozen=True)
class VerdictRow:
    """One bid on the verdict page and in the minutes: what the portal found, what the
    evaluator decided, and where the bid stands."""

    bid: Bid
    result: EvaluationResult | None
    verdict: BidVerdict | None
    automatic: list[dict]  # checks on the frozen snapshot that failed (they decide alone)
    flags: list[dict]
    corrections: list[dict]
    low_price: bool
    lines: list = field(default_factory=list)  # the bid's lines, each with its item
    form: forms.VerdictForm | None = None
    clarification_form: forms.ClarificationForm | None = None

    def _notes(self, stage: str) -> list:
        stored = [*(self.result.reasons if self.result else []), *self.flags]
        return reasons.at_stage(stored, stage)

    @property
    def administrative_technical(self) -> list:
        """What the portal and the evaluator found at this stage, but the failed snapshot
        checks (shown on their own): the verdict, a pending one, a KBLI flag."""
        return [
            r
            for r in self._notes(reasons.ADMINISTRATIVE_TECHNICAL)
            if r.get("code") not in services.AUTOMATIC_FAILURES
        ]

    @property
    def price(self) -> list:
        return self._notes(reasons.PRICE)

    @property
    def ranking(self) -> list:
        return reasons.at_stage(self.result.reasons if self.result else [], reasons.RANKING)

    @property
    def needs_verdict(self) -> bool:
        return self.verdict is None and not self.automatic

    @property
    def needs_clarification(self) -> bool:
        return (
            self.low_price
            and self.verdict is not None
            and self.verdict.passed
            and not self.verdict.clarification
        )


def _rows(
    package: Package, run: EvaluationRun | None, bids, requirements: list, *, editable: bool
) -> list:
    """The rows for these bids (one page of them), from the run's stored results."""
    results = {}
    if run is not None:
        results = {
            r.bid_id: r
            for r in EvaluationResult.objects.filter(run=run, bid__in=[b.pk for b in bids])
        }
    lines = defaultdict(list)
    for line in (
        BidLine.objects.filter(bid__in=[b.pk for b in bids])
        .select_related("item")
        .order_by("bid_id", "item__position")
    ):
        lines[line.bid_id].append(line)
    rows = []
    for bid in bids:
        result = results.get(bid.pk)
        verdict = getattr(bid, "verdict", None)
        stored = [r for r in (result.reasons if result else []) if isinstance(r, dict)]
        automatic = [r for r in stored if r.get("code") in services.AUTOMATIC_FAILURES]
        low = evaluation.is_unreasonably_low(bid.price, package.hps)
        initial = {}
        if verdict is not None:
            initial = {
                "outcome": "lulus" if verdict.passed else "gugur",
                "failed": [int(pk) for pk, c in verdict.checks.items() if not c.get("passed")],
                "reason": verdict.reason,
            }
        rows.append(
            VerdictRow(
                bid=bid,
                result=result,
                verdict=verdict,
                automatic=automatic,
                flags=list(result.flags) if result else [],
                corrections=list(result.corrections) if result else [],
                low_price=low,
                lines=lines[bid.pk],
                form=forms.VerdictForm(
                    requirements=requirements, initial=initial, auto_id=f"v{bid.pk}_%s"
                )
                if editable and not automatic
                else None,
                clarification_form=forms.ClarificationForm(auto_id=f"c{bid.pk}_%s")
                if editable and low and verdict is not None and verdict.passed
                else None,
            )
        )
    return rows


def _opened_bids(package: Package):
    return (
        Bid.objects.filter(package=package, status=BidStatus.ACTIVE, opened_at__isnull=False)
        .select_related("vendor", "verdict__decided_by", "verdict__clarified_by")
        .defer("sealed_content")
        .order_by("submitted_at", "pk")
    )


@role_required(Role.OFFICER)
@require_safe
def officer_verdicts(request: HttpRequest, package_id: int) -> HttpResponse:
    """The administrative and technical evaluation: every opened bid with the portal's checks
    on its snapshot, its flags and corrections, and the evaluator's verdict to give."""
    package = _get_opd_package(request, package_id)
    if package.is_sealed:  # nothing opened yet: not even the bidders' names
        raise Http404
    officer = request.user.opd_officer
    editable = (
        rules.may(officer.position, Action.VERDICT)
        and services.state_problem(package, Action.VERDICT) is None
    )
    run = selectors.current_run(package)
    pending = package.evaluation_runs.filter(
        status__in=(RunStatus.QUEUED, RunStatus.RUNNING)
    ).first()
    page = Paginator(_opened_bids(package), VERDICTS_PAGE_SIZE).get_page(request.GET.get("page"))
    requirements = list(package.requirements.all())
    rows = _rows(package, run, list(page), requirements, editable=editable)
    return render(
        request,
        "procurement/evaluation/verdicts.html",
        {
            "package": package,
            "run": run,
            "pending": pending,
            "rows": rows,
            "editable": editable,
            "requirements": requirements,
            **page_context(page),
        },
    )


def _verdict_action(request: HttpRequest, package_id: int, action: str, act) -> HttpResponse:
    """One evaluator's step: 404 for another OPD's package, 403 for a position that may not
    take it (before reading the form), else the service's refusal as a message."""
    package = _get_opd_package(request, package_id)
    services.authorize_position(officer=request.user.opd_officer, action=action)
    try:
        message = act(package)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, message)
    page = request.POST.get("page", "")
    target = redirect("procurement:officer-verdicts", package_id)
    if page.isdigit():
        target["Location"] += f"?page={page}"
    return target


@role_required(Role.OFFICER)
@require_POST
def officer_verdict(request: HttpRequest, package_id: int, bid_id: int) -> HttpResponse:
    def act(package: Package) -> str:
        bid = _get_opened_bid(package, bid_id)
        form = forms.VerdictForm(request.POST, requirements=package.requirements.all())
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.bid_verdict_record(
            package=package,
            bid=bid,
            by=request.user,
            passed=form.passed,
            failed_requirements=form.cleaned_data["failed"],
            reason=form.cleaned_data["reason"],
        )
        return VERDICT_SAVED.format(vendor=bid.vendor.name)

    return _verdict_action(request, package_id, Action.VERDICT, act)


@role_required(Role.OFFICER)
@require_POST
def officer_clarification(request: HttpRequest, package_id: int, bid_id: int) -> HttpResponse:
    def act(package: Package) -> str:
        bid = _get_opened_bid(package, bid_id)
        form = forms.ClarificationForm(request.POST)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.bid_clarification_record(
            package=package,
            bid=bid,
            by=request.user,
            accepted=form.accepted,
            reason=form.cleaned_data["reason"],
        )
        return CLARIFICATION_SAVED.format(vendor=bid.vendor.name)

    return _verdict_action(request, package_id, Action.CLARIFY, act)


@role_required(Role.OFFICER)
@require_POST
def officer_verdicts_confirm_all(request: HttpRequest, package_id: int) -> HttpResponse:
    def act(package: Package) -> str:
        count = services.bid_verdicts_confirm_all(package=package, by=request.user)
        if not count:
            raise ValidationError(NOTHING_TO_CONFIRM)
        return CONFIRMED_ALL.format(count=count)

    return _verdict_action(request, package_id, Action.VERDICT, act)


@role_required(Role.OFFICER)
@require_safe
def officer_evaluation_report(request: HttpRequest, package_id: int) -> HttpResponse:
    """Berita acara hasil evaluasi: the printable minutes of a run (the current one unless
    `?run=` names another of this package) with each bid's stages, verdicts and reasons."""
    package = _get_opd_package(request, package_id)
    run_id = request.GET.get("run", "")
    runs = package.evaluation_runs.filter(status=RunStatus.SUCCEEDED).select_related("requested_by")
    if run_id:
        run = runs.filter(pk=run_id).first() if run_id.isdigit() else None
        if run is None:
            raise Http404
    else:
        run = runs.order_by("-created_at", "-pk").first()
    if run is None:
        raise Http404
    results = list(
        selectors.run_results(run).select_related(
            "bid__verdict__decided_by__officer", "bid__verdict__clarified_by__officer"
        )
    )
    bids = [r.bid for r in results]
    requirements = list(package.requirements.all())
    rows = _rows(package, run, bids, requirements, editable=False)
    return render(
        request,
        "procurement/evaluation/report.html",
        {
            "package": package,
            "run": run,
            "rows": sorted(rows, key=lambda row: _report_order(row.result)),
            "requirements": requirements,
            # Who decided the verdicts and clarifications, for the signatures.
            "deciders": list(
                {
                    person.pk: person
                    for row in rows
                    if row.verdict is not None
                    for person in (row.verdict.decided_by, row.verdict.clarified_by)
                    if person is not None
                }.values()
            ),
        },
    )


def _report_order(result: EvaluationResult | None) -> tuple:
    if result is None:
        return (True, 0, 0)
    return (result.rank is None, result.rank or 0, result.pk)


@role_required(Role.OFFICER)
def officer_announce_winner(request: HttpRequest, package_id: int) -> HttpResponse:
    """Asks first: the bid ranked first by the current final ranking, its HP and HEA and why
    it is first; then the PPK announces it (audited, bidders told)."""
    package = _get_opd_package(request, package_id)
    officer = request.user.opd_officer
    problem = services.winner_announcement_problem(package=package, officer=officer)
    first = None if problem else services.winner_candidate(package)
    run = first.run if first else None
    second = selectors.run_results(run).filter(rank=2).first() if first else None
    form = forms.WinnerConfirmForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, WINNER_CONFIRM_REQUIRED)
        else:
            try:
                package = services.package_winner_announce(
                    package=package,
                    by=request.user,
                    bid=first.bid if first else None,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                messages.error(request, error_text(error))
            else:
                messages.success(
                    request,
                    WINNER_ANNOUNCED.format(
                        vendor=package.winner.vendor.name, ends=jakarta(package.objection_ends_at)
                    ),
                )
                return redirect("procurement:package-detail", package.pk)
    return render(
        request,
        "procurement/evaluation/announce.html",
        {
            "package": package,
            "run": run,
            "first": first,
            "second": second,
            "form": form,
            "problem": problem,
            "hp": rupiah(first.bid.price) if first else "",
            "guarantee": services.guarantee_for(package, first.bid) if first else None,
        },
    )


@role_required(Role.OFFICER)
@require_POST
def officer_package_fail_above_hps(request: HttpRequest, package_id: int) -> HttpResponse:
    package = _get_opd_package(request, package_id)
    officer = request.user.opd_officer
    run = selectors.current_run(package)
    if (
        not confirmed(request)
        and rules.may(officer.position, Action.FAIL)
        and not services.state_problem(package, Action.FAIL)
        and run is not None
        and services.run_all_above_hps(run)
    ):
        return confirmation_page(
            request,
            Confirmation(
                title=ASK_FAIL_ABOVE_HPS,
                consequences=[ASK_ENDED, ASK_ENDED_TOLD, ASK_FAIL_ABOVE_HPS_AGAIN],
                button=ASK_FAIL_ABOVE_HPS_BUTTON,
                back_url=reverse("procurement:package-detail", args=[package.pk]),
                subject=f"{package.rup_code} — {package.title}",
            ),
        )
    try:
        services.package_fail_above_hps(package=package, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, FAILED_ABOVE_HPS)
    return redirect("procurement:package-detail", package.pk)
