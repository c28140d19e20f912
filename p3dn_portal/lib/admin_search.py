"""A Django admin search that an index answers at a million rows (issue 19).

Django's admin search ORs `UPPER(field) LIKE UPPER('%term%')` over every search field, joins
included: no index serves such a condition across tables, so each search reads the tables
whole (4.5 s for a vendor search at 250,000 vendors). `IndexedSearch` searches instead:

- an identifier (what `identifier_lookups` matches: a NIB, an NPWP, a certificate number, a
  RUP code) by equality or prefix, through the field's unique or pattern index; the rows of
  a relation that hold it are found first, by their own index, then the list by their keys;
- anything else in the list's own text columns (`text_fields`, each under a trigram index,
  pg_trgm), and in the name of a related row (`related_text_fields`): the related rows that
  match are found first (at most RELATED_LIMIT), then the list's rows by their keys, so that
  one index bitmap per condition answers and no join is read whole.

The results have no duplicates (no join of a to-many relation stays in the list's query).
The keys found go to the list's query as one array (`= ANY(%s)`), not as an IN list of up to
RELATED_LIMIT placeholders, which the driver splits and binds one by one, for the count and
for the page.
"""

import re

from django.db.models import F, Lookup, Q, QuerySet
from django.http import HttpRequest

RELATED_LIMIT = 1_000  # related rows matched by name, beyond which a search is too broad


class AnyOf(Lookup):
    """`column = ANY(%s)`: the column equals one of a list of values, bound as one array of
    the column's type."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection) -> tuple[str, list]:
        lhs, params = self.process_lhs(compiler, connection)
        # Of the column's own type: `bigint = ANY(smallint[])` is not hashed, each row then
        # compared with every value in turn.
        element = self.lhs.output_field.cast_db_type(connection)
        return f"{lhs} = ANY(%s::{element}[])", [*params, list(self.rhs)]


class IndexedSearch:
    # (pattern the whole term matches, lookups tried with it): the first pattern that
    # matches decides; a lookup through a relation (`tkdn_certificates__number`) is answered
    # by the relation's own index first.
    identifier_lookups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    text_fields: tuple[str, ...] = ()  # this model's columns, `icontains`
    related_text_fields: tuple[str, ...] = ()  # `vendor__name`: one step, `icontains`

    def normalized_term(self, term: str) -> str:
        return term

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        term = self.normalized_term(search_term.strip())
        if not term:
            return queryset, False
        for pattern, lookups in self.identifier_lookups:
            if re.fullmatch(pattern, term):
                return queryset.filter(self._condition(lookups, term)), False
        lookups = (
            *(f"{field}__icontains" for field in self.text_fields),
            *(f"{path}__icontains" for path in self.related_text_fields),
        )
        return queryset.filter(self._condition(lookups, term)), False

    def _condition(self, lookups: tuple[str, ...], term: str) -> Q:
        """The rows where any of `lookups` holds `term`: each lookup answered by one index.
        Lookups of columns of one related table (`buyer__officer__opd__name`,
        `buyer__officer__opd__short_name`) ask for its rows in one query."""
        condition = Q(pk__in=[])
        related: dict[tuple, Q] = {}
        for lookup in lookups:
            name, rest = lookup.split("__", 1)
            field = self.model._meta.get_field(name)
            if not field.is_relation:
                condition |= Q(**{lookup: term})
                continue
            if field.concrete:  # a foreign key: the related rows first, by their index
                model, key = field.related_model, name
            else:  # a reverse relation: the rows that hold it, through the relation's index
                model, key, rest = self.model, "pk", lookup
            table = (model, key, rest.rsplit("__", 2)[0] if rest.count("__") > 1 else "")
            found = Q(**{rest: term})
            related[table] = related[table] | found if table in related else found
        for (model, key, _table), found in related.items():
            keys = list(
                model._default_manager.filter(found)
                .order_by()
                .values_list("pk", flat=True)[:RELATED_LIMIT]
            )
            if keys:
                condition |= Q(AnyOf(F(key), keys))
        return condition
