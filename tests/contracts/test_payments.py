"""Recording invoices and payments (services): the balance, terms, over-payment and payment
before the BAST refused, who may record, the audit row and the vendor's notification."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Notification
from audit.models import AuditAction, AuditEntry
from contracts import payments
from contracts.models import ContractStatus, Invoice, Payment
from contracts.payment_selectors import contract_payments
from tests.contracts.payment_fixtures import hand_over
from tests.factories import OfficerFactory

D = Decimal
pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


@pytest.fixture
def bendahara(desk_ppk):
    return OfficerFactory(opd=desk_ppk.officer.opd, position="bendahara").user


@pytest.fixture
def handed_over(contract, desk_ppk):
    hand_over(contract, by=desk_ppk, days_ago=10)
    contract.refresh_from_db()
    return contract


def test_it_pays_in_terms_down_to_zero(
    handed_over, bendahara, supplier, django_capture_on_commit_callbacks
):
    contract = handed_over
    invoice = payments.invoice_record(
        contract=contract,
        number="INV-1",
        issued_on=_today() - timedelta(days=9),
        amount=D("120000000"),
        by=bendahara,
    )
    # Term 1, 8 days after the BAST: 70,000,000 gross, 1,050,000 tax (1.5%).
    payments.payment_record(
        invoice=invoice,
        paid_on=_today() - timedelta(days=2),
        amount=D("70000000"),
        tax_withheld=D("1050000"),
        by=bendahara,
    )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.HANDED_OVER
    figures = contract_payments(contract)
    assert figures.balance == D("50000000")  # 120M - 70M
    assert figures.net == D("68950000")  # 70M - 1.05M
    assert figures.days_to_payment is None
    assert figures.invoices[0].payments[0].days_from_bast == 8
    # Term 2, 10 days after the BAST, settles: 50,000,000 gross, 750,000 tax.
    with django_capture_on_commit_callbacks(execute=True):
        payments.payment_record(
            invoice=invoice,
            paid_on=_today(),
            amount=D("50000000"),
            tax_withheld=D("750000"),
            by=bendahara,
        )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.PAID
    figures = contract_payments(contract)
    assert figures.balance == 0
    assert figures.tax_withheld == D("1800000")
    assert figures.net == D("118200000")
    assert figures.days_to_payment == 10
    assert figures.within_target  # 10 <= 15 days (the default target)
    entries = AuditEntry.objects.filter(object_id=contract.pk, action=AuditAction.PAYMENT_RECORDED)
    assert entries.count() == 2
    last = entries.order_by("-at", "-pk").first()
    assert last.changes["status"] == ["handed_over", "paid"]
    assert last.changes["balance"] == ["50000000.00", "0.00"]
    assert last.actor == bendahara
    # The vendor heard of the invoice and of each payment, in the portal and by mail.
    vendor_user = supplier[0]
    kinds = list(
        Notification.objects.filter(user=vendor_user).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == [
        "contracts/invoice_recorded",
        "contracts/payment_recorded",
        "contracts/payment_recorded",
    ]
    assert any("Rp50.000.000" in m.subject and contract.number in m.subject for m in mail.outbox)


def test_it_refuses_paying_past_the_contract_value(handed_over, desk_ppk):
    contract = handed_over
    first = payments.invoice_record(
        contract=contract, number="INV-1", issued_on=_today(), amount=D("100000000"), by=desk_ppk
    )
    second = payments.invoice_record(
        contract=contract, number="INV-2", issued_on=_today(), amount=D("20000000"), by=desk_ppk
    )
    payments.payment_record(
        invoice=first, paid_on=_today(), amount=D("100000000"), tax_withheld=D(0), by=desk_ppk
    )
    # Paying the second invoice in full is fine; one rupiah more is not (over the invoice).
    with pytest.raises(ValidationError, match=r".") as error:
        payments.payment_record(
            invoice=second,
            paid_on=_today(),
            amount=D("20000000.01"),
            tax_withheld=D(0),
            by=desk_ppk,
        )
    assert "20.000.000" in str(error.value)
    assert Payment.objects.count() == 1


def test_payments_never_add_up_past_the_value_even_across_invoices(handed_over, desk_ppk):
    contract = handed_over
    invoice = payments.invoice_record(
        contract=contract, number="INV-1", issued_on=_today(), amount=D("120000000"), by=desk_ppk
    )
    payments.payment_record(
        invoice=invoice, paid_on=_today(), amount=D("119999999"), tax_withheld=D(0), by=desk_ppk
    )
    with pytest.raises(ValidationError, match=r".") as error:
        payments.payment_record(
            invoice=invoice, paid_on=_today(), amount=D("2"), tax_withheld=D(0), by=desk_ppk
        )
    assert error.value.message_dict["amount"] == [
        str(payments.PAYMENT_ABOVE_BALANCE).format(balance="Rp1")
    ]
    # Invoices cannot add up past it either.
    with pytest.raises(ValidationError, match="sisa nilai kontrak"):
        payments.invoice_record(
            contract=contract, number="INV-2", issued_on=_today(), amount=D("1"), by=desk_ppk
        )
    assert Invoice.objects.count() == 1


def test_it_refuses_an_invoice_before_the_bast(contract, desk_ppk):
    with pytest.raises(ValidationError, match=r".") as error:
        payments.invoice_record(
            contract=contract, number="INV-1", issued_on=_today(), amount=D("1000"), by=desk_ppk
        )
    assert error.value.messages == [str(payments.NO_BAST)]
    assert not Invoice.objects.exists()


def test_it_refuses_dates_before_the_bast_or_ahead(handed_over, desk_ppk):
    with pytest.raises(ValidationError, match=r".") as error:
        payments.invoice_record(
            contract=handed_over,
            number="INV-1",
            issued_on=_today() - timedelta(days=11),
            amount=D("1000"),
            by=desk_ppk,
        )
    assert "issued_on" in error.value.message_dict
    invoice = payments.invoice_record(
        contract=handed_over,
        number="INV-1",
        issued_on=_today() - timedelta(days=3),
        amount=D("1000"),
        by=desk_ppk,
    )
    for paid_on in (_today() + timedelta(days=1), _today() - timedelta(days=4)):
        with pytest.raises(ValidationError, match=r".") as error:
            payments.payment_record(
                invoice=invoice, paid_on=paid_on, amount=D("10"), tax_withheld=D(0), by=desk_ppk
            )
        assert "paid_on" in error.value.message_dict
    with pytest.raises(ValidationError, match=r".") as error:
        payments.payment_record(
            invoice=invoice, paid_on=_today(), amount=D("10"), tax_withheld=D("11"), by=desk_ppk
        )
    assert error.value.message_dict["tax_withheld"] == [str(payments.TAX_ABOVE_AMOUNT)]
    assert not Payment.objects.exists()


def test_only_the_ppk_or_bendahara_of_the_opd_records(handed_over, desk_ppk):
    opd = desk_ppk.officer.opd
    for outsider in (
        OfficerFactory(opd=opd, position="pokja").user,
        OfficerFactory(opd=opd, position="kpa").user,
        OfficerFactory(position="bendahara").user,  # another OPD's
    ):
        with pytest.raises(PermissionDenied, match="OPD"):
            payments.invoice_record(
                contract=handed_over, number="X", issued_on=_today(), amount=D("1"), by=outsider
            )
    assert not Invoice.objects.exists()


def test_a_duplicate_invoice_number_is_refused(handed_over, desk_ppk):
    payments.invoice_record(
        contract=handed_over, number="INV-1", issued_on=_today(), amount=D("10"), by=desk_ppk
    )
    with pytest.raises(ValidationError, match=r".") as error:
        payments.invoice_record(
            contract=handed_over,
            number=" INV-1 ",
            issued_on=_today(),
            amount=D("10"),
            by=desk_ppk,
        )
    assert error.value.message_dict["number"] == [str(payments.NUMBER_TAKEN).format(number="INV-1")]
