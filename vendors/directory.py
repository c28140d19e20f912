"""The public directory of verified vendors and their certified products: the filter form and
the querysets behind it. OPD officers browse it before a business-matching event.

Effective TKDN and BMP follow the same rule as vendors.local_content: the newest verified,
unexpired certificate counts, none counts as 0. The directory list reads them, and the halal
flag, from columns of vendors_product that triggers keep up to date on every certificate change
(migration 0003), so filters and sorts are plain indexed columns and a page is the first rows of
an index; refresh_local_content() brings in, once a day in each process, the rows whose
certificate has expired by date since. The vendor page, a few rows, computes them from the
certificates.

A search ranks a bounded set of candidates: the first CANDIDATES matches the full-text index
finds (all of them when there are fewer), so its cost does not grow with the number of
matches of a common word; beyond that many the page says "more than" and offers those."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import connection, models
from django.db.models import Case, F, Func, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.expressions import Col, Expression
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from freshness import topics
from freshness.cache import key_versions
from p3dn_portal.lib.forms import example
from vendors import rules
from vendors.models import Blacklisting, Product, Vendor, VendorStatus
from vendors.rules import BusinessScale
from vendors.selectors import valid_halal_certificates, valid_tkdn_certificates, verified_vendors

PAGE_SIZE = 20
# Matches are counted up to this many; beyond it the page says "more than 1,000" and offers
# the first 1,000 only (narrow the search to see the rest).
COUNT_LIMIT = 1000
# A search ranks at most this many matches (one more tells that there are more): the first
# the index finds.
CANDIDATES = COUNT_LIMIT
TIERS = rules.Tier.choices  # the legend under every product table
SEARCH_CONFIG = "indonesian"
QUERY_MAX_LENGTH = 200
UMK = "umk"
KBLI_FORMAT = re.compile(r"[0-9]{5}")
TKDN_MIN, TKDN_MAX = Decimal("0"), Decimal("100")

BAD_KBLI = _("Kode KBLI terdiri atas 5 angka, misalnya 10792. Saringan KBLI tidak dipakai.")
BAD_MIN_TKDN = _(
    "TKDN minimal diisi angka 0 sampai 100, misalnya 25 atau 40,5. Saringan TKDN tidak dipakai."
)


class Sort(models.TextChoices):
    TKDN = "tkdn", _("TKDN tertinggi")
    NAME = "name", _("Nama produk (A-Z)")
    PRICE = "price", _("Harga termurah")
    PRICE_DESC = "-price", _("Harga termahal")


SORT_ORDER = {
    Sort.TKDN: (F("tkdn_pct").desc(), "name", "pk"),
    Sort.NAME: ("name", "pk"),
    Sort.PRICE: ("unit_price", "name", "pk"),
    Sort.PRICE_DESC: (F("unit_price").desc(), "name", "pk"),
}


@dataclass(frozen=True)
class DirectoryFilters:
    q: str = ""
    kbli: str = ""
    city: str = ""
    scale: str = ""
    min_tkdn: Decimal | None = None
    halal_only: bool = False
    sort: Sort = Sort.TKDN


class DirectoryFilterForm(forms.Form):
    """Parses the directory's GET parameters. A bad value is reported and left out; it never
    stops the rest of the filters from working."""

    q = forms.CharField(
        label=_("Kata kunci"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Produk, merek, atau nama penyedia")}
        ),
    )
    kbli = forms.CharField(
        label=_("KBLI"),
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "placeholder": example("10792"), "autocomplete": "off"}
        ),
    )
    city = forms.ChoiceField(label=_("Kota/kabupaten"), required=False)
    scale = forms.ChoiceField(
        label=_("Skala usaha"),
        required=False,
        choices=[("", _("Semua skala")), *BusinessScale.choices, (UMK, _("UMK (mikro + kecil)"))],
    )
    # Text, not a number input: officers write "40,5" as often as "40.5".
    min_tkdn = forms.CharField(
        label=_("TKDN minimal (%)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": example("25")}),
    )
    halal = forms.BooleanField(label=_("Hanya produk halal"), required=False)
    sort = forms.ChoiceField(label=_("Urutkan"), required=False, choices=Sort.choices)

    # The typed-in fields, whose bad values the officer is told about; the others are selects,
    # and a bad value there (a stale or edited link) is silently ignored.
    REPORTED = {"kbli": BAD_KBLI, "min_tkdn": BAD_MIN_TKDN}

    def __init__(self, *args: object, cities: Iterable[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = [("", _("Semua kota")), *((c, c) for c in cities)]
        for name, field in self.fields.items():
            css = "form-check-input" if name == "halal" else "form-control"
            if isinstance(field, forms.ChoiceField):
                css = "form-select"
            field.widget.attrs["class"] = css

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())[:QUERY_MAX_LENGTH]

    def clean_kbli(self) -> str:
        kbli = self.cleaned_data["kbli"].strip()
        if kbli and not KBLI_FORMAT.fullmatch(kbli):
            raise ValidationError(BAD_KBLI, code="invalid")
        return kbli

    def clean_min_tkdn(self) -> Decimal | None:
        raw = self.cleaned_data["min_tkdn"].strip().replace(",", ".")
        if not raw:
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise ValidationError(BAD_MIN_TKDN, code="invalid") from None
        if not value.is_finite() or not TKDN_MIN <= value <= TKDN_MAX:
            raise ValidationError(BAD_MIN_TKDN, code="invalid")
        return value

    def filters(self) -> DirectoryFilters:
        """The valid part of the input."""
        self.is_valid()
        for name in self.REPORTED:
            if name in self.errors:
                self.fields[name].widget.attrs["class"] += " is-invalid"
        data = self.cleaned_data
        return DirectoryFilters(
            q=data.get("q", ""),
            kbli=data.get("kbli", ""),
            city=data.get("city", ""),
            scale=data.get("scale", ""),
            min_tkdn=data.get("min_tkdn"),
            halal_only=data.get("halal", False),
            sort=Sort(data.get("sort") or Sort.TKDN),
        )

    def problems(self) -> list[str]:
        """What to tell the officer about the filters left out."""
        return [message for name, message in self.REPORTED.items() if name in self.errors]


def listed_vendors() -> QuerySet[Vendor]:
    """The vendors the public may see: verified ones only."""
    return verified_vendors()


# The few distinct cities of verified vendors, one probe of the partial index vendor_verified_city
# each (a DISTINCT would read every verified vendor).
CITIES_SQL = """
WITH RECURSIVE city AS (
    (SELECT v.city FROM vendors_vendor v WHERE v.status = %(status)s ORDER BY v.city LIMIT 1)
    UNION ALL
    SELECT (
        SELECT v.city FROM vendors_vendor v
        WHERE v.status = %(status)s AND v.city > city.city ORDER BY v.city LIMIT 1
    )
    FROM city WHERE city.city IS NOT NULL
)
SELECT city FROM city WHERE city IS NOT NULL
"""


def listed_cities() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(CITIES_SQL, {"status": VendorStatus.VERIFIED})
        return [city for (city,) in cursor.fetchall()]


def _pct() -> models.DecimalField:
    return models.DecimalField(max_digits=5, decimal_places=2)


class ListedColumn(Expression):
    """A column of vendors_product that the Product model does not declare (so that no
    Product.save() writes it): the local content kept by triggers (migration 0003)."""

    def __init__(self, column: str, output_field: models.Field) -> None:
        super().__init__(output_field=output_field)
        self.column = column

    def resolve_expression(self, query=None, *args, **kwargs):
        target = self.output_field.clone()
        target.set_attributes_from_name(self.column)
        target.model = Product
        return Col(query.get_initial_alias(), target)


REFRESH_SQL = """
SELECT vendors_product_listing_refresh(
    ARRAY(SELECT id FROM vendors_product WHERE listed_tkdn_until < %(on)s), %(on)s
)
"""


def refresh_local_content(*, on: date) -> int:
    """Recomputes the listed TKDN/BMP of the products whose effective certificate has expired
    by `on` (an older one may take over); returns how many changed. One index probe finding
    nothing, except on the first read of a day before the certificates_expire task ran."""
    with connection.cursor() as cursor:
        cursor.execute(REFRESH_SQL, {"on": on})
        return cursor.fetchone()[0]


# The days this process has refreshed the listing for. After one refresh for a day no row is
# left behind for it: the triggers list what they write as on the database's today.
_refreshed: set[date] = set()


def listing_current(*, on: date) -> None:
    """refresh_local_content(on=on) the first time this process reads the listing as on `on`:
    no maintenance on every request."""
    if on not in _refreshed:
        refresh_local_content(on=on)
        _refreshed.add(on)


def listed_products(*, on: date) -> QuerySet[Product]:
    """Active products of verified vendors, each with `tkdn_pct` and `bmp_pct` (of its
    effective certificate, 0 without one) and `has_valid_halal` annotated from the listed
    columns, and `halal_until` to filter on. Call listing_current(on=on) first."""
    return (
        Product.objects.filter(is_active=True, vendor__status=VendorStatus.VERIFIED)
        .annotate(
            tkdn_pct=ListedColumn("listed_tkdn_pct", _pct()),
            bmp_pct=ListedColumn("listed_bmp_pct", _pct()),
        )
        .alias(halal_until=ListedColumn("listed_halal_until", models.DateField()))
        .annotate(
            has_valid_halal=Case(
                When(halal_until__gte=on, then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            )
        )
        .defer("search_vector")
    )


def computed_products(*, on: date) -> QuerySet[Product]:
    """Like listed_products, computed from the certificates (for a few rows at a time)."""
    effective = (
        valid_tkdn_certificates(on=on).filter(products=OuterRef("pk")).order_by("-issued_on", "-pk")
    )
    zero = Value(Decimal("0"), output_field=_pct())
    return (
        Product.objects.filter(is_active=True, vendor__status=VendorStatus.VERIFIED)
        .annotate(
            tkdn_pct=Coalesce(Subquery(effective.values("tkdn_pct")[:1]), zero),
            bmp_pct=Coalesce(Subquery(effective.values("bmp_pct")[:1]), zero),
            has_valid_halal=models.Exists(
                valid_halal_certificates(on=on).filter(products=OuterRef("pk"))
            ),
        )
        .defer("search_vector")
    )


class AnyOf(Func):
    """`field = ANY(ARRAY(subquery))`: the subquery runs once, and its ids feed an index scan
    of the field (an IN subquery OR-ed with the full-text match gives up the indexes)."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = models.BooleanField()


