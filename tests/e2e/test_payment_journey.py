"""Paying a contract in a real browser, in Indonesian and in English, at phone and desktop
width: the OPD's Bendahara opens the contract's payment page, records a term against the
vendor's invoice (the page asks first, showing the net and the balance after), and the
vendor sees the payment on its contract page and on the payment page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from contracts import payments
from contracts.models import Payment
from tests import factories
from tests.contracts.conftest import make_contract
from tests.contracts.payment_fixtures import hand_over
from tests.e2e.browser import login

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "id": {
        "record": "Catat pembayaran",
        "confirm": "Ya, catat pembayaran",
        "recorded": "Pembayaran dicatat; penyedia diberi tahu.",
        "balance": "Rp60.000.000",
        "net": "Rp59.100.000",
    },
    "en": {
        "record": "Record payment",
        "confirm": "Yes, record the payment",
        "recorded": "Payment recorded; the vendor has been told.",
        "balance": "Rp60,000,000",
        "net": "Rp59,100,000",
    },
}


@pytest.fixture
def contract_to_pay(db):
    """Rp120,000,000 of desks and cabinets, handed over 6 days ago, invoiced in full."""
    ppk = factories.OfficerFactory(
        user__email="ppk.disdik@contoh.id", opd__name="Dinas Pendidikan", opd__short_name="Disdik"
    ).user
    bendahara = factories.OfficerFactory(
        user__email="bendahara.disdik@contoh.id",
        user__full_name="Yohana Simanjuntak",
        opd=ppk.officer.opd,
        position="bendahara",
    ).user
    member = factories.VendorMemberFactory(
        vendor__name="CV Mebel Jati Condet", user__email="mebel@contoh.id"
    )
    vendor = member.vendor
    desk = factories.ProductFactory(vendor=vendor, name="Meja belajar", kbli="31001")
    cabinet = factories.ProductFactory(vendor=vendor, name="Lemari arsip", kbli="31001")
    factories.TKDNCertificateFactory(
        vendor=vendor, products=[desk], tkdn_pct=Decimal("60"), bmp_pct=Decimal("10")
    )
    factories.TKDNCertificateFactory(
        vendor=vendor, products=[cabinet], tkdn_pct=Decimal("30"), bmp_pct=Decimal("5")
    )
    contract = make_contract(ppk, (member.user, vendor, desk, cabinet), number="KTR/027/2026")
    hand_over(contract, by=ppk, days_ago=6)
    payments.invoice_record(
        contract=contract,
        number="INV/MEBEL/031",
        issued_on=timezone.localdate() - timedelta(days=5),
        amount=Decimal("120000000"),
        by=bendahara,
    )
    return contract, bendahara, member.user


def _speak(journey, page, language: str) -> None:
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": journey.base}]
    )


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
@pytest.mark.parametrize("language", ["id", "en"])
def test_the_bendahara_records_a_payment_and_the_vendor_sees_it(
    journey, contract_to_pay, language, phone
):
    contract, bendahara, vendor_user = contract_to_pay
    words = WORDS[language]

    officer = journey.open(phone=phone)
    payments_path = f"/kontrak/{contract.pk}/pembayaran/"
    login(journey, officer, bendahara.email, factories.PASSWORD, next_path=payments_path)
    _speak(journey, officer, language)
    officer.goto(journey.url(payments_path))
    journey.step(officer, f"bendahara-payments-{language}")
    form = officer.locator(f"form[action='/kontrak/{contract.pk}/pembayaran/baru/']")
    form.locator("#id_paid_on").fill(timezone.localdate().isoformat())
    form.locator("#id_amount").fill("60000000")
    form.locator("#id_tax_withheld").fill("900000")
    form.get_by_role("button", name=words["record"]).click()
    officer.wait_for_load_state("load")
    journey.step(officer, f"bendahara-confirm-{language}")
    expect(officer.locator("main")).to_contain_text(words["net"])
    officer.get_by_role("button", name=words["confirm"]).click()
    officer.wait_for_load_state("load")
    journey.step(officer, f"bendahara-recorded-{language}")
    expect(officer.locator("main")).to_contain_text(words["recorded"])
    expect(officer.locator("[data-balance]")).to_have_text(words["balance"])
    assert Payment.objects.filter(invoice__contract=contract).count() == 1

    vendor = journey.open(phone=phone)
    contract_path = f"/kontrak/saya/{contract.pk}/"
    login(journey, vendor, vendor_user.email, factories.PASSWORD, next_path=contract_path)
    _speak(journey, vendor, language)
    vendor.goto(journey.url(contract_path))
    journey.step(vendor, f"vendor-contract-{language}")
    section = vendor.locator("#pembayaran")
    expect(section).to_contain_text("INV/MEBEL/031")
    expect(section.locator("[data-balance]")).to_have_text(words["balance"])
    vendor.goto(journey.url(payments_path))
    journey.step(vendor, f"vendor-payments-{language}")
    expect(vendor.locator("main")).to_contain_text(words["net"])
    expect(vendor.get_by_role("button", name=words["record"])).to_have_count(0)
    journey.finish()


TARGET_WORDS = {
    "id": {
        "save": "Simpan target",
        "range": "Target pembayaran antara 1 dan 365 hari kalender.",
        "saved": "Target pembayaran OPD disimpan.",
        "funnel": "Corong realisasi",
        "flags": "Kontrak yang ditandai saat pengiriman",
        "short": "Rp12.000.000",
    },
    "en": {
        "save": "Save the target",
        "range": "The payment target is between 1 and 365 calendar days.",
        "saved": "The OPD's payment target is saved.",
        "funnel": "Realisation funnel",
        "flags": "Contracts flagged at delivery",
        "short": "Rp12,000,000",
    },
}


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
@pytest.mark.parametrize("language", ["id", "en"])
def test_the_ppk_sets_the_payment_target_and_reads_the_funnel_and_the_flags(
    journey, contract_to_pay, language, phone
):
    """The OPD's PPK: a target out of range is refused with the reason, a good one saved;
    the programme dashboard shows the funnel and the contract flagged below its offer."""
    from contracts.models import ContractFlag, FlagKind

    contract, _bendahara, _vendor_user = contract_to_pay
    ContractFlag.objects.create(
        contract=contract,
        kind=FlagKind.TKDN_SHORTFALL,
        shortfall_pct=Decimal("10"),
        shortfall_value=Decimal("12000000"),
        raised_at=timezone.now(),
    )
    words = TARGET_WORDS[language]
    ppk = journey.open(phone=phone)
    target_path = "/pengadaan/opd/target-pembayaran/"
    login(journey, ppk, "ppk.disdik@contoh.id", factories.PASSWORD, next_path=target_path)
    _speak(journey, ppk, language)
    ppk.goto(journey.url(target_path))
    journey.step(ppk, f"ppk-payment-target-{language}")
    ppk.locator("#id_payment_target_days").fill("0")
    ppk.get_by_role("button", name=words["save"]).click()
    ppk.wait_for_load_state("load")
    journey.step(ppk, f"ppk-payment-target-refused-{language}")
    expect(ppk.locator("main")).to_contain_text(words["range"])
    ppk.locator("#id_payment_target_days").fill("20")
    ppk.get_by_role("button", name=words["save"]).click()
    ppk.wait_for_load_state("load")
    journey.step(ppk, f"ppk-payment-target-saved-{language}")
    expect(ppk.locator("body")).to_contain_text(words["saved"])
    contract.opd.refresh_from_db()
    assert contract.opd.payment_target_days == 20

    ppk.goto(journey.url(f"/dasbor/?year={contract.package.fiscal_year}"))
    journey.step(ppk, f"ppk-dashboard-{language}")
    expect(ppk.locator("main")).to_contain_text(words["funnel"])
    flags = ppk.locator("[data-funnel='flags']")
    expect(flags).to_contain_text(words["short"])
    flags.scroll_into_view_if_needed()
    journey.step(ppk, f"ppk-dashboard-flags-{language}")
    journey.finish()
