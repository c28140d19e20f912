from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Page, Paginator
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q, QuerySet
from django.forms.utils import ErrorDict
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from p3dn_portal.lib.fields import (
    AMOUNT_INVALID,
    LocalizedDecimalField,
    PercentField,
    RupiahField,
)
from p3dn_portal.lib.forms import ServiceErrorsMixin
from p3dn_portal.templatetags.p3dn import percent, rupiah
from procurement import rules
from procurement.models import OPD, Bid, Package, PackageItem
from procurement.rules import Category, Method, Status
from procurement.services import LineInput
from vendors.models import Product
from vendors.uploads import clean_document

# Officer forms -------------------------------------------------------------------------------

JAKARTA = ZoneInfo("Asia/Jakarta")

AMOUNT_NOT_POSITIVE = _("Isi jumlah lebih dari nol.")
CLOSES_BEFORE_OPENS = _("Batas akhir penawaran harus sesudah waktu dibuka.")
RUP_CODE_TAKEN = _("Kode RUP {code} sudah dipakai paket lain OPD ini untuk tahun anggaran {year}.")
KBLI_INVALID = _("KBLI terdiri dari 5 angka, misalnya 31001.")
ITEM_QUANTITY_INVALID = _("Tulis volume sebagai angka, misalnya 1.000 atau 12,5.")
RESERVATION_HELP = _(
    "Paket dengan pagu sampai Rp15 miliar dicadangkan untuk usaha kecil dan koperasi "
    "(Perpres 12/2021 pasal 65), kecuali pekerjaannya membutuhkan kemampuan yang tidak dapat "
    "dipenuhi usaha kecil. Tulis alasannya di sini hanya jika paket ini tidak dicadangkan; "
    "peserta dan auditor membacanya."
)


