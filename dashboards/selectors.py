"""Programme figures, aggregated in the database (a handful of queries whatever the number
of packages): the dashboard page, its CSV and its XLSX all read these. The procurement
figures are summed from the summary table (dashboards.models.PackageSummary, kept equal to
the packages by dashboards.summary), which holds these same measures per fiscal year, OPD,
category, method and month.

Definitions:
- Scope: packages of one fiscal year, optionally one OPD, category, method and quarter.
  The quarter (and the month of the trend) is that of the package's bid deadline
  (`closes_at`, Asia/Jakarta): every package has one, so planned and awarded figures are
  counted over the same packages and the months add up to the year.
- Planned value: the pagu of every package except cancelled ones; "PDN" those flagged PDN.
- Awarded value: packages whose winner is final (awarded or contracted), at the contract
  value, or at the winning bid's price while no contract value is recorded.
- Domestic: the winning bid's TKDN > 0; "TKDN >= 25" is the must-buy-domestic tier.
- Small business: the winning vendor's scale is mikro or kecil (UMK).
- Average TKDN: the awarded values' weighted average of the winning bids' TKDN.
- Shares are percent of the awarded value, Decimal rounded half up to 2 places; None when
  nothing was awarded.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from dashboards import rules, summary
from dashboards.models import PackageSummary
from matching.models import Meeting
from matching.selectors import MEETING_MEASURES, MeetingFigures, meeting_measures
from p3dn_portal.lib.money import round_percent
from procurement.models import OPD, Package
from vendors.models import (
    AssistanceStatus,
    CertificateStatus,
    HalalAssistance,
    HalalCertificate,
    TKDNCertificate,
    Vendor,
    VendorStatus,
)
from vendors.rules import BusinessScale

ZERO = Decimal("0")
_MONEY = DecimalField(max_digits=20, decimal_places=2)
_WEIGHTED = DecimalField(max_digits=26, decimal_places=4)


def share(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """`part` as a percentage of `whole`, 2 places half up; None when `whole` is zero."""
    if not whole:
        return None
    return round_percent(Decimal(part) * 100 / Decimal(whole))


@dataclass(frozen=True)
class Filters:
    year: int
    opd_id: int | None = None
    category: str = ""
    method: str = ""
    quarter: int | None = None


# --- Procurement realisation -----------------------------------------------------------------

_AWARDED = Q(status__in=rules.AWARDED_STATES, winner__isnull=False)
_VALUE = Coalesce("contract_value", "winner__price", Value(ZERO), output_field=_MONEY)


def package_measures(*, empty: Decimal | None = ZERO) -> dict:
    """Sums over packages; the joins (winning bid, its vendor) are to-one: no double count.
    A sum over no package is `empty` (None: NULL, as the summary keeps it)."""
    tkdn = Coalesce("winner__tkdn_pct", Value(ZERO), output_field=_MONEY)
    measures = {
        "packages": Count("pk"),
        "pagu": Sum("pagu", default=empty, output_field=_MONEY),
        "pdn_packages": Count("pk", filter=Q(pdn=True)),
        "pdn_pagu": Sum("pagu", filter=Q(pdn=True), default=empty, output_field=_MONEY),
        "awarded_packages": Count("pk", filter=_AWARDED),
        "awarded": Sum(_VALUE, filter=_AWARDED, default=empty, output_field=_MONEY),
        "domestic": Sum(
            _VALUE, filter=_AWARDED & Q(winner__tkdn_pct__gt=0), default=empty, output_field=_MONEY
        ),
        "tkdn25": Sum(
            _VALUE,
            filter=_AWARDED & Q(winner__tkdn_pct__gte=rules.TKDN_THRESHOLD_PCT),
            default=empty,
            output_field=_MONEY,
        ),
        "small": Sum(
            _VALUE,
            filter=_AWARDED & Q(winner__vendor__scale__in=rules.SMALL_SCALES),
            default=empty,
            output_field=_MONEY,
        ),
        "tkdn_weighted": Sum(
            ExpressionWrapper(_VALUE * tkdn, output_field=_WEIGHTED),
            filter=_AWARDED,
            default=empty,
            output_field=_WEIGHTED,
        ),
    }
    # Aliases must not shadow the model's fields (pagu).
    return {f"m_{name}": measure for name, measure in measures.items()}


PACKAGE_MEASURES = tuple(name.removeprefix("m_") for name in package_measures())


@dataclass(frozen=True)
class Realisation:
    packages: int = 0
    pagu: Decimal = ZERO
    pdn_packages: int = 0
    pdn_pagu: Decimal = ZERO
    awarded_packages: int = 0
    awarded: Decimal = ZERO
    domestic: Decimal = ZERO
    tkdn25: Decimal = ZERO
    small: Decimal = ZERO
    tkdn_weighted: Decimal = ZERO

    @property
    def pdn_pagu_share(self) -> Decimal | None:
        return share(self.pdn_pagu, self.pagu)

    @property
    def domestic_share(self) -> Decimal | None:
        return share(self.domestic, self.awarded)

    @property
    def tkdn25_share(self) -> Decimal | None:
        return share(self.tkdn25, self.awarded)

    @property
    def small_share(self) -> Decimal | None:
        return share(self.small, self.awarded)

    @property
    def average_tkdn(self) -> Decimal | None:
        if not self.awarded:
            return None
        return round_percent(self.tkdn_weighted / self.awarded)

    @property
    def domestic_met(self) -> bool | None:
        value = self.domestic_share
        return None if value is None else value >= rules.DOMESTIC_TARGET_PCT

    @property
    def small_met(self) -> bool | None:
        value = self.small_share
        return None if value is None else value >= rules.SMALL_BUSINESS_TARGET_PCT

    @property
    def domestic_bar(self) -> int:
        return _bar(self.domestic_share)

    @property
    def small_bar(self) -> int:
        return _bar(self.small_share)


def _bar(value: Decimal | None) -> int:
    """Width of a 0-100% bar."""
    return 0 if value is None else max(0, min(100, round(value)))


def _realisation(row: dict) -> Realisation:
    return Realisation(**{name: row[f"m_{name}"] for name in PACKAGE_MEASURES})


@dataclass(frozen=True)
class MonthRow:
    month: int
    figures: Realisation
    bar: int = 0  # awarded value, percent of the largest month

    @property
    def label(self) -> str:
        return str(MONTHS[self.month])


@dataclass(frozen=True)
class OPDRow:
    opd_id: int
    name: str
    short_name: str
    figures: Realisation


@dataclass(frozen=True)
class Procurement:
    total: Realisation
    months: list[MonthRow]
    opds: list[OPDRow]
    domestic_target: Decimal = rules.DOMESTIC_TARGET_PCT
    small_target: Decimal = rules.SMALL_BUSINESS_TARGET_PCT


def summarised_packages() -> QuerySet[Package]:
    """Every package the figures may count (the summary holds their measures)."""
    return Package.objects.exclude(status__in=rules.EXCLUDED_FROM_PLAN)


def scoped_packages(filters: Filters) -> QuerySet[Package]:
    """The packages the figures count: the underlying list of the dashboard."""
    packages = summarised_packages().filter(fiscal_year=filters.year)
    if filters.opd_id is not None:
        packages = packages.filter(opd_id=filters.opd_id)
    if filters.category:
        packages = packages.filter(category=filters.category)
    if filters.method:
        packages = packages.filter(method=filters.method)
    if filters.quarter:
        packages = packages.filter(closes_at__quarter=filters.quarter)
    return packages


def _summary_measures() -> dict:
    """The package measures summed over summary rows (a count sums to an integer)."""
    measures = {}
    for name in PACKAGE_MEASURES:
        default = 0 if isinstance(PackageSummary._meta.get_field(name), IntegerField) else ZERO
        measures[f"m_{name}"] = Sum(name, default=default)
    return measures


def scoped_summary(filters: Filters) -> QuerySet[PackageSummary]:
    """The summary rows of the packages `scoped_packages` lists, brought up to date first."""
    summary.refresh()
    rows = PackageSummary.objects.filter(fiscal_year=filters.year)
    if filters.opd_id is not None:
        rows = rows.filter(opd_id=filters.opd_id)
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.method:
        rows = rows.filter(method=filters.method)
    if filters.quarter:
        first = filters.quarter * 3 - 2
        rows = rows.filter(month__in=range(first, first + 3))
    return rows


def procurement_figures(filters: Filters) -> Procurement:
    """Totals, the trend by month and OPDs ranked by domestic share, summed from the
    summary (a few hundred rows a year, not every package): four queries."""
    rows = scoped_summary(filters)
    total = _realisation(rows.aggregate(**_summary_measures()))
    month_rows = [
        (row["month"], _realisation(row))
        for row in rows.values("month").annotate(**_summary_measures()).order_by("month")
    ]
    top = max((figures.awarded for _month, figures in month_rows), default=ZERO)
    months = [
        MonthRow(month, figures, bar=round(figures.awarded * 100 / top) if top else 0)
        for month, figures in month_rows
    ]
    opds = [
        OPDRow(row["opd_id"], row["opd__name"], row["opd__short_name"], _realisation(row))
        for row in rows.values("opd_id", "opd__name", "opd__short_name")
        .annotate(**_summary_measures())
        .order_by()
    ]
    # Ranked by domestic share; OPDs with nothing awarded yet come last.
    opds.sort(
        key=lambda r: (
            r.figures.domestic_share is None,
            -(r.figures.domestic_share or ZERO),
            -r.figures.awarded,
            r.name,
        )
    )
    return Procurement(total=total, months=months, opds=opds)


# --- Vendors, certificates, halal assistance -------------------------------------------------


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    total: int
    verified: int = 0
    bar: int = 0


@dataclass(frozen=True)
class CertificateRow:
    key: str
    label: str
    verified: int
    expiring: dict[int, int]


@dataclass(frozen=True)
class Vendors:
    registered: int
    verified: int
    scales: list[CountRow]
    cities: list[CountRow]
    certificates: list[CertificateRow]
    assistance: list[CountRow]
    assistance_total: int
    windows: tuple[int, ...] = rules.EXPIRY_WINDOWS


def _with_bars(rows: list[CountRow]) -> list[CountRow]:
    top = max((r.total for r in rows), default=0)
    return [
        CountRow(r.key, r.label, r.total, r.verified, round(r.total * 100 / top) if top else 0)
        for r in rows
    ]


def _certificate_row(model, key: str, label: str) -> CertificateRow:
    today = timezone.localdate()
    verified = Q(status=CertificateStatus.VERIFIED)
    measures = {"verified": Count("pk", filter=verified)}
    for days in rules.EXPIRY_WINDOWS:
        measures[f"d{days}"] = Count(
            "pk",
            filter=verified
            & Q(expires_on__gte=today, expires_on__lte=today + timedelta(days=days)),
        )
    row = model.objects.aggregate(**measures)
    return CertificateRow(
        key, label, row["verified"], {days: row[f"d{days}"] for days in rules.EXPIRY_WINDOWS}
    )


def vendor_figures() -> Vendors:
    """Programme-wide (vendors belong to no OPD): five queries."""
    verified = Q(status=VendorStatus.VERIFIED)
    by_scale = {
        row["scale"]: row
        for row in Vendor.objects.values("scale")
        .annotate(total=Count("pk"), verified=Count("pk", filter=verified))
        .order_by()
    }
    scale_labels = [*BusinessScale.choices, ("", _("Belum ditentukan"))]
    scales = [
        CountRow(
            value,
            str(label),
            by_scale[value]["total"] if value in by_scale else 0,
            by_scale[value]["verified"] if value in by_scale else 0,
        )
        for value, label in scale_labels
        if value or value in by_scale
    ]
    cities = [
        CountRow(row["city"], row["city"], row["total"], row["verified"])
        for row in Vendor.objects.values("city")
        .annotate(total=Count("pk"), verified=Count("pk", filter=verified))
        .order_by("-total", "city")
    ]
    by_status = dict(
        HalalAssistance.objects.values_list("status").annotate(n=Count("pk")).order_by()
    )
    assistance = [
        CountRow(value, str(label), by_status.get(value, 0))
        for value, label in AssistanceStatus.choices
    ]
    return Vendors(
        registered=sum(r.total for r in scales),
        verified=sum(r.verified for r in scales),
        scales=_with_bars(scales),
        cities=_with_bars(cities),
        certificates=[
            _certificate_row(TKDNCertificate, "tkdn", "TKDN"),
            _certificate_row(HalalCertificate, "halal", "Halal"),
        ],
        assistance=_with_bars(assistance),
        assistance_total=sum(r.total for r in assistance),
    )


# --- Business matching -----------------------------------------------------------------------


@dataclass(frozen=True)
class MatchingRow:
    key: int
    label: str
    figures: MeetingFigures = field(default_factory=MeetingFigures)

    @property
    def conversion(self) -> Decimal | None:
        """Held meetings that ended in an award to the exhibitor met."""
        return share(self.figures.awarded, self.figures.held)


@dataclass(frozen=True)
class Matching:
    events: list[MatchingRow]
    years: list[MatchingRow]


def matching_figures(*, year: int, opd_id: int | None = None) -> Matching:
    """Per event of the year and per year, from the measures matching.selectors uses for an
    event's own dashboard; an OPD sees its own buyers' meetings only. An event's year is
    that of its registration closing (Asia/Jakarta). Two queries."""
    meetings = Meeting.objects.all()
    if opd_id is not None:
        meetings = meetings.filter(buyer__officer__opd_id=opd_id)

    def figures(row: dict) -> MeetingFigures:
        return MeetingFigures(**{name: row[name] for name in MEETING_MEASURES})

    events = [
        MatchingRow(row["event_id"], row["event__name"], figures(row))
        for row in meetings.annotate(year=ExtractYear("event__registration_closes_at"))
        .filter(year=year)
        .values("event_id", "event__name")
        .annotate(**meeting_measures())
        .order_by("event_id")
    ]
    years = [
        MatchingRow(row["year"], str(row["year"]), figures(row))
        for row in meetings.annotate(year=ExtractYear("event__registration_closes_at"))
        .values("year")
        .annotate(**meeting_measures())
        .order_by("-year")
    ]
    return Matching(events=events, years=years)


def opd_choices() -> QuerySet[OPD]:
    return OPD.objects.order_by("name")


def current_figures(filters: Filters) -> tuple[Procurement, Vendors, Matching]:
    """The three groups of figures, each computed once per state of the data it reads (and
    per day: certificates expire by date) and served from the cache until that data changes."""
    from freshness import topics
    from freshness.cache import cached

    today = timezone.localdate()
    procurement = cached(
        "dashboard-procurement",
        lambda: procurement_figures(filters),
        topics=(topics.PROCUREMENT, topics.CATALOGUE),
        parts=(filters, today),
    )
    vendors = cached(
        "dashboard-vendors", vendor_figures, topics=(topics.CATALOGUE,), parts=(today,)
    )
    matching = cached(
        "dashboard-matching",
        lambda: matching_figures(year=filters.year, opd_id=filters.opd_id),
        topics=(topics.MATCHING, topics.PROCUREMENT, topics.CATALOGUE),
        parts=(filters.year, filters.opd_id, today),
    )
    return procurement, vendors, matching
