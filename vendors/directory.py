"""The public directory of verified vendors and their certified products: the filter form and
the querysets behind it. Read-only; OPD officers browse it before a business-matching event.

Effective TKDN and BMP are annotated in the database (so the minimum-TKDN filter and the TKDN
sort run there) with the same rule as vendors.local_content: the newest verified, unexpired
certificate counts, none counts as 0."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from vendors import rules
from vendors.models import Product, Vendor, VendorStatus
from vendors.rules import BusinessScale
from vendors.selectors import valid_halal_certificates, valid_tkdn_certificates, verified_vendors

PAGE_SIZE = 20
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


def listed_cities() -> list[str]:
    return list(listed_vendors().order_by("city").values_list("city", flat=True).distinct())


def listed_products(*, on: date) -> QuerySet[Product]:
    """Active products of verified vendors, each with `tkdn_pct` and `bmp_pct` (of its
    effective certificate, 0 without one) and `has_valid_halal` annotated."""
    effective = (
        valid_tkdn_certificates(on=on).filter(products=OuterRef("pk")).order_by("-issued_on", "-pk")
    )
    zero = Value(Decimal("0"), output_field=models.DecimalField(max_digits=5, decimal_places=2))
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


def search_products(*, filters: DirectoryFilters, on: date) -> QuerySet[Product]:
    """The directory's list: filtered, then ranked by relevance when searching (the chosen
    sort breaks ties) or in the chosen order otherwise."""
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
        products = products.filter(has_valid_halal=True)
    order = SORT_ORDER[filters.sort]
    if filters.q:
        query = SearchQuery(filters.q, config=SEARCH_CONFIG, search_type="websearch")
        # The stored search_vector column, so the GIN index `product_search` serves the match.
        # The vendors named like the query are looked up first: OR-ed with a condition on the
        # joined vendor table (or an IN subquery), the planner gives up the index; with a
        # list of ids it combines the GIN and vendor_id indexes, and with none it is the
        # full-text match alone.
        vendor_ids = list(
            listed_vendors()
            .filter(name__icontains=filters.q)
            .order_by()
            .values_list("pk", flat=True)
        )
        match = Q(search_vector=query)
        if vendor_ids:
            match |= Q(vendor_id__in=vendor_ids)
        products = products.filter(match).annotate(rank=SearchRank(F("search_vector"), query))
        order = (F("rank").desc(), *order)
    return products.order_by(*order)


def with_tiers(products: Iterable[Product]) -> list[Product]:
    """Evaluates the products and sets each one's `tier` from its annotated TKDN and BMP."""
    products = list(products)
    for product in products:
        product.tier = rules.tkdn_tier(product.tkdn_pct, product.bmp_pct)
    return products


def products_page(products: QuerySet[Product], number: str | None) -> Page:
    """One page of products with their tiers; a bad or out-of-range page number falls back to
    the first or last page."""
    page = Paginator(products, PAGE_SIZE).get_page(number)
    page.object_list = with_tiers(page.object_list)
    return page


def vendor_products(*, vendor: Vendor, on: date) -> list[Product]:
    """A listed vendor's active products, with tiers, highest TKDN first."""
    products = listed_products(on=on).filter(vendor=vendor).order_by(*SORT_ORDER[Sort.TKDN])
    return with_tiers(products)
