"""The payment page: who sees it, who records, bad input, the confirmation step."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts import payments
from contracts.models import ContractStatus, Invoice, Payment
from p3dn_portal.lib.confirm import CONFIRMED
from tests.contracts.conftest import make_contract
from tests.contracts.payment_fixtures import hand_over
from tests.factories import OfficerFactory, VendorMemberFactory

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def handed_over(contract, desk_ppk):
    hand_over(contract, by=desk_ppk, days_ago=10)
    contract.refresh_from_db()
    return contract


@pytest.fixture
def bendahara(desk_ppk):
    return OfficerFactory(opd=desk_ppk.officer.opd, position="bendahara").user


def _urls(contract):
    return {
        "page": reverse("contracts:payments", args=[contract.pk]),
        "invoice": reverse("contracts:invoice-add", args=[contract.pk]),
        "payment": reverse("contracts:payment-add", args=[contract.pk]),
    }


def _invoice(contract, by, amount="120000000"):
    return payments.invoice_record(
        contract=contract,
        number="INV/2026/031",
        issued_on=timezone.localdate(),
        amount=D(amount),
        by=by,
    )


def test_anonymous_goes_to_the_login_page(client, handed_over):
    for url in _urls(handed_over).values():
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_it_shows_the_vendor_its_invoices_and_payments(
    client, login, handed_over, supplier, bendahara
):
    invoice = _invoice(handed_over, bendahara)
    payments.payment_record(
        invoice=invoice,
        paid_on=timezone.localdate(),
        amount=D("20000000"),
        tax_withheld=D("300000"),
        by=bendahara,
    )
    login(supplier[0])
    response = client.get(_urls(handed_over)["page"])
    assert response.status_code == 200
    html = response.content.decode()
    assert "INV/2026/031" in html
    assert "Rp19.700.000" in html  # net of the tax
    assert "Rp100.000.000" in html  # the balance
    assert "Catat pembayaran" not in html  # the vendor only reads
    # The vendor cannot record.
    response = client.post(_urls(handed_over)["invoice"], {"number": "X"})
    assert response.status_code == 403


def test_another_company_and_another_opd_get_404(client, login, handed_over):
    for user in (
        VendorMemberFactory().user,
        OfficerFactory(position="bendahara").user,
    ):
        login(user)
        for url in _urls(handed_over).values():
            method = client.get if url.endswith("pembayaran/") else client.post
            assert method(url).status_code == 404, (user, url)


def test_an_officer_of_the_opd_in_another_position_reads_but_cannot_record(
    client, login, handed_over, desk_ppk
):
    pokja = OfficerFactory(opd=desk_ppk.officer.opd, position="pokja").user
    login(pokja)
    response = client.get(_urls(handed_over)["page"])
    assert response.status_code == 200
    assert "Catat tagihan" not in response.content.decode()
    response = client.post(
        _urls(handed_over)["invoice"],
        {"number": "INV-1", "issued_on": timezone.localdate().isoformat(), "amount": "1000"},
    )
    assert response.status_code == 403
    assert not Invoice.objects.exists()


def test_admins_have_no_payment_page(client, login, handed_over, admin_user):
    login(admin_user)
    assert client.get(_urls(handed_over)["page"]).status_code == 404


def test_the_bendahara_records_an_invoice_then_a_payment_after_confirming(
    client, login, handed_over, bendahara
):
    login(bendahara)
    urls = _urls(handed_over)
    today = timezone.localdate().isoformat()
    response = client.post(
        urls["invoice"], {"number": "INV/2026/031", "issued_on": today, "amount": "120.000.000"}
    )
    assert response.status_code == 302
    invoice = Invoice.objects.get()
    data = {
        "invoice": invoice.pk,
        "paid_on": today,
        "amount": "120.000.000",
        "tax_withheld": "1.800.000",
    }
    response = client.post(urls["payment"], data)
    assert response.status_code == 200  # asks first
    html = response.content.decode()
    assert "Catat pembayaran ini?" in html
    assert "Rp118.200.000" in html  # net
    assert not Payment.objects.exists()
    response = client.post(urls["payment"], {**data, **CONFIRMED})
    assert response.status_code == 302
    handed_over.refresh_from_db()
    assert handed_over.status == ContractStatus.PAID
    html = client.get(urls["page"]).content.decode()
    assert "Rp0" in html
    assert "dalam target" in html


def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    client, login, handed_over, desk_ppk
):
    login(desk_ppk)
    urls = _urls(handed_over)
    response = client.post(urls["invoice"], {"number": "", "issued_on": "kemarin", "amount": "x"})
    assert response.status_code == 200  # the form again, with what is wrong
    html = response.content.decode()
    assert "Tulis tanggal yang benar" in html
    assert not Invoice.objects.exists()
    invoice = _invoice(handed_over, desk_ppk, amount="1000")
    response = client.post(
        urls["payment"],
        {
            "invoice": invoice.pk,
            "paid_on": timezone.localdate().isoformat(),
            "amount": "200.000.000",
            "tax_withheld": "0",
            **CONFIRMED,
        },
    )
    assert response.status_code == 200  # the form again, with what is wrong
    assert "Pembayaran melebihi sisa" in response.content.decode()
    assert not Payment.objects.exists()


def test_no_invoice_before_the_bast(client, login, contract, desk_ppk):
    login(desk_ppk)
    urls = _urls(contract)
    html = client.get(urls["page"]).content.decode()
    assert "Pembayaran mengikuti serah terima" in html
    assert "Catat tagihan" not in html
    response = client.post(
        urls["invoice"],
        {"number": "INV-1", "issued_on": timezone.localdate().isoformat(), "amount": "1000"},
    )
    assert response.status_code == 200  # the form again, with what is wrong
    assert str(payments.NO_BAST) in response.content.decode()
    assert not Invoice.objects.exists()


def test_another_contract_of_the_opd_does_not_lend_its_invoice(
    client, login, handed_over, desk_ppk, supplier
):
    other = make_contract(desk_ppk, supplier, number="KTR/002/2026")
    hand_over(other, by=desk_ppk, days_ago=5)
    foreign = _invoice(other, desk_ppk, amount="1000")
    login(desk_ppk)
    response = client.post(
        _urls(handed_over)["payment"],
        {
            "invoice": foreign.pk,
            "paid_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "amount": "10",
            "tax_withheld": "0",
            **CONFIRMED,
        },
    )
    assert response.status_code == 200  # the form again, with what is wrong
    assert "Pilih tagihan kontrak ini dari daftar." in response.content.decode()
    assert not Payment.objects.exists()


@pytest.mark.parametrize("terms", [1, 4])
def test_the_payment_page_runs_a_fixed_number_of_queries(
    login, handed_over, bendahara, terms, django_assert_num_queries
):
    invoice = _invoice(handed_over, bendahara)
    for _ in range(terms):
        payments.payment_record(
            invoice=invoice,
            paid_on=timezone.localdate(),
            amount=D("1000000"),
            tax_withheld=D("0"),
            by=bendahara,
        )
    client = login(bendahara)
    # 1 the user with its officer seat (and the navbar's unread count), 2 the contract with
    # OPD, vendor, package and BAST, 3 invoices, 4 their payments
    with django_assert_num_queries(4):
        response = client.get(_urls(handed_over)["page"])
    assert response.status_code == 200
    assert len(response.context["payments"].invoices[0].payments) == terms
