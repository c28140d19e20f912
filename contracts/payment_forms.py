"""The forms the PPK or Bendahara fills to record an invoice and a payment (contracts.payments
checks the rules again)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from p3dn_portal.lib.fields import RupiahField
from p3dn_portal.lib.forms import ServiceErrorsMixin, example

DATE_INVALID = _("Tulis tanggal yang benar, misalnya 2026-03-15.")


def _date_field(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_INVALID},
    )


class InvoiceForm(ServiceErrorsMixin, forms.Form):
    number = forms.CharField(
        label=_("Nomor tagihan"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": example("INV/2026/031")}),
    )
    issued_on = _date_field(_("Tanggal tagihan"))
    amount = RupiahField(label=_("Jumlah tagihan (Rp)"), help_text=_("Misalnya 45.000.000."))


class PaymentForm(ServiceErrorsMixin, forms.Form):
    invoice = forms.ModelChoiceField(
        label=_("Tagihan"),
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": _("Pilih tagihan kontrak ini dari daftar.")},
    )
    paid_on = _date_field(_("Tanggal bayar"))
    amount = RupiahField(
        label=_("Jumlah bruto (Rp)"), help_text=_("Sebelum pajak dipotong, misalnya 45.000.000.")
    )
    tax_withheld = RupiahField(
        label=_("Pajak dipotong (Rp)"),
        initial=Decimal("0"),
        help_text=_("Pajak yang dipotong bendahara (PPh/PPN), 0 bila tidak ada."),
    )

    def __init__(self, *args, invoices, shown=None, **kwargs) -> None:
        """`invoices`: the contract's, which the choice is checked against; `shown`: the
        invoices still open, already read, offered in the list (no query to draw it)."""
        super().__init__(*args, **kwargs)
        field = self.fields["invoice"]
        field.queryset = invoices
        field.label_from_instance = lambda invoice: invoice.number
        if shown is not None:
            field.choices = [(invoice.pk, invoice.number) for invoice in shown]