class VendorNameVector(Func):
    """The full-text vector of a vendor's name, as the index vendor_name_search has it."""

    template = f"to_tsvector('{SEARCH_CONFIG}'::regconfig, (%(expressions)s)::text)"
    output_field = SearchVectorField()


def search_query(q: str) -> SearchQuery:
    return SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")


def _filtered(*, filters: DirectoryFilters, on: date) -> QuerySet[Product]:
    listing_current(on=on)
    products = listed_products(on=on).select_related("vendor")
    if filters.kbli:
        products = products.filter(kbli=filters.kbli)
    if filters.city:
        products = products.filter(vendor__city=filters.city)
    if filters.scale == UMK:
        products = products.filter(vendor__scale__in=rules.UMK_SCALES)
    elif filters.scale:
        products = products.filter(vendor__scale=filters.scale)
    if filters.min_tkdn is not None:
        products = products.filter(tkdn_pct__gte=filters.min_tkdn)
    if filters.halal_only:
        products = products.filter(halal_until__gte=on)
    return products


def matching(*, filters: DirectoryFilters, on: date) -> QuerySet[Product]:
    """The products a search finds, unordered, with their `rank`: at most CANDIDATES + 1 of
    each kind, first those whose text holds the query's words (the GIN index
    `product_search` on the stored search_vector), then those of the vendors whose name does
    (vendor_name_search: the first CANDIDATES + 1 such vendors, whose ids the planner feeds
    to the vendor_id index). Each part stops at its limit, so its cost does not grow with the
    number of matches of a common word."""
    query = search_query(filters.q)
    filtered = (
        _filtered(filters=filters, on=on)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by()
        .values("pk", "rank", "tkdn_pct", "name", "unit_price")
    )
    named = (
        listed_vendors()
        .annotate(name_vector=VendorNameVector("name"))
        .filter(name_vector=query)
        .order_by()
        .values("pk")[: CANDIDATES + 1]
    )
    by_text = filtered.filter(search_vector=query)[: CANDIDATES + 1]
    # Not also found by their text: the two parts do not overlap, and their sum is the count.
    by_vendor = filtered.filter(AnyOf(F("vendor_id"), ArraySubquery(named))).exclude(
        search_vector=query
    )[: CANDIDATES + 1]
    return by_text.union(by_vendor, all=True)


