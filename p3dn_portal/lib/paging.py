"""The context of includes/pagination.html."""

from django.core.paginator import Page


def page_context(page: Page) -> dict:
    """`page_obj` and its `page_links`: the first and last page, and the pages around the
    current one, with ellipses between."""
    return {
        "page_obj": page,
        "page_links": page.paginator.get_elided_page_range(page.number, on_ends=1),
    }
