"""What the contracts views give their templates (tests/test_templates.py renders each):
a contract delivered in two parts, handed over with its rating, flagged for a shortfall and
a lapsed certificate, answered by the vendor."""

from datetime import timedelta
from decimal import Decimal as D

from django.core.paginator import Paginator
from django.utils import timezone

from contracts import payments, selectors, services
from contracts.forms import DeliveryForm, DeliveryResponseForm, HandoverForm, RatingAnswerForm
from contracts.models import Contract
from contracts.payment_forms import InvoiceForm, PaymentForm
from contracts.payment_selectors import contract_payments
from contracts.services import DeliveryLineInput, RatingInput
from p3dn_portal.lib.paging import page_context
from tests.contracts.conftest import make_contract
from tests.factories import (
    OfficerFactory,
    ProductFactory,
    TKDNCertificateFactory,
    VendorMemberFactory,
)


def contracts_context(name: str) -> dict:
    ppk = OfficerFactory(position="ppk").user
    member = VendorMemberFactory()
    vendor = member.vendor
    desk = ProductFactory(vendor=vendor, name="Meja belajar", kbli="31001")
    cabinet = ProductFactory(vendor=vendor, name="Lemari arsip", kbli="31001")
    TKDNCertificateFactory(vendor=vendor, products=[desk], tkdn_pct=D("60"), bmp_pct=D("10"))
    lapsing = TKDNCertificateFactory(
        vendor=vendor, products=[cabinet], tkdn_pct=D("30"), bmp_pct=D("5")
    )
    contract = make_contract(ppk, (member.user, vendor, desk, cabinet))
    lapsing.expires_on = timezone.localdate() - timedelta(days=1)
    lapsing.save()
    desk_line, cabinet_line = contract.lines.order_by("position")
    today = timezone.localdate()
    first = services.delivery_record(
        contract=contract,
        by=ppk,
        delivered_on=today,
        lines=[DeliveryLineInput(desk_line, D("60"), D("58"))],
        note="Dua meja tergores.",
    )
    services.delivery_respond(delivery=first, by=member.user, confirmed=False, note="Tidak.")
    services.delivery_record(
        contract=contract,
        by=ppk,
        delivered_on=today,
        lines=[
            DeliveryLineInput(
                cabinet_line, D("10"), D("10"), substitution_reason="Sertifikat habis."
            )
        ],
    )
    services.handover_sign(
        contract=contract,
        by=ppk,
        signed_on=today,
        rating=RatingInput(2, 4, 3, 4, note="Ada yang tergores."),
    )
    services.handover_acknowledge(contract=contract, by=member.user)
    services.rating_answer(contract=contract, by=member.user, answer="Akan kami ganti.")
    # Its invoice, paid in two terms (the payment section and the payment emails).
    invoice = payments.invoice_record(
        contract=contract, number="INV/2026/031", issued_on=today, amount=D("100000000"), by=ppk
    )
    for amount in ("60000000", "40000000"):
        payment = payments.payment_record(
            invoice=invoice, paid_on=today, amount=D(amount), tax_withheld=D("900000"), by=ppk
        )
    contract = selectors.contract_with_details(Contract.objects.filter(pk=contract.pk)).get()
    page = selectors.contract_page(contract)
    flags = list(contract.flags.all())
    paged = Paginator([contract], 25).page(1)
    return {
        "user": ppk if "officer" in name else member.user,
        "contract": contract,
        "page": page,
        "handover": contract.handover,
        "rating": contract.rating,
        "flags": flags,
        "flag": flags[0],
        "delivery": first,
        "opd": contract.opd,
        "is_ppk": True,
        "open_for_delivery": False,
        "back_url": "/kontrak/opd/1/",
        "contracts": [contract],
        **page_context(paged),
        "link": "contracts:officer-contract",
        "show_vendor": True,
        "form": HandoverForm() if "handover" in name else DeliveryForm(page=page),
        "response_form": DeliveryResponseForm(),
        "answer_form": RatingAnswerForm(),
        "respond": True,
        "acknowledge": True,
        "payments": contract_payments(contract),
        "payments_link": True,
        "may_record": True,
        "invoice": invoice,
        "payment": payment,
        "balance": D("20000000"),
        "days": 0,
        "invoice_form": InvoiceForm(),
        "payment_form": PaymentForm(invoices=contract.invoices.all(), shown=[invoice]),
    }