# The candidates (matching()'s first CANDIDATES + 1 rows), best first: by relevance, then as
# the chosen sort orders them. The sort is of a thousand rows at most, in memory.
RANKED_SQL = """
SELECT c.pk FROM ({candidates} LIMIT {limit}) AS c
ORDER BY c.rank DESC, {order}
"""
RANKED_ORDER = {
    Sort.TKDN: "c.tkdn_pct DESC, c.name, c.pk",
    Sort.NAME: "c.name, c.pk",
    Sort.PRICE: "c.unit_price, c.name, c.pk",
    Sort.PRICE_DESC: "c.unit_price DESC, c.name, c.pk",
}


def ranked(*, filters: DirectoryFilters, on: date) -> list[int]:
    """The ids of the products a search finds, best first: the first CANDIDATES + 1 matches
    the indexes find (one more than CANDIDATES says there are more), ranked by relevance,
    the chosen sort breaking ties."""
    sql, params = matching(filters=filters, on=on).query.sql_with_params()
    order = RANKED_ORDER[filters.sort]
    with connection.cursor() as cursor:
        cursor.execute(RANKED_SQL.format(candidates=sql, limit=CANDIDATES + 1, order=order), params)
        return [pk for (pk,) in cursor.fetchall()]


def in_order(ids: list[int], *, on: date) -> QuerySet[Product]:
    """The listed products `ids`, in that order."""
    position = Func(Value(ids, output_field=ArrayField(models.BigIntegerField())), F("pk"),
                    function="array_position")  # fmt: skip
    return listed_products(on=on).select_related("vendor").filter(pk__in=ids).order_by(position)


