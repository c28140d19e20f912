"""The payment pages: a contract's invoices, payments and balance for its OPD's officers and
its vendor; the PPK or Bendahara records invoices and payments (a payment asks first: it
cannot be undone in the portal)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from contracts import payment_rules, payments
from contracts.models import Contract
from contracts.payment_forms import InvoiceForm, PaymentForm
from contracts.payment_selectors import contract_for, contract_payments
from p3dn_portal.lib.confirm import Confirmation, confirmation_page, confirmed
from p3dn_portal.lib.formatting import day, rupiah
from p3dn_portal.lib.forms import error_text


def _get_recordable(request: HttpRequest, contract_id: int) -> Contract:
    """The contract, 404 outside the user's OPD or company; 403 for anyone there who may not
    record payments (the vendor, officers other than the PPK and the Bendahara)."""
    contract = contract_for(request.user, contract_id)
    if not payments.may_record(user=request.user, contract=contract):
        raise PermissionDenied(payments.RECORDERS_ONLY)
    return contract


def _service_error(request: HttpRequest, form, error: ValidationError) -> None:
    """Field errors beside their fields; an error about the contract (no BAST yet) above."""
    if hasattr(error, "error_dict"):
        form.add_service_error(error)
    else:
        messages.error(request, error_text(error))


def _page(request, contract, *, invoice_form=None, payment_form=None):
    figures = contract_payments(contract)
    may_record = payments.may_record(user=request.user, contract=contract)
    if may_record and figures.bast_on is not None:
        invoice_form = invoice_form or InvoiceForm()
        payment_form = payment_form or PaymentForm(
            invoices=contract.invoices.all(), shown=figures.open_invoices
        )
    return render(
        request,
        "contracts/payments.html",
        {
            "contract": contract,
            "payments": figures,
            "may_record": may_record,
            "invoice_form": invoice_form,
            "payment_form": payment_form,
        },
    )


@require_safe
def contract_payments_page(request: HttpRequest, contract_id: int) -> HttpResponse:
    return _page(request, contract_for(request.user, contract_id))


@require_POST
def invoice_add(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = _get_recordable(request, contract_id)
    form = InvoiceForm(request.POST)
    if form.is_valid():
        try:
            invoice = payments.invoice_record(
                contract=contract, by=request.user, **form.cleaned_data
            )
        except ValidationError as e:
            _service_error(request, form, e)
        else:
            messages.success(request, _("Tagihan %(number)s dicatat.") % {"number": invoice.number})
            return redirect("contracts:payments", contract.pk)
    return _page(request, contract, invoice_form=form)


@require_POST
def payment_add(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = _get_recordable(request, contract_id)
    form = PaymentForm(
        request.POST,
        invoices=contract.invoices.all(),
        shown=contract_payments(contract).open_invoices,
    )
    if form.is_valid():
        data = form.cleaned_data
        if not confirmed(request):
            figures = contract_payments(contract)
            after = payment_rules.balance(figures.balance, [data["amount"]])
            return confirmation_page(
                request,
                Confirmation(
                    title=_("Catat pembayaran ini?"),
                    consequences=[
                        _("Pembayaran yang tercatat tidak dapat diubah atau dihapus di portal."),
                        _("Penyedia diberi tahu lewat portal dan email."),
                        _("Bila sisa kontrak menjadi nol, kontrak berstatus Lunas."),
                    ],
                    button=_("Ya, catat pembayaran"),
                    back_url=reverse("contracts:payments", args=[contract.pk]),
                    subject=f"{contract.number} — {contract.vendor.name}",
                    facts=[
                        (_("Tagihan"), data["invoice"].number),
                        (_("Tanggal bayar"), day(data["paid_on"])),
                        (_("Jumlah bruto"), rupiah(data["amount"])),
                        (_("Pajak dipotong"), rupiah(data["tax_withheld"])),
                        (
                            _("Diterima bersih"),
                            rupiah(payment_rules.net_of_tax(data["amount"], data["tax_withheld"])),
                        ),
                        (_("Sisa kontrak sesudahnya"), rupiah(after)),
                    ],
                    danger=False,
                ),
            )
        try:
            payments.payment_record(by=request.user, **data)
        except ValidationError as e:
            _service_error(request, form, e)
        else:
            messages.success(request, _("Pembayaran dicatat; penyedia diberi tahu."))
            return redirect("contracts:payments", contract.pk)
    return _page(request, contract, payment_form=form)
