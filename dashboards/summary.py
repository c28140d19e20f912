"""Keeps the dashboard summary (dashboards.models.PackageSummary) equal to the packages.

The triggers of migration 0001 mark a (fiscal year, OPD) stale in the transaction that
writes a package, a winning bid or a winner's scale. `refresh()`, called before every read
of the summary, takes the marks (waiting for a writer still holding one to commit) and
recomputes those groups from the packages, with the very measures the dashboard used to
compute over every package (`selectors.package_measures`), in one transaction.

A new measure (say the value delivered or paid, for a later stage of the funnel): add it
to `selectors.package_measures` and to `Realisation`, add a column of the same name to
`PackageSummary` (ExactSum for a sum, IntegerField for a count) in a migration that also
marks every group stale (the MARK_ALL statement of migration 0001), and, if the measure
reads a table the triggers do not watch yet (a handover or payment table), a statement
trigger on that table marking the (fiscal year, OPD) of its packages (the MARK template of
migration 0001). Nothing else changes: the refresh and the sums follow PACKAGE_MEASURES."""

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import ExtractMonth

from dashboards.models import PackageSummary, StaleSummary

GROUP = ("fiscal_year", "opd_id", "category", "method", "month")

# Every mark is taken, in the order the triggers mark them (no waiting in a circle); a mark
# a writer holds is waited for, so that its write is counted by this refresh.
TAKE_MARKS = """
    DELETE FROM dashboards_stalesummary
    WHERE id IN (SELECT id FROM dashboards_stalesummary ORDER BY fiscal_year, opd_id FOR UPDATE)
    RETURNING fiscal_year, opd_id
"""


def refresh() -> int:
    """Recompute the stale groups; the number of (fiscal year, OPD) recomputed. One query
    when nothing is stale, six more (a savepoint or transaction included) when some are,
    however many."""
    from dashboards import selectors

    if not StaleSummary.objects.exists():
        return 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(TAKE_MARKS)
            stale = cursor.fetchall()
        if not stale:
            return 0
        groups = Q()
        for year, opd_id in stale:
            groups |= Q(fiscal_year=year, opd_id=opd_id)
        PackageSummary.objects.filter(groups).delete()
        rows = (
            selectors.summarised_packages()
            .filter(groups)
            .annotate(month=ExtractMonth("closes_at"))
            .values(*GROUP)
            .annotate(**selectors.package_measures(empty=None))
            .order_by()
        )
        PackageSummary.objects.bulk_create(
            PackageSummary(
                **{name: row[name] for name in GROUP},
                **{name: row[f"m_{name}"] for name in selectors.PACKAGE_MEASURES},
            )
            for row in rows
        )
    return len(stale)
