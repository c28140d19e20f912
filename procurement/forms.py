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
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from p3dn_portal.lib.fields import (
    AMOUNT_INVALID,
    LocalizedDecimalField,
    PercentField,
    RupiahField,
)
from p3dn_portal.lib.formatting import percent, rupiah
from p3dn_portal.lib.forms import ServiceErrorsMixin
from procurement import rules
from procurement.models import OPD, Package, PackageItem, PackageRequirement, RequirementStage
from procurement.rules import Category, Method, Status
from procurement.sealing import BidContent
from procurement.services import PACKAGE_FIELDS, LineInput, RequirementInput
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
    items_optional = forms.BooleanField(
        label=_("Rincian boleh tidak ditawar"),
        required=False,
        help_text=_(
            "Centang bila penyedia boleh mengosongkan rincian: rincian tanpa harga dianggap "
            "sudah termasuk dalam harga rincian lain. Tanpa centang, penawaran wajib mengisi "
            "setiap rincian."
        ),
    )
    opens_at = JakartaDateTimeField(label=_("Penawaran dibuka (WIB)"))
    closes_at = JakartaDateTimeField(label=_("Batas akhir penawaran (WIB)"))
    administrative_requirements = forms.CharField(
        label=_("Persyaratan administrasi"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Satu persyaratan per baris; dinilai Pokja untuk setiap penawaran."),
    )
    technical_requirements = forms.CharField(
        label=_("Persyaratan teknis"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Satu persyaratan per baris, misalnya spesifikasi per rincian, waktu pengiriman, "
            "garansi."
        ),
    )

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
            requirements = list(package.requirements.all())
            kwargs.setdefault(
                "initial",
                {
                    **{f: getattr(package, f) for f in PACKAGE_FIELDS},
                    **{
                        REQUIREMENT_FIELDS[stage]: "\n".join(
                            r.text for r in requirements if r.stage == stage
                        )
                        for stage in REQUIREMENT_FIELDS
                    },
                },
            )
        else:
            kwargs.setdefault(
                "initial",
                {
                    "fiscal_year": timezone.localdate().year,
                    "category": Category.GOODS,
                    "max_preference_pct": default_preference(Category.GOODS),
                    **{
                        REQUIREMENT_FIELDS[stage]: "\n".join(str(t) for t in texts)
                        for stage, texts in DEFAULT_REQUIREMENTS.items()
                    },
                    **(prefill or {}),
                },
            )
        super().__init__(*args, **kwargs)

    def package_fields(self) -> dict:
        """The package's own terms, as services.package_save takes them."""
        return {f: self.cleaned_data[f] for f in PACKAGE_FIELDS}

    def requirements(self) -> list[RequirementInput]:
        """The checklist, one requirement per non-empty line, administrative first."""
        return [
            RequirementInput(stage=stage, text=line.strip()[:REQUIREMENT_MAX_LENGTH])
            for stage, field in REQUIREMENT_FIELDS.items()
            for line in self.cleaned_data.get(field, "").splitlines()
            if line.strip()
        ]

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


REQUIREMENT_FIELDS = {
    RequirementStage.ADMINISTRATIVE: "administrative_requirements",
    RequirementStage.TECHNICAL: "technical_requirements",
}
REQUIREMENT_MAX_LENGTH = PackageRequirement._meta.get_field("text").max_length
# A new package's checklist to start from: the package's own text, in the language of its
# documents (Indonesian) whatever the officer's interface language.
DEFAULT_REQUIREMENTS = {
    RequirementStage.ADMINISTRATIVE: [
        "Surat penawaran ditandatangani dan berlaku selama masa penawaran",
    ],
    RequirementStage.TECHNICAL: [
        "Spesifikasi setiap rincian sesuai dokumen pemilihan",
        "Waktu pengiriman sesuai jadwal pelaksanaan",
        "Garansi sesuai persyaratan",
    ],
}


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


class WinnerConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "Saya sudah memeriksa peringkat final dan mengumumkan penawaran peringkat 1 sebagai "
            "pemenang."
        )
    )
    reason = forms.CharField(
        label=_("Catatan evaluasi"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Misalnya peringkat harga evaluasi akhir setelah preferensi harga."),
    )


class ObjectionDecision(models.TextChoices):
    REJECTED = "ditolak", _("Ditolak: pengumuman pemenang tetap")
    UPHELD = "diterima", _("Diterima: pemenang dibatalkan, evaluasi dibuka kembali")


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Keputusan"),
        choices=ObjectionDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Pilih keputusan: sanggah diterima atau ditolak.")},
    )
    answer = forms.CharField(
        label=_("Jawaban sanggah"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Alasan keputusan; dikirim kepada penyanggah."),
    )

    @property
    def upheld(self) -> bool:
        return self.cleaned_data.get("decision") == ObjectionDecision.UPHELD


# The evaluator's verdicts ---------------------------------------------------------------------

VERDICT_CHOICE_REQUIRED = _("Pilih lulus atau gugur.")


class VerdictForm(forms.Form):
    """The pokja's pass or fail of one bid; a fail ticks the requirements not met and says
    why."""

    outcome = forms.ChoiceField(
        label=_("Hasil evaluasi administrasi dan teknis"),
        choices=[("lulus", _("Lulus semua persyaratan")), ("gugur", _("Gugur"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": VERDICT_CHOICE_REQUIRED},
    )
    failed = forms.TypedMultipleChoiceField(
        label=_("Persyaratan yang tidak dipenuhi"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    reason = forms.CharField(
        label=_("Alasan gugur"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: object, requirements: Iterable[PackageRequirement], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["failed"].choices = [
            (r.pk, f"{r.get_stage_display()}: {r.text}") for r in requirements
        ]

    @property
    def passed(self) -> bool:
        return self.cleaned_data.get("outcome") == "lulus"


class ClarificationForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Hasil klarifikasi kewajaran harga"),
        choices=[
            ("diterima", _("Harga wajar: penawaran diterima (jaminan pelaksanaan 5% HPS)")),
            ("gugur", _("Harga tidak wajar: penawaran gugur")),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": VERDICT_CHOICE_REQUIRED},
    )
    reason = forms.CharField(
        label=_("Hasil klarifikasi"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Apa yang dijelaskan penyedia tentang harganya."),
    )

    @property
    def accepted(self) -> bool:
        return self.cleaned_data.get("outcome") == "diterima"


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
PRODUCT_CHOICE_SKIP = _("— tidak ditawar (termasuk harga rincian lain) —")
PRODUCT_REQUIRED_FOR = _("Pilih produk Anda untuk rincian “{item}”.")
PRODUCT_NOT_YOURS = _("Pilih salah satu produk aktif usaha Anda dari daftar.")
PRICE_REQUIRED_FOR = _("Isi harga satuan penawaran Anda untuk rincian “{item}”.")
PRICE_NOT_POSITIVE = _("Harga satuan harus lebih dari nol: isi harga per {unit} dalam rupiah.")
NOTHING_PRICED = _("Isi paling sedikit satu rincian dengan produk dan harga satuan.")
KBLI_MISMATCH_WARNING = _(
    "KBLI produk ({product_kbli}) berbeda dengan KBLI rincian ({item_kbli}). Penawaran tetap "
    "dapat dikirim, tetapi evaluator akan memeriksa kesesuaiannya."
)
KBLI_CONFIRM = _(
    "Ada produk dengan KBLI berbeda dari rinciannya (lihat tanda di tabel). Ganti produknya, "
    "atau centang konfirmasi di bawah tabel untuk tetap mengirim."
)
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


@dataclass(frozen=True)
class BidRow:
    item: PackageItem
    product: forms.BoundField
    unit_price: forms.BoundField
    kbli_warning: str


class BidForm(forms.Form):
    """One row per package item, at the document's volume (shown, not typed): which of the
    vendor's active products and at what unit price. Fields are named after the item
    (`product_12`, `unit_price_12`). A product whose KBLI differs from the item's is a
    warning the vendor confirms (`kbli_confirmed`); the evaluator sees it flagged."""

    kbli_confirmed = forms.BooleanField(
        label=_("Saya tetap menawarkan produk dengan KBLI berbeda; evaluator akan memeriksanya."),
        required=False,
    )

    def __init__(
        self,
        *args: object,
        items: Iterable[PackageItem],
        products: Iterable[Product],
        previous: BidContent | None = None,
        items_optional: bool = False,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.items_optional = items_optional
        self.products = {product.pk: product for product in products}
        empty = PRODUCT_CHOICE_SKIP if items_optional else PRODUCT_CHOICE_EMPTY
        choices = [("", empty)] + [
            (pk, self.product_label(product)) for pk, product in self.products.items()
        ]
        earlier = {line.item: line for line in previous.lines} if previous else {}
        for item in self.items:
            line = earlier.get(item.pk)
            product_id = line.product if line else None
            self.fields[f"product_{item.pk}"] = forms.TypedChoiceField(
                label=_("Produk"),
                choices=choices,
                coerce=lambda pk: self.products[int(pk)],
                empty_value=None,
                required=not items_optional,
                initial=product_id if product_id in self.products else None,
                error_messages={
                    "required": PRODUCT_REQUIRED_FOR.format(item=item.description),
                    "invalid_choice": PRODUCT_NOT_YOURS,
                },
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[f"unit_price_{item.pk}"] = RupiahField(
                label=_("Harga satuan (Rp)"),
                required=not items_optional,
                initial=line.unit_price if line else None,
                error_messages={
                    "required": PRICE_REQUIRED_FOR.format(item=item.description),
                    "invalid": AMOUNT_INVALID,
                },
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

    def clean(self) -> dict:
        cleaned = super().clean()
        priced = 0
        for item in self.items:
            product = cleaned.get(f"product_{item.pk}")
            price = cleaned.get(f"unit_price_{item.pk}")
            if f"unit_price_{item.pk}" in self.errors or f"product_{item.pk}" in self.errors:
                continue
            if price is not None and price <= 0:
                self.add_error(
                    f"unit_price_{item.pk}",
                    ValidationError(PRICE_NOT_POSITIVE.format(unit=item.unit), code="not_positive"),
                )
            elif product is None and price is not None:
                self.add_error(
                    f"product_{item.pk}", PRODUCT_REQUIRED_FOR.format(item=item.description)
                )
            elif product is not None and price is None:
                self.add_error(
                    f"unit_price_{item.pk}", PRICE_REQUIRED_FOR.format(item=item.description)
                )
            elif product is not None:
                priced += 1
        if not self.errors and priced == 0:
            raise ValidationError(NOTHING_PRICED, code="nothing_priced")
        if not self.errors and self.kbli_mismatches() and not cleaned.get("kbli_confirmed"):
            raise ValidationError(KBLI_CONFIRM, code="kbli_unconfirmed")
        return cleaned

    def _kbli_warning(self, item: PackageItem) -> str:
        product = self._chosen(item)
        if product is None or rules.kbli_matches(item.kbli, product.kbli):
            return ""
        return str(KBLI_MISMATCH_WARNING.format(product_kbli=product.kbli, item_kbli=item.kbli))

    def _chosen(self, item: PackageItem) -> Product | None:
        if hasattr(self, "cleaned_data"):
            return self.cleaned_data.get(f"product_{item.pk}")
        value = self[f"product_{item.pk}"].value()
        try:
            return self.products.get(int(value)) if value else None
        except (TypeError, ValueError):
            return None

    def kbli_mismatches(self) -> list[PackageItem]:
        return [item for item in self.items if self._kbli_warning(item)]

    def rows(self) -> list[BidRow]:
        return [
            BidRow(
                item=item,
                product=self[f"product_{item.pk}"],
                unit_price=self[f"unit_price_{item.pk}"],
                kbli_warning=self._kbli_warning(item) if self.is_bound else "",
            )
            for item in self.items
        ]

    def lines(self) -> list[LineInput]:
        """The priced rows as the service takes them, unit prices to the cent, as the
        database keeps them, so that the sealed content reads the same however the numbers
        were typed. Rows left empty (when the package allows it) are no line."""
        data = self.cleaned_data
        return [
            LineInput(
                item=item,
                product=data[f"product_{item.pk}"],
                unit_price=data[f"unit_price_{item.pk}"].quantize(CENT),
            )
            for item in self.items
            if data.get(f"product_{item.pk}") is not None
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


class PaymentTargetForm(forms.Form):
    """The OPD's payment target: calendar days from the BAST to payment."""

    payment_target_days = forms.IntegerField(
        label=_("Target pembayaran (hari kalender setelah BAST)"),
        min_value=1,
        max_value=365,
        help_text=_(
            "Target portal sendiri, bukan ketentuan peraturan, sampai peraturannya dipastikan. "
            "Dasbor program menghitung porsi kontrak usaha kecil yang lunas dalam target ini."
        ),
        error_messages={
            "required": _("Isi target pembayaran dalam hari, misalnya 15."),
            "invalid": _("Tulis target sebagai bilangan bulat hari, misalnya 15."),
            "min_value": _("Target pembayaran antara 1 dan 365 hari kalender."),
            "max_value": _("Target pembayaran antara 1 dan 365 hari kalender."),
        },
    )