class JakartaDateTimeField(forms.DateTimeField):
    """A date and time typed in a `datetime-local` input, always read and shown as Jakarta
    time (WIB), whatever the active time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value: object) -> datetime | None:
        with timezone.override(JAKARTA):
            return super().to_python(value)

    def prepare_value(self, value: object) -> object:
        with timezone.override(JAKARTA):
            return super().prepare_value(value)


class PackageForm(ServiceErrorsMixin, forms.Form):
    """The terms of a draft package: the fields services.package_save takes."""

    rup_code = forms.CharField(
        label=_("Kode RUP"), max_length=30, help_text=_("Kode paket di SIRUP.")
    )
    title = forms.CharField(label=_("Nama paket"), max_length=250)
    description = forms.CharField(
        label=_("Uraian"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    fiscal_year = forms.IntegerField(label=_("Tahun anggaran"), min_value=2000, max_value=2100)
    category = forms.ChoiceField(label=_("Jenis pengadaan"), choices=Category.choices)
    method = forms.ChoiceField(label=_("Metode pemilihan"), choices=Method.choices)
    pagu = RupiahField(label=_("Pagu (Rp)"), help_text=_("Misalnya 1.500.000.000."))
    pdn = forms.BooleanField(
        label=_("Wajib produk dalam negeri (PDN)"), required=False, initial=True
    )
    min_tkdn_pct = PercentField(
        label=_("TKDN minimal (%)"),
        required=False,
        help_text=_("Kosongkan jika tidak ada batas TKDN minimal."),
    )
    halal_required = forms.BooleanField(
        label=_("Wajib halal (produk makanan dan minuman)"), required=False
    )
    reservation_exception_reason = forms.CharField(
        label=_("Alasan tidak dicadangkan untuk usaha kecil"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=RESERVATION_HELP,
    )
    max_preference_pct = PercentField(
        label=_("Preferensi harga tertinggi (%)"),
        max_value=rules.PREFERENCE_MAX_PCT,
        required=False,
        help_text=_(
            "Untuk pengadaan barang dengan HPS di atas Rp1 miliar: paling tinggi 25%. "
            "Isi 0 untuk jenis pengadaan lain."
        ),
    )
    opens_at = JakartaDateTimeField(label=_("Penawaran dibuka (WIB)"))
    closes_at = JakartaDateTimeField(label=_("Batas akhir penawaran (WIB)"))

    def __init__(
        self,
        *args: object,
        opd: OPD,
        package: Package | None = None,
        prefill: dict | None = None,
        **kwargs: object,
    ) -> None:
        """`prefill` starts a new package from elsewhere (e.g. a business-matching need)."""
        self.opd = opd
        self.package = package
        if package is not None:
            kwargs.setdefault("initial", {f: getattr(package, f) for f in self.base_fields})
        else:
            kwargs.setdefault(
                "initial",
                {
                    "fiscal_year": timezone.localdate().year,
                    "category": Category.GOODS,
                    "max_preference_pct": default_preference(Category.GOODS),
                    **(prefill or {}),
                },
            )
        super().__init__(*args, **kwargs)

    def clean_pagu(self) -> Decimal:
        pagu = self.cleaned_data["pagu"]
        if pagu <= 0:
            raise ValidationError(AMOUNT_NOT_POSITIVE, code="not_positive")
        return pagu

    def clean_max_preference_pct(self) -> Decimal:
        return self.cleaned_data["max_preference_pct"] or Decimal(0)

    def clean(self) -> dict:
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", ValidationError(CLOSES_BEFORE_OPENS, code="order"))
        code, year = cleaned.get("rup_code"), cleaned.get("fiscal_year")
        if code and year:
            # The database's unique constraint would otherwise surface as a server error.
            others = Package.objects.filter(opd=self.opd, rup_code=code, fiscal_year=year)
            if self.package is not None:
                others = others.exclude(pk=self.package.pk)
            if others.exists():
                self.add_error(
                    "rup_code",
                    ValidationError(RUP_CODE_TAKEN.format(code=code, year=year), code="taken"),
                )
        return cleaned


def default_preference(category: str) -> Decimal:
    """Goods packages start at the highest preference the rules allow; others at 0 (the
    service refuses a preference for them)."""
    return rules.PREFERENCE_MAX_PCT if category == Category.GOODS else Decimal(0)


class PackageItemForm(forms.Form):
    description = forms.CharField(label=_("Uraian barang/jasa"), max_length=250)
    kbli = forms.CharField(
        label=_("KBLI"),
        max_length=5,
        required=False,
        validators=[RegexValidator(r"^[0-9]{5}$", KBLI_INVALID)],
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    quantity = LocalizedDecimalField(
        label=_("Volume"),
        max_digits=14,
        decimal_places=2,
        error_messages={"invalid": ITEM_QUANTITY_INVALID},
    )
    unit = forms.CharField(label=_("Satuan"), max_length=30)
    hps_unit_price = RupiahField(label=_("Harga satuan HPS (Rp)"))

    def clean_quantity(self) -> Decimal:
        quantity = self.cleaned_data["quantity"]
        if quantity <= 0:
            raise ValidationError(AMOUNT_NOT_POSITIVE, code="not_positive")
        return quantity

    def has_changed(self) -> bool:
        """A row left blank is no row, even one that held an item before: clearing it
        removes the item, like ticking "Hapus"."""
        return any(str(self[name].value() or "").strip() for name in ITEM_FIELDS)


class BasePackageItemFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index: int | None) -> dict:
        return {**super().get_form_kwargs(index), "empty_permitted": True}


PackageItemFormSet = forms.formset_factory(
    PackageItemForm,
    formset=BasePackageItemFormSet,
    extra=1,
    can_delete=True,
    max_num=200,
    validate_max=True,
)
ITEM_FIELDS = tuple(PackageItemForm.base_fields)


def item_formset(
    data: object = None, *, items: list[PackageItem] | None = None, add_row: bool = False
) -> forms.BaseFormSet:
    """The line items of a package; `add_row` gives the form typed so far one more empty
    row, without validating it (adding a row is not a submit)."""
    initial = [{f: getattr(item, f) for f in ITEM_FIELDS} for item in items or []]
    if add_row and data is not None:
        data = data.copy()
        key = "items-TOTAL_FORMS"
        try:
            rows = int(data.get(key) or 0)
        except ValueError:  # an edited form: the formset reports its management data
            rows = len(initial)
        data[key] = str(max(rows, 0) + 1)
    formset = PackageItemFormSet(data, initial=initial, prefix="items")
    if add_row:
        quiet(formset)
    return formset


def quiet(form: forms.Form | forms.BaseFormSet) -> None:
    """Show a bound form again as typed, without its errors."""
    if isinstance(form, forms.BaseFormSet):
        form._non_form_errors = form.error_class()
        for each in form.forms:
            quiet(each)
    else:
        form._errors = ErrorDict()


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Wajib diisi: peserta dan auditor membacanya."),
    )


class WinnerForm(forms.Form):
    bid = forms.ModelChoiceField(
        label=_("Penawaran pemenang"),
        queryset=Bid.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    reason = forms.CharField(
        label=_("Catatan evaluasi"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Misalnya peringkat harga evaluasi akhir setelah preferensi harga."),
    )

    def __init__(self, *args: object, bids, candidates=None, **kwargs: object) -> None:
        """`bids` validates the choice; `candidates`, the same bids already read, lists
        them without another query."""
        super().__init__(*args, **kwargs)
        field = self.fields["bid"]
        field.queryset = bids
        field.label_from_instance = _bid_label
        if candidates is not None:
            field.choices = [(bid.pk, _bid_label(bid)) for bid in candidates]


def _bid_label(bid: Bid) -> str:
    return f"{bid.vendor.name} — {rupiah(bid.price)} — TKDN {percent(bid.tkdn_pct)}"


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Jawaban sanggah"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ContractForm(forms.Form):
    number = forms.CharField(label=_("Nomor kontrak"), max_length=100, required=False)
    signed_on = forms.DateField(
        label=_("Tanggal kontrak"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


# Vendors and the public -------------------------------------------------------------------
# The public list of announced packages (its filter form and the query behind it), a vendor's
# bid, and a sanggah.

PACKAGES_PAGE_SIZE = 20
CENT = Decimal("0.01")
PACKAGE_QUERY_MAX_LENGTH = 200

BAD_HPS_MIN = _("HPS minimal diisi angka, misalnya 200.000.000. Saringan itu tidak dipakai.")
BAD_HPS_MAX = _("HPS maksimal diisi angka, misalnya 1.500.000.000. Saringan itu tidak dipakai.")
BAD_HPS_RANGE = _("HPS minimal lebih besar dari HPS maksimal. Saringan rentang HPS tidak dipakai.")
BAD_CHOICE = _("Pilihan “{field}” tidak dikenal dan tidak dipakai.")
PRODUCT_CHOICE_EMPTY = _("— pilih produk —")
PRODUCT_REQUIRED = _("Pilih produk untuk rincian ini.")
QUANTITY_INVALID = _("Tulis volume sebagai angka lebih dari 0, misalnya 1.000 atau 12,5.")
PRICE_REQUIRED = _("Isi harga satuan penawaran Anda.")
PRODUCT_LABEL = _("{name} — {price} / {unit} — TKDN {tkdn}")


class PackageSort(models.TextChoices):
    CLOSING = "closes", _("Batas akhir terdekat")
    HPS_DESC = "-hps", _("HPS terbesar")
    HPS = "hps", _("HPS terkecil")


PACKAGE_SORT_ORDER = {
    PackageSort.CLOSING: ("closes_at", "pk"),
    PackageSort.HPS_DESC: (F("hps").desc(), "closes_at", "pk"),
    PackageSort.HPS: ("hps", "closes_at", "pk"),
}


@dataclass(frozen=True)
class PackageFilters:
    q: str = ""
    opd_id: int | None = None
    category: str = ""
    hps_min: Decimal | None = None
    hps_max: Decimal | None = None
    reserved_only: bool = False
    pdn_only: bool = False
    sort: PackageSort = PackageSort.CLOSING


class PackageFilterForm(forms.Form):
    """Parses the public package list's GET parameters. A bad value is reported and left out;
    the other filters still apply."""

    q = forms.CharField(
        label=_("Kata kunci"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Nama paket, uraian, atau kode RUP")}
        ),
    )
    opd = forms.TypedChoiceField(label=_("OPD"), required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(
        label=_("Jenis pengadaan"),
        required=False,
        choices=[("", _("Semua jenis")), *Category.choices],
    )
    hps_min = RupiahField(label=_("HPS minimal (Rp)"), required=False)
    hps_max = RupiahField(label=_("HPS maksimal (Rp)"), required=False)
    umk = forms.BooleanField(label=_("Dicadangkan untuk usaha kecil"), required=False)
    pdn = forms.BooleanField(label=_("Wajib produk dalam negeri"), required=False)
    sort = forms.ChoiceField(label=_("Urutkan"), required=False, choices=PackageSort.choices)

    REPORTED = {"hps_min": BAD_HPS_MIN, "hps_max": BAD_HPS_MAX}

    def __init__(self, *args: object, opds: Iterable[OPD], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opd"].choices = [("", _("Semua OPD")), *((o.pk, o.name) for o in opds)]
        for field in self.fields.values():
            if isinstance(field, forms.BooleanField):
                css = "form-check-input"
            elif isinstance(field, forms.ChoiceField):
                css = "form-select"
            else:
                css = "form-control"
            field.widget.attrs["class"] = css

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())[:PACKAGE_QUERY_MAX_LENGTH]

    def filters(self) -> PackageFilters:
        """The valid part of the input."""
        self.is_valid()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"
        data = self.cleaned_data
        hps_min, hps_max = data.get("hps_min"), data.get("hps_max")
        if self.range_reversed:
            hps_min = hps_max = None
        return PackageFilters(
            q=data.get("q", ""),
            opd_id=data.get("opd"),
            category=data.get("category", ""),
            hps_min=hps_min,
            hps_max=hps_max,
            reserved_only=data.get("umk", False),
            pdn_only=data.get("pdn", False),
            sort=PackageSort(data.get("sort") or PackageSort.CLOSING),
        )

    @property
    def range_reversed(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        low, high = data.get("hps_min"), data.get("hps_max")
        return low is not None and high is not None and low > high

    def problems(self) -> list[str]:
        """What to tell the visitor about the filters left out."""
        problems = []
        for name in self.errors:
            if name in self.REPORTED:
                problems.append(str(self.REPORTED[name]))
            elif name in self.fields:
                problems.append(BAD_CHOICE.format(field=self.fields[name].label))
        if self.range_reversed:
            problems.append(str(BAD_HPS_RANGE))
        return problems


def announced_packages(*, filters: PackageFilters, now: datetime) -> QuerySet[Package]:
    """Packages open for bids now, filtered and in the chosen order."""
    packages = Package.objects.filter(status=Status.ANNOUNCED, closes_at__gt=now).select_related(
        "opd"
    )
    for word in filters.q.split():  # every word, in any of the fields
        packages = packages.filter(
            Q(title__icontains=word) | Q(description__icontains=word) | Q(rup_code__icontains=word)
        )
    if filters.opd_id is not None:
        packages = packages.filter(opd_id=filters.opd_id)
    if filters.category:
        packages = packages.filter(category=filters.category)
    if filters.hps_min is not None:
        packages = packages.filter(hps__gte=filters.hps_min)
    if filters.hps_max is not None:
        packages = packages.filter(hps__lte=filters.hps_max)
    if filters.reserved_only:
        packages = packages.filter(reserved_for_small_business=True)
    if filters.pdn_only:
        packages = packages.filter(pdn=True)
    return packages.order_by(*PACKAGE_SORT_ORDER[filters.sort])


def packages_page(packages: QuerySet[Package], number: str | None) -> Page:
    """A bad or out-of-range page number falls back to the first or last page."""
    return Paginator(packages, PACKAGES_PAGE_SIZE).get_page(number)


class QuantityField(LocalizedDecimalField):
    """A volume, shown the way the active language writes numbers (`1.000` or `12,5`)."""

    def prepare_value(self, value: object) -> object:
        if isinstance(value, Decimal):
            whole = value == value.to_integral()
            return formats.number_format(
                value.quantize(Decimal(1)) if whole else value.normalize(),
                use_l10n=True,
                force_grouping=True,
            )
        return value


@dataclass(frozen=True)
class BidRow:
    item: PackageItem
    product: forms.BoundField
    quantity: forms.BoundField
    unit_price: forms.BoundField


class BidForm(forms.Form):
    """One row per package item: which of the vendor's active products, how many, at what
    unit price. Fields are named after the item (`product_12`, `quantity_12`, ...)."""

    def __init__(
        self,
        *args: object,
        items: Iterable[PackageItem],
        products: Iterable[Product],
        previous: dict | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.products = {product.pk: product for product in products}
        choices = [("", PRODUCT_CHOICE_EMPTY)] + [
            (pk, self.product_label(product)) for pk, product in self.products.items()
        ]
        earlier = {line["item"]: line for line in (previous or {}).get("lines", [])}
        for item in self.items:
            line = earlier.get(item.pk, {})
            product_id = line.get("product")
            self.fields[f"product_{item.pk}"] = forms.TypedChoiceField(
                label=_("Produk"),
                choices=choices,
                coerce=lambda pk: self.products[int(pk)],
                initial=product_id if product_id in self.products else None,
                error_messages={"required": PRODUCT_REQUIRED},
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[f"quantity_{item.pk}"] = QuantityField(
                label=_("Volume"),
                max_digits=14,
                decimal_places=2,
                min_value=Decimal("0.01"),
                initial=Decimal(line["quantity"]) if line else item.quantity,
                error_messages={
                    "required": QUANTITY_INVALID,
                    "invalid": QUANTITY_INVALID,
                    "min_value": QUANTITY_INVALID,
                },
                widget=forms.TextInput(attrs={"class": "form-control num"}),
            )
            self.fields[f"unit_price_{item.pk}"] = RupiahField(
                label=_("Harga satuan (Rp)"),
                initial=Decimal(line["unit_price"]) if line else None,
                error_messages={"required": PRICE_REQUIRED, "invalid": AMOUNT_INVALID},
                widget=forms.TextInput(attrs={"class": "form-control num"}),
            )

    @staticmethod
    def product_label(product: Product) -> str:
        return PRODUCT_LABEL.format(
            name=product.name,
            price=rupiah(product.unit_price),
            unit=product.unit,
            tkdn=percent(product.local_content.tkdn_pct),
        )

    def rows(self) -> list[BidRow]:
        return [
            BidRow(
                item=item,
                product=self[f"product_{item.pk}"],
                quantity=self[f"quantity_{item.pk}"],
                unit_price=self[f"unit_price_{item.pk}"],
            )
            for item in self.items
        ]

    def lines(self) -> list[LineInput]:
        """The rows as the service takes them; amounts to the cent, as the database keeps
        them, so that the sealed content reads the same however the numbers were typed."""
        data = self.cleaned_data
        return [
            LineInput(
                item=item,
                product=data[f"product_{item.pk}"],
                quantity=data[f"quantity_{item.pk}"].quantize(CENT),
                unit_price=data[f"unit_price_{item.pk}"].quantize(CENT),
            )
            for item in self.items
        ]


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=_("Isi sanggah"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
        help_text=_("Tulis apa yang Anda sanggah dan alasannya, dengan rujukan ketentuannya."),
    )
    attachment = forms.FileField(
        label=_("Lampiran (opsional)"),
        required=False,
        help_text=_("PDF, JPG, atau PNG."),
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )

    def clean_text(self) -> str:
        return self.cleaned_data["text"].strip()

    def clean_attachment(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("attachment")
        return clean_document(upload) if upload else None
