"""The public directory of verified vendors and their certified products: the filter form and
the querysets behind it. OPD officers browse it before a business-matching event.

Effective TKDN and BMP follow the same rule as vendors.local_content: the newest verified,
unexpired certificate counts, none counts as 0. The directory list reads them, and the halal
flag, from columns of vendors_product that triggers keep up to date on every certificate change
(migration 0003), so filters and sorts are plain indexed columns and a page is the first rows of
an index; refresh_local_content() brings in, before each read, the rows whose certificate has
expired by date since. The vendor page, a few rows, computes them from the certificates."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import connection, models
from django.db.models import Case, F, Func, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import Col, Expression
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from vendors import rules
from vendors.models import Product, Vendor, VendorStatus
from vendors.rules import BusinessScale
from vendors.selectors import valid_halal_certificates, valid_tkdn_certificates, verified_vendors

PAGE_SIZE = 20
# Matches are counted up to this many; beyond it the page says "more than 1,000" and offers
# the first 1,000 only (narrow the search to see the rest).
COUNT_LIMIT = 1000
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
            attrs={"inputmode": "numeric", "placeholder": "10792", "autocomplete": "off"}
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
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "25"}),
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


def listed_products(*, on: date) -> QuerySet[Product]:
    """Active products of verified vendors, each with `tkdn_pct` and `bmp_pct` (of its
    effective certificate, 0 without one) and `has_valid_halal` annotated from the listed
    columns, and `halal_until` to filter on. Call refresh_local_content(on=on) first."""
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


def search_products(*, filters: DirectoryFilters, on: date) -> QuerySet[Product]:
    """The directory's list: filtered, then ranked by relevance when searching (the chosen
    sort breaks ties) or in the chosen order otherwise."""
    refresh_local_content(on=on)
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
    order = SORT_ORDER[filters.sort]
    if filters.q:
        query = SearchQuery(filters.q, config=SEARCH_CONFIG, search_type="websearch")
        # The stored search_vector column, so the GIN index `product_search` serves the match,
        # OR-ed with the products of the vendors named like the query (trigram index
        # vendor_name_trgm), whose ids the planner feeds to the vendor_id index.
        named = listed_vendors().filter(name__icontains=filters.q).order_by().values("pk")
        match = Q(search_vector=query) | Q(AnyOf(F("vendor_id"), ArraySubquery(named)))
        products = products.filter(match).annotate(rank=SearchRank(F("search_vector"), query))
        order = (F("rank").desc(), *order)
    return products.order_by(*order)


def with_tiers(products: Iterable[Product]) -> list[Product]:
    """Evaluates the products and sets each one's `tier` from its annotated TKDN and BMP."""
    products = list(products)
    for product in products:
        product.tier = rules.tkdn_tier(product.tkdn_pct, product.bmp_pct)
    return products


class BoundedPaginator(Paginator):
    """Counts the matches up to `limit` only (a count of all the tens of thousands of matches
    of a broad search would cost more than the page): `count` is exact up to the limit, and
    `has_more` says there are more, of which only the first `limit` are paged."""

    def __init__(self, object_list: QuerySet, per_page: int, limit: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.limit = COUNT_LIMIT if limit is None else limit

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
