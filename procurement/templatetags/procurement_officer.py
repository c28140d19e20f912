"""The officer panel of the package page: `{% load procurement_officer %}`."""

from datetime import datetime

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from freshness import topics
from freshness.cache import cached
from p3dn_portal.lib.fragments import render_to_keep
from procurement import forms, rules, selectors, services
from procurement.models import Officer, Package
from procurement.rules import Action, Status

register = template.Library()


def available_actions(package: Package, officer: Officer) -> set[str]:
    """The actions the officer's position may take on the package in its current state."""
    actions = {
        action
        for action in Action
        if rules.may(officer.position, action)
        and rules.next_status(package.status, action) is not None
    }
    if package.status == Status.EVALUATION:
        actions.discard(Action.EVALUATE)  # already under way
    return actions


PANEL = "procurement/officer/panel.html"


@register.simple_tag(takes_context=True)
def officer_panel(context: template.Context, package: Package | None, officer: Officer | None):
    """What the OPD's officer sees of a package and may do with it: the state, the audit
    trail, the bid count (only the count while bids are sealed) and one form per action.

    Rendered once per state of what it shows (the package, its bids, runs, objections and
    events, the names in them) and per position, until its next deadline; its forms get the
    visitor's token on the way out (lib.fragments). A form refused a moment ago, whose input
    comes back, is rendered for this request alone."""
    if not package or not officer:
        return ""
    draft = _draft(context, package)
    if draft:
        return render_to_string(PANEL, _panel(context, package, officer, draft))
    html = cached(
        "officer-panel",
        lambda: render_to_keep(PANEL, _panel(context, package, officer, {})),
        topics=(topics.PROCUREMENT, topics.CATALOGUE, topics.PEOPLE),
        parts=(package.pk, officer.position, context.get("bid_count")),
        until=lambda _: _next_deadline(package),
    )
    return mark_safe(html)  # rendered from our own template, escaped there


def _next_deadline(package: Package) -> datetime | None:
    """The panel shows whether the bidding and the objection period are over."""
    now = timezone.now()
    ahead = [at for at in (package.closes_at, package.objection_ends_at) if at and at > now]
    return min(ahead, default=None)


def _panel(context: template.Context, package: Package, officer: Officer, draft: dict) -> dict:
    actions = available_actions(package, officer)
    now = timezone.now()
    run = None
    if package.status in (Status.EVALUATION, Status.CLOSED):
        run = selectors.current_run(package)
    objections = []
    if package.status not in (Status.DRAFT, Status.ANNOUNCED, Status.CLOSED):
        objections = [
            (objection, forms.AnswerForm(auto_id=f"answer_{objection.pk}_%s", initial=draft))
            for objection in package.objections.select_related(
                "bid__vendor", "filed_by", "answered_by"
            ).order_by("filed_at", "pk")
        ]
    return {
        "package": package,
        "officer": officer,
        "csrf_token": context.get("csrf_token"),
        "bid_count": context.get("bid_count"),
        "can": {action.value: action in actions for action in Action},
        "any_action": bool(actions),
        "deadline_passed": now >= package.closes_at,
        "objection_over": package.objection_ends_at is not None and now > package.objection_ends_at,
        # In their order within the package: the models' own order joins the package again.
        "events": package.events.select_related("by").order_by("at", "pk"),
        "objections": objections,
        # The evaluation under way: provisional until every verdict is in; announcing the
        # winner asks first on its own page.
        "run": run,
        # The link to the ranking: a run found above is one, without asking again.
        "has_runs": not package.is_sealed and (run is not None or package.evaluation_runs.exists()),
        "all_above_hps": run is not None and services.run_all_above_hps(run),
        "contract_form": forms.ContractForm(auto_id="contract_%s", initial=draft),
        "cancel_form": forms.ReasonForm(auto_id="cancel_%s", initial=draft),
        "fail_form": forms.ReasonForm(auto_id="fail_%s", initial=draft),
    }


def _draft(context: template.Context, package: Package) -> dict:
    """What the officer typed into an action form that was refused (kept once)."""
    request = context.get("request")
    session = getattr(request, "session", None)
    if session is None:
        return {}
    draft = session.get("procurement.officer-draft")
    if not draft or draft.get("package") != package.pk:
        return {}
    del session["procurement.officer-draft"]
    return draft.get("fields", {})
