"""The realisation funnel and the payment speed, read from the database: one grouped query per
stage (planned, contracted, delivered, paid), grouped by OPD, month and category, whatever the
number of packages, plus one query for the handed-over contracts' payment dates and one for
the OPDs' names and payment targets. `dashboards.funnel` and `contracts.payment_rules` do the
arithmetic; what each stage counts is said there (and on the page)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Max, Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from contracts.models import Contract, ContractFlag, ContractStatus, FlagKind, Handover, Payment
from contracts.payment_rules import ContractPayments, PaymentSpeed, payment_speed
from dashboards import funnel, rules
from dashboards.selectors import Filters, scoped_packages
from procurement.models import OPD

ZERO = Decimal("0")
_MONEY = DecimalField(max_digits=20, decimal_places=2)


def _sum(field: str, condition: Q | None = None) -> Sum:
    return Sum(field, filter=condition, default=ZERO, output_field=_MONEY)


def _stage_rows(filters: Filters) -> dict[str, list[dict]]:
    """Four grouped queries, one per stage, each row keyed by OPD, month and category."""
    packages = scoped_packages(filters)
    package_ids = packages.values("pk")
    planned = (
        packages.annotate(month=ExtractMonth("closes_at"))
        .values("opd_id", "month", "category")
        .annotate(
            f_value=_sum("pagu"),
            f_domestic=_sum("pagu", Q(pdn=True)),
            f_small=_sum("pagu", Q(reserved_for_small_business=True)),
        )
        .order_by()
    )
    contracted = (
        Contract.objects.filter(package__in=package_ids)
        .values("opd_id", month=ExtractMonth("package__closes_at"), category=F("package__category"))
        .annotate(
            f_value=_sum("value"),
            f_domestic=_sum("value", Q(offered_tkdn_pct__gt=0)),
            f_tkdn25=_sum("value", Q(offered_tkdn_pct__gte=rules.TKDN_THRESHOLD_PCT)),
            f_small=_sum("value", Q(vendor_small_business=True)),
        )
        .order_by()
    )
    delivered = (
        Handover.objects.filter(contract__package__in=package_ids)
        .values(
            opd_id=F("contract__opd_id"),
            month=ExtractMonth("contract__package__closes_at"),
            category=F("contract__package__category"),
        )
        .annotate(
            f_value=_sum("accepted_value"),
            f_domestic=_sum("accepted_value", Q(achieved_tkdn_pct__gt=0)),
            f_tkdn25=_sum("accepted_value", Q(achieved_tkdn_pct__gte=rules.TKDN_THRESHOLD_PCT)),
            f_small=_sum("accepted_value", Q(contract__vendor_small_business=True)),
        )
        .order_by()
    )
    achieved = "invoice__contract__handover__achieved_tkdn_pct"
    paid = (
        Payment.objects.filter(invoice__contract__package__in=package_ids)
        .values(
            opd_id=F("invoice__contract__opd_id"),
            month=ExtractMonth("invoice__contract__package__closes_at"),
            category=F("invoice__contract__package__category"),
        )
        .annotate(
            f_value=_sum("amount"),
            f_domestic=_sum("amount", Q(**{f"{achieved}__gt": 0})),
            f_tkdn25=_sum("amount", Q(**{f"{achieved}__gte": rules.TKDN_THRESHOLD_PCT})),
            f_small=_sum("amount", Q(invoice__contract__vendor_small_business=True)),
        )
        .order_by()
    )
    return {
        funnel.PLANNED: _named(planned),
        funnel.CONTRACTED: _named(contracted),
        funnel.DELIVERED: _named(delivered),
        funnel.PAID: _named(paid),
    }


def _named(rows) -> list[dict]:
    """The measures under their plain names (aliased "f_" in SQL: a contract has a `value`)."""
    return [
        {
            "opd_id": row["opd_id"],
            "month": row["month"],
            "category": row["category"],
            **{name: row.get(f"f_{name}") for name in funnel.MEASURES},
        }
        for row in rows
    ]


@dataclass(frozen=True)
class OPDSpeed:
    opd_id: int
    name: str
    short_name: str
    speed: PaymentSpeed


@dataclass(frozen=True)
class NamedFunnelRow:
    opd_name: str
    opd_short_name: str
    row: funnel.FunnelRow

    @property
    def month_label(self) -> str:
        from django.utils.dates import MONTHS

        return str(MONTHS[self.row.key.month])

    @property
    def category_label(self) -> str:
        from procurement.rules import Category

        return str(Category(self.row.key.category).label)


@dataclass(frozen=True)
class OPDFlags:
    """The contracts of an OPD flagged at delivery (contracts.ContractFlag): achieved TKDN
    below the offered one (how many, and the domestic content offered but not delivered, in
    rupiah), and a certificate that lapsed between the bid and the delivery."""

    opd_id: int
    name: str
    shortfall_contracts: int = 0
    shortfall_value: Decimal = ZERO
    lapsed_contracts: int = 0


@dataclass(frozen=True)
class Funnel:
    total: funnel.FunnelRow
    rows: list[NamedFunnelRow]
    speeds: list[OPDSpeed]
    flags: list[OPDFlags]
    domestic_target: Decimal = rules.DOMESTIC_TARGET_PCT
    small_target: Decimal = rules.SMALL_BUSINESS_TARGET_PCT


def _speeds(filters: Filters, opds: dict[int, dict]) -> list[OPDSpeed]:
    """Per OPD with a BAST in scope: one query for every handed-over contract's BAST date and
    the date of its last payment when paid in full (the last payment is the one that settles,
    since payments never pass the contract value)."""
    handovers = (
        Handover.objects.filter(contract__package__in=scoped_packages(filters).values("pk"))
        .values("pk", "signed_on", "contract__opd_id", "contract__vendor_small_business")
        .annotate(
            settled=Max(
                "contract__invoices__payments__paid_on",
                filter=Q(contract__status=ContractStatus.PAID),
            )
        )
        .order_by()
    )
    per_opd: dict[int, list[ContractPayments]] = {}
    for row in handovers:
        per_opd.setdefault(row["contract__opd_id"], []).append(
            ContractPayments(
                small_business=row["contract__vendor_small_business"],
                bast_on=row["signed_on"],
                settled_on=row["settled"],
            )
        )
    today = timezone.localdate()
    speeds = [
        OPDSpeed(
            opd_id,
            opds[opd_id]["name"],
            opds[opd_id]["short_name"],
            payment_speed(contracts, target_days=opds[opd_id]["payment_target_days"], today=today),
        )
        for opd_id, contracts in per_opd.items()
    ]
    speeds.sort(key=lambda s: s.name)
    return speeds


def _flags(filters: Filters, opds: dict[int, dict]) -> list[OPDFlags]:
    """Per OPD with a flagged contract in scope, per kind: one grouped query."""
    rows = (
        ContractFlag.objects.filter(contract__package__in=scoped_packages(filters).values("pk"))
        .values("kind", opd_id=F("contract__opd_id"))
        .annotate(contracts=Count("contract", distinct=True), value=_sum("shortfall_value"))
        .order_by()
    )
    found: dict[int, dict] = {}
    for row in rows:
        entry = found.setdefault(row["opd_id"], {})
        if row["kind"] == FlagKind.TKDN_SHORTFALL:
            entry.update(shortfall_contracts=row["contracts"], shortfall_value=row["value"])
        else:
            entry.update(lapsed_contracts=row["contracts"])
    flags = [OPDFlags(opd_id, opds[opd_id]["name"], **counts) for opd_id, counts in found.items()]
    flags.sort(key=lambda f: (-f.shortfall_value, f.name))
    return flags


def funnel_figures(filters: Filters) -> Funnel:
    """The funnel per OPD, month and category, the payment speed per OPD and the contracts
    flagged at delivery per OPD: seven queries."""
    opds = {
        row["pk"]: row
        for row in OPD.objects.values("pk", "name", "short_name", "payment_target_days")
    }
    total, rows = funnel.funnel_rows(_stage_rows(filters))
    named = [
        NamedFunnelRow(opds[r.key.opd_id]["name"], opds[r.key.opd_id]["short_name"], r)
        for r in rows
    ]
    named.sort(key=lambda r: (r.opd_name, r.row.key.month, r.row.key.category))
    return Funnel(
        total=total, rows=named, speeds=_speeds(filters, opds), flags=_flags(filters, opds)
    )


def current_funnel(filters: Filters) -> Funnel:
    """The funnel, computed once per state of the data it reads (and per day: payment
    targets pass by date) and served from the cache until that data changes."""
    from freshness import topics
    from freshness.cache import cached

    return cached(
        "dashboard-funnel",
        lambda: funnel_figures(filters),
        topics=(topics.PROCUREMENT, topics.CONTRACTS),
        parts=(filters, timezone.localdate()),
    )
