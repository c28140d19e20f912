"""Business matching input: what participants type and tick, parsed into domain values."""

from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.models import Need, Participant, Slot
from matching.rules import EventStatus
from p3dn_portal.lib.fields import RupiahField
from p3dn_portal.lib.forms import ServiceErrorsMixin, example
from procurement.models import OPD, Package
from vendors.models import Product
from vendors.validators import validate_kbli

STATUS_INVALID = _("Pilih status acara dari daftar.")
YEAR_INVALID = _("Tulis tahun sebagai 4 angka, misalnya 2025.")
# A year field says the same whatever is wrong with what was typed.
YEAR_ERRORS = {"invalid": YEAR_INVALID, "min_value": YEAR_INVALID, "max_value": YEAR_INVALID}
KBLI_FILTER_INVALID = _(
    "Tulis KBLI sebagai 2 sampai 5 angka, misalnya 10 (golongan pokok) atau 10792."
)
PRODUCT_NOT_YOURS = _(
    "Pilih produk dari daftar: hanya produk aktif Anda yang bersertifikat TKDN terverifikasi "
    "dan masih berlaku yang dapat dipamerkan."
)
NEED_NOT_YOURS = _("Pilih kebutuhan dari daftar kebutuhan pembeli di acara ini.")
DESCRIPTION_REQUIRED = _(
    "Tulis barang atau jasa yang akan dibeli, misalnya “Kursi lipat 200 buah”."
)
PACKAGE_NOT_LISTED = _("Pilih paket dari daftar paket OPD Anda, atau kosongkan.")
SLOT_NOT_LISTED = _("Pilih sesi dari daftar sesi acara ini, lalu simpan lagi.")
NOTE_TOO_LONG = _("Pesan paling banyak 500 karakter; persingkat lalu kirim lagi.")


class EventFilterForm(forms.Form):
    """The public list's filters; a bad value is reported and ignored, never a 400."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Semua status"))]
        + [(s.value, s.label) for s in EventStatus if s != EventStatus.DRAFT],
        error_messages={"invalid_choice": STATUS_INVALID},
    )
    year = forms.IntegerField(
        label=_("Tahun acara"),
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages=YEAR_ERRORS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": example("2025")}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].widget.attrs["class"] = "form-select"
        self.fields["year"].widget.attrs["class"] = "form-control"

    def filters(self) -> dict:
        """The valid filters only."""
        self.is_valid()
        return {
            name: self.cleaned_data[name]
            for name in self.fields
            if name not in self.errors and self.cleaned_data.get(name) not in (None, "")
        }

    def problems(self) -> list[str]:
        self.is_valid()
        return [error for errors in self.errors.values() for error in errors]


class ProductChoiceField(forms.ModelMultipleChoiceField):
    """The vendor's certified products as checkboxes; the template shows TKDN and tier
    from each choice's instance."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Product) -> str:
        return obj.name


class ExhibitorApplyForm(forms.Form):
    products = ProductChoiceField(
        label=_("Produk yang dipamerkan"),
        queryset=Product.objects.none(),
        # An empty choice is the service's to refuse, with its message.
        required=False,
        error_messages={
            "invalid_choice": PRODUCT_NOT_YOURS,
            "invalid_pk_value": PRODUCT_NOT_YOURS,
        },
    )
    note = forms.CharField(
        label=_("Catatan untuk panitia"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Misalnya kebutuhan listrik stan atau produk yang ingin ditonjolkan."),
    )

    def __init__(self, *args: object, products: QuerySet[Product], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = products


class NeedForm(ServiceErrorsMixin, forms.ModelForm):
    """A buyer's need: what it plans to buy, with the KBLI and budget suggestions use."""

    kbli = forms.CharField(
        label=_("KBLI"),
        required=False,
        max_length=5,
        validators=[validate_kbli],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": example("10792")}),
        help_text=_(
            "Kode KBLI barang yang dicari, bila tahu. Kebutuhan pangan (KBLI 10, 11, 56) hanya "
            "disarankan produk bersertifikat halal."
        ),
    )
    estimated_budget = RupiahField(
        label=_("Perkiraan anggaran (Rp)"),
        required=False,
        help_text=_("Boleh dikosongkan. Misalnya 150.000.000."),
    )
    fiscal_year = forms.IntegerField(
        label=_("Tahun anggaran"),
        min_value=2000,
        max_value=2100,
        error_messages=YEAR_ERRORS,
    )
    package = forms.ModelChoiceField(
        label=_("Paket pengadaan"),
        queryset=Package.objects.none(),
        required=False,
        empty_label=_("(tanpa paket)"),
        error_messages={"invalid_choice": PACKAGE_NOT_LISTED},
        help_text=_("Tautkan bila kebutuhan ini sudah menjadi paket OPD Anda."),
    )

    class Meta:
        model = Need
        fields = ["description", "kbli", "estimated_budget", "fiscal_year", "package", "is_food"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"description": {"required": DESCRIPTION_REQUIRED}}

    def __init__(self, *args: object, opd: OPD, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["package"].queryset = Package.objects.filter(opd=opd).order_by(
            "-fiscal_year", "title"
        )
        self.fields["package"].label_from_instance = lambda p: f"{p.rup_code} · {p.title}"
        if self.initial.get("fiscal_year") is None:
            self.initial["fiscal_year"] = timezone.localdate().year

    def clean_kbli(self) -> str:
        return self.cleaned_data["kbli"].strip()


class AvailabilityForm(forms.Form):
    """The slots the participant cannot attend."""

    unavailable = forms.ModelMultipleChoiceField(
        label=_("Sesi berhalangan"),
        queryset=Slot.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": SLOT_NOT_LISTED, "invalid_pk_value": SLOT_NOT_LISTED},
    )

    def __init__(self, *args: object, slots: QuerySet[Slot], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unavailable"].queryset = slots


class MeetingRequestForm(forms.Form):
    """A request for a meeting: a short note and, on the buyer's side, the need it is about."""

    note = forms.CharField(
        label=_("Pesan singkat"),
        required=False,
        max_length=500,
        error_messages={"max_length": NOTE_TOO_LONG},
    )
    need = forms.ModelChoiceField(
        label=_("Kebutuhan yang dibicarakan"),
        queryset=Need.objects.none(),
        required=False,
        error_messages={"invalid_choice": NEED_NOT_YOURS},
    )

    def __init__(self, *args: object, buyer: Participant, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = Need.objects.filter(participant=buyer)


class MeetingResponseForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[("accept", _("Setujui")), ("decline", _("Tolak"))],
        error_messages={
            "required": _("Pilih setujui atau tolak."),
            "invalid_choice": _("Pilih setujui atau tolak."),
        },
    )
    note = forms.CharField(
        label=_("Pesan jawaban"),
        required=False,
        max_length=500,
        error_messages={"max_length": NOTE_TOO_LONG},
    )


class CounterpartFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Cari"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control"}),
    )
    kbli = forms.CharField(
        label=_("KBLI"),
        required=False,
        max_length=5,
        validators=[RegexValidator(r"^[0-9]{2,5}$", KBLI_FILTER_INVALID)],
        error_messages={"max_length": KBLI_FILTER_INVALID},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "class": "form-control", "placeholder": example("10792")}
        ),
    )

    def filters(self) -> dict:
        self.is_valid()
        return {
            name: self.cleaned_data[name].strip()
            for name in self.fields
            if name not in self.errors and (self.cleaned_data.get(name) or "").strip()
        }

    def problems(self) -> list[str]:
        self.is_valid()
        return [error for errors in self.errors.values() for error in errors]
