"""The forms of the contract pages: a delivery (one row per contract line), the BAST with
the rating, and the vendor's answers. The services check everything again."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, Mark
from contracts.selectors import ContractPage
from contracts.services import DeliveryLineInput, RatingInput
from p3dn_portal.lib.formatting import quantity
from p3dn_portal.lib.forms import ServiceErrorsMixin
from vendors.models import Product

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
QUANTITY_INVALID = _("Isi volume dengan angka, misalnya 25 atau 12,5.")
MARK_REQUIRED = _("Pilih nilai 1 sampai 4.")


def _quantity_field(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        localize=True,
        error_messages={
            "invalid": QUANTITY_INVALID,
            "min_value": _("Volume tidak boleh kurang dari nol."),
            "max_decimal_places": _("Volume paling banyak dua angka di belakang koma."),
            "max_digits": QUANTITY_INVALID,
            "max_whole_digits": QUANTITY_INVALID,
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class DeliveryForm(ServiceErrorsMixin, forms.Form):
    """The delivery's date and note, and per contract line: delivered, accepted, the
    product (the one bid unless another is chosen) and the reason for another product or
    certificate."""

    delivered_on = forms.DateField(
        label=_("Tanggal barang diterima"),
        widget=DATE_WIDGET,
        error_messages={"required": _("Isi tanggal barang diterima.")},
    )
    note = forms.CharField(
        label=_("Catatan pemeriksaan (waktu, jumlah, fungsi)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, page: ContractPage, **kwargs):
        super().__init__(*args, **kwargs)
        self.page = page
        contract: Contract = page.contract
        products = list(
            Product.objects.filter(vendor_id=contract.vendor_id, is_active=True).order_by("name")
        )
        self.rows = []
        for progress in page.lines:
            line = progress.line
            choices = [(p.pk, p.name) for p in products]
            if line.product_id and line.product_id not in {p.pk for p in products}:
                choices.insert(0, (line.product_id, line.product_name or str(line.product)))
            prefix = f"line_{line.pk}"
            self.fields[f"{prefix}_delivered"] = _quantity_field(
                _("Dikirim: {item}").format(item=line.description)
            )
            self.fields[f"{prefix}_accepted"] = _quantity_field(
                _("Diterima: {item}").format(item=line.description)
            )
            self.fields[f"{prefix}_product"] = forms.TypedChoiceField(
                label=_("Produk: {item}").format(item=line.description),
                choices=choices,
                coerce=int,
                required=False,
                initial=line.product_id,
            )
            self.fields[f"{prefix}_reason"] = forms.CharField(
                label=_("Alasan penggantian: {item}").format(item=line.description),
                required=False,
                max_length=1000,
                help_text=_("Wajib bila produk atau sertifikat TKDN berbeda dari penawaran."),
            )
            self.rows.append(
                {
                    "progress": progress,
                    "remaining": quantity(progress.remaining),
                    "delivered": self[f"{prefix}_delivered"],
                    "accepted": self[f"{prefix}_accepted"],
                    "product": self[f"{prefix}_product"],
                    "reason": self[f"{prefix}_reason"],
                }
            )
        self.products = {p.pk: p for p in products}

    def line_inputs(self):
        """What the service takes, from the cleaned data (a row left empty is skipped)."""
        inputs = []
        for progress in self.page.lines:
            line = progress.line
            prefix = f"line_{line.pk}"
            delivered = self.cleaned_data.get(f"{prefix}_delivered")
            accepted = self.cleaned_data.get(f"{prefix}_accepted")
            if delivered is None and accepted is None:
                continue
            delivered = delivered if delivered is not None else Decimal("0")
            accepted = accepted if accepted is not None else delivered
            product_id = self.cleaned_data.get(f"{prefix}_product")
            product = self.products.get(product_id) if product_id else None
            inputs.append(
                DeliveryLineInput(
                    contract_line=line,
                    quantity_delivered=delivered,
                    quantity_accepted=accepted,
                    product=product,
                    substitution_reason=self.cleaned_data.get(f"{prefix}_reason", ""),
                )
            )
        return inputs


def _mark_field(label) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=Mark.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": MARK_REQUIRED, "invalid_choice": MARK_REQUIRED},
    )


class HandoverForm(ServiceErrorsMixin, forms.Form):
    """The BAST's date and the vendor's rating, required in the same step."""

    signed_on = forms.DateField(
        label=_("Tanggal BAST"),
        widget=DATE_WIDGET,
        error_messages={"required": _("Isi tanggal BAST.")},
    )
    quality = _mark_field(_("Kualitas"))
    cost = _mark_field(_("Biaya"))
    time = _mark_field(_("Waktu"))
    service = _mark_field(_("Layanan"))
    rating_note = forms.CharField(
        label=_("Catatan penilaian"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Wajib untuk nilai 1 (kurang) atau 2 (cukup); penyedia membacanya."),
    )

    def rating(self):
        data = self.cleaned_data
        return RatingInput(
            quality=data.get("quality"),
            cost=data.get("cost"),
            time=data.get("time"),
            service=data.get("service"),
            note=data.get("rating_note", ""),
        )


class DeliveryResponseForm(forms.Form):
    CONFIRM = "confirm"
    DISPUTE = "dispute"

    response = forms.ChoiceField(
        label=_("Tanggapan"),
        choices=[(CONFIRM, _("Konfirmasi")), (DISPUTE, _("Bantah"))],
        widget=forms.HiddenInput,
    )
    vendor_note = forms.CharField(
        label=_("Catatan (wajib bila membantah)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RatingAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Jawaban Anda (sekali)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Tulis jawaban Anda.")},
    )