def search_products(*, filters: DirectoryFilters, on: date) -> QuerySet[Product]:
    """The directory's list: filtered, then ranked by relevance when searching (the chosen
    sort breaks ties) or in the chosen order otherwise."""
    if filters.q:
        return in_order(ranked(filters=filters, on=on), on=on)
    return _filtered(filters=filters, on=on).order_by(*SORT_ORDER[filters.sort])


def results_page(*, filters: DirectoryFilters, on: date, number: str | None) -> Page:
    """One page of the list with its tiers: of a search, the page of its ranked ids is read
    (two queries, whatever the number of matches); otherwise the first rows of an index,
    counted up to the limit."""
    if not filters.q:
        page = products_page(search_products(filters=filters, on=on), number)
    else:
        ids = ranked(filters=filters, on=on)
        page = BoundedPaginator(ids, PAGE_SIZE, limit=CANDIDATES, found=len(ids)).get_page(number)
        page.object_list = with_tiers(in_order(list(page.object_list), on=on))
    page.object_list = with_blacklistings(page.object_list, on=on)
    return page


def with_blacklistings(products: Iterable[Product], *, on: date) -> list[Product]:
    """Sets each product's `vendor_blacklisting`: the blacklisting its vendor is under on
    that day, or None (one query for the page, whatever its number of vendors)."""
    products = list(products)
    listed = {}
    vendor_ids = {product.vendor_id for product in products}
    if vendor_ids:
        # The latest to end last: when two overlap, the one that holds longer is shown.
        for blacklisting in (
            Blacklisting.objects.listed_on(on)
            .filter(vendor_id__in=vendor_ids)
            .order_by("vendor_id", F("ends_on").asc(nulls_last=True), "pk")
        ):
            listed[blacklisting.vendor_id] = blacklisting
    for product in products:
        product.vendor_blacklisting = listed.get(product.vendor_id)
    return products


def word_versions(q: str) -> dict[str, int] | None:
    """The versions of the words of a search (freshness.topics.WORDS), with every topic's, in
    one query; None for a search that excludes words ("batik -tulis" finds products without
    "tulis": the words cannot tell which products it finds)."""
    return key_versions(topics.WORDS, WORDS_SQL, {"q": q})


# The lexemes of the query's words (the same parser and dictionaries as websearch_to_tsquery),
# or NULL when the query negates one.
WORDS_SQL = f"""
CASE WHEN websearch_to_tsquery('{SEARCH_CONFIG}', %(q)s)::text LIKE '%%!%%' THEN NULL
ELSE tsvector_to_array(to_tsvector('{SEARCH_CONFIG}', %(q)s)) END
"""


def with_tiers(products: Iterable[Product]) -> list[Product]:
    """Evaluates the products and sets each one's `tier` from its annotated TKDN and BMP."""
    products = list(products)
    for product in products:
        product.tier = rules.tkdn_tier(product.tkdn_pct, product.bmp_pct)
    return products


class BoundedPaginator(Paginator):
    """Counts the matches up to `limit` only (a count of all the tens of thousands of matches
    of a broad search would cost more than the page): `count` is exact up to the limit, and
    `has_more` says there are more, of which only the first `limit` are paged. `found`, when
    the matches were already counted (a search's ranked ids), spares the count query."""

    def __init__(
        self,
        object_list: QuerySet | list,
        per_page: int,
        limit: int | None = None,
        found: int | None = None,
    ) -> None:
        super().__init__(object_list, per_page)
        self.limit = COUNT_LIMIT if limit is None else limit
        if found is not None:
            self._bounded_count = found

    @cached_property
    def _bounded_count(self) -> int:
        return self.object_list.order_by().values("pk")[: self.limit + 1].count()

    @property
    def count(self) -> int:
        return min(self._bounded_count, self.limit)

    @property
    def has_more(self) -> bool:
        return self._bounded_count > self.limit


def products_page(products: QuerySet[Product], number: str | None) -> Page:
    """One page of products with their tiers; a bad or out-of-range page number falls back to
    the first or last page."""
    page = BoundedPaginator(products, PAGE_SIZE).get_page(number)
    page.object_list = with_tiers(page.object_list)
    return page


def vendor_products(*, vendor: Vendor, on: date) -> list[Product]:
    """A listed vendor's active products, with tiers, highest TKDN first."""
    products = computed_products(on=on).filter(vendor=vendor).order_by(*SORT_ORDER[Sort.TKDN])
    return with_tiers(products)
