"""A contract's `implementation` in the OCDS export: a milestone per delivery and one for the
BAST, a transaction per payment, the achieved local content in our extension; the package
still validates against OCDS 1.1.5 with the declared extensions, and each step adds a
release rather than changing one."""

import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts.models import (
    Contract,
    ContractStatus,
    Delivery,
    DeliveryLine,
    Handover,
    Invoice,
    Payment,
)
from opendata import ocds
from tests.opendata.schema import validation_errors

D = Decimal
pytestmark = pytest.mark.django_db


def _deliver_and_pay(package, ppk, *, pay_all: bool):
    """Everything delivered in one delivery, the desks at TKDN 50 (offered higher), the
    cabinets as offered; BAST; an invoice of the whole value paid in one or two terms."""
    contract = Contract.objects.get(package=package)
    today = timezone.localdate()
    delivery = Delivery.objects.create(
        contract=contract,
        number=1,
        delivered_on=today - timedelta(days=12),
        recorded_by=ppk,
        recorded_at=timezone.now() - timedelta(days=12),
    )
    lines = list(contract.lines.order_by("position"))
    for n, line in enumerate(lines):
        DeliveryLine.objects.create(
            delivery=delivery,
            contract_line=line,
            product=line.product,
            quantity_delivered=line.quantity,
            quantity_accepted=line.quantity,
            tkdn_pct=D("50") if n == 0 else line.offered_tkdn_pct,
            bmp_pct=line.offered_bmp_pct,
            substitution_reason="",
        )
    Handover.objects.create(
        contract=contract,
        number=f"BAST/UJI/{contract.pk}",
        signed_on=today - timedelta(days=10),
        signed_by=ppk,
        signed_at=timezone.now() - timedelta(days=10),
        accepted_value=contract.value,
        achieved_tkdn_pct=D("45.50"),
        achieved_tkdn_bmp_pct=D("50.50"),
    )
    invoice = Invoice.objects.create(
        contract=contract,
        number="INV/UJI/1",
        issued_on=today - timedelta(days=9),
        amount=contract.value,
        recorded_by=ppk,
        recorded_at=timezone.now(),
    )
    first = contract.value if pay_all else contract.value / 2
    Payment.objects.create(
        invoice=invoice,
        paid_on=today - timedelta(days=3),
        amount=first,
        tax_withheld=D("1500000"),
        recorded_by=ppk,
        recorded_at=timezone.now(),
    )
    if pay_all:
        Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.PAID)
    return contract, lines


def _package_json(package) -> dict:
    fresh = ocds.published_package(package.pk)
    return ocds.release_package(packages=[fresh], uri="https://contoh.id/open-data/ocds.json")


def test_a_paid_contract_validates_with_its_implementation(contracted, ppk):
    package, _, _ = contracted
    contract, lines = _deliver_and_pay(package, ppk, pay_all=True)
    data = _package_json(package)
    assert validation_errors(data) == []
    assert [r["tag"] for r in data["releases"]][-2:] == [["contract"], ["implementation"]]
    release = data["releases"][-1]
    assert release["id"].endswith("-implementation-d1-b1-p1")
    (published,) = release["contracts"]
    assert published["id"] == data["releases"][-2]["contracts"][0]["id"]
    assert published["status"] == "terminated"
    milestones = published["implementation"]["milestones"]
    assert [(m["type"], m["status"]) for m in milestones] == [
        ("delivery", "met"),
        ("approval", "met"),
    ]
    assert milestones[1]["code"] == "BAST"
    (transaction,) = published["implementation"]["transactions"]
    assert transaction["value"] == {"amount": int(contract.value), "currency": "IDR"}
    assert transaction["taxWithheld"] == {"amount": 1500000, "currency": "IDR"}
    assert transaction["payee"]["id"] == f"penyedia-{contract.vendor_id}"
    assert transaction["invoiceNumber"] == "INV/UJI/1"
    achieved = published["achievedLocalContent"]
    assert (achieved["tkdnPercentage"], achieved["tkdnBmpPercentage"]) == (45.5, 50.5)
    assert achieved["bmpPercentage"] == 5
    # Per item, over its accepted quantity: the desks at the delivered TKDN 50.
    assert achieved["lines"][0] == {
        "relatedItem": f"item-{lines[0].item_id}",
        "tkdnPercentage": 50,
        "bmpPercentage": float(lines[0].offered_bmp_pct)
        if lines[0].offered_bmp_pct % 1
        else int(lines[0].offered_bmp_pct),
    }


def test_a_partly_paid_contract_stays_active_and_a_new_step_adds_a_release(contracted, ppk):
    package, _, _ = contracted
    contract, _ = _deliver_and_pay(package, ppk, pay_all=False)
    first = _package_json(package)
    assert validation_errors(first) == []
    assert first["releases"][-1]["contracts"][0]["status"] == "active"
    invoice = contract.invoices.get()
    Payment.objects.create(
        invoice=invoice,
        paid_on=timezone.localdate(),
        amount=contract.value / 2,
        recorded_by=ppk,
        recorded_at=timezone.now(),
    )
    second = _package_json(package)
    ids = [r["id"] for r in second["releases"]]
    assert first["releases"][-1]["id"] != ids[-1]
    assert ids[-1].endswith("-p2")


def test_the_record_compiles_the_implementation(contracted, ppk):
    package, _, _ = contracted
    _deliver_and_pay(package, ppk, pay_all=True)
    fresh = ocds.published_package(package.pk)
    record = ocds.record_package(package=fresh, uri="https://contoh.id/paket.json")
    assert validation_errors(record) == []
    compiled = record["records"][0]["compiledRelease"]
    (contract,) = compiled["contracts"]
    assert contract["status"] == "terminated"
    assert len(contract["implementation"]["transactions"]) == 1
    assert "value" in contract  # the contract release's fields are kept


def test_a_contract_without_steps_adds_no_release(contracted):
    data = _package_json(contracted[0])
    assert [r["tag"] for r in data["releases"]][-1] == ["contract"]


def test_the_validator_rejects_a_bad_tax(contracted, ppk):
    package, _, _ = contracted
    _deliver_and_pay(package, ppk, pay_all=True)
    data = _package_json(package)
    data["releases"][-1]["contracts"][0]["implementation"]["transactions"][0]["taxWithheld"] = "x"
    assert validation_errors(data) != []


def test_the_export_reads_contracts_in_four_queries_per_chunk(
    contracted, ppk, django_assert_num_queries
):
    _deliver_and_pay(contracted[0], ppk, pay_all=True)
    out = io.StringIO()
    # 1 the published ids; 8 for the chunk's packages, items, events, bids, vendors, lines,
    # results and runs (tests/opendata/test_export_command.py); 4 for its contracts (with
    # their BAST), deliveries, payments and achieved local content per item.
    with django_assert_num_queries(1 + 8 + 4):
        ocds.write_release_package(out, uri="https://contoh.id/ocds.json")
    data = json.loads(out.getvalue())
    assert validation_errors(data) == []
    assert data["releases"][-1]["tag"] == ["implementation"]
