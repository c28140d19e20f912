"""The context of includes/pagination.html."""

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property


def page_context(page: Page) -> dict:
    """`page_obj` and its `page_links`: the first and last page, and the pages around the
    current one, with ellipses between."""
    return {
        "page_obj": page,
        "page_links": page.paginator.get_elided_page_range(page.number, on_ends=1),
    }


class CountUpTo(Paginator):
    """A paginator that counts at most `limit` rows (a count of all the rows of a table of a
    million costs more than the page): beyond, it pages the first `limit` only. The Django
    admin's changelists use it (accounts.admin_site), with show_full_result_count off."""

    limit = 10_000

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "values"):
            return rows.order_by().values("pk")[: self.limit].count()
        return min(len(rows), self.limit)


class SearchCountUpTo(CountUpTo):
    """A searched changelist's count, bounded lower: a word found in tens of thousands of
    rows is confirmed row by row through its trigram index (each match read from the table),
    so that counting 10,000 of them costs ten times the page. Ten pages of a search are
    more than an admin reads; a narrower search finds the rest."""

    limit = 500
