"""After the contract, in a real browser: the PPK records a partial delivery, the vendor
disputes it with a note; the PPK records the rest, the vendor confirms; the PPK signs the
handover (BAST) with the vendor's rating (a low mark needs its note), confirming first; the
vendor acknowledges the BAST and answers the rating once; both open the printable BAST.

Run in Bahasa Indonesia and in English; the PPK works at desktop width (1366 px) and the
vendor on a phone (390 px) in one language, the other way round in the other. The contract:
100 desks at Rp1.000.000 (TKDN 60) and 10 cabinets at Rp2.000.000 (TKDN 30), offered TKDN
55%; delivered as bid, the achieved TKDN is the offer's."""

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from contracts.models import Contract, ContractStatus, VendorResponse
from tests import factories
from tests.contracts.conftest import make_contract
from tests.e2e.browser import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cast(db):
    ppk = factories.OfficerFactory(
        user__email="ppk.kontrak@contoh.id",
        user__full_name="Rina Kartikasari",
        opd__name="Dinas Pendidikan",
        opd__short_name="Disdik",
        position="ppk",
    ).user
    member = factories.VendorMemberFactory(
        vendor__name="PT Sinar Mebel Cakung", user__email="mebel.kontrak@contoh.id"
    )
    vendor = member.vendor
    desk = factories.ProductFactory(vendor=vendor, name="Meja belajar jati", kbli="31001")
    cabinet = factories.ProductFactory(vendor=vendor, name="Lemari arsip besi", kbli="31001")
    factories.TKDNCertificateFactory(vendor=vendor, products=[desk], tkdn_pct="60", bmp_pct="10")
    factories.TKDNCertificateFactory(vendor=vendor, products=[cabinet], tkdn_pct="30", bmp_pct="5")
    contract = make_contract(ppk, (member.user, vendor, desk, cabinet), number="KTR/027/2026")
    return ppk, member.user, contract


def _speak(journey, page, language: str) -> None:
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": journey.url("/")}]
    )


def _submit(page) -> None:
    page.locator("main form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state("load")


def _record(journey, page, contract, quantities: dict, name: str) -> None:
    """The PPK's delivery form: {line position: (delivered, accepted)}."""
    page.goto(journey.url(f"/kontrak/opd/{contract.pk}/"))
    journey.step(page, f"{name}-contract")
    page.locator(f"a[href='/kontrak/opd/{contract.pk}/pengiriman/']").click()
    journey.step(page, f"{name}-form")
    page.locator("#id_delivered_on").fill(timezone.localdate().isoformat())
    for line in contract.lines.order_by("position"):
        if line.position in quantities:
            delivered, accepted = quantities[line.position]
            page.locator(f"#id_line_{line.pk}_delivered").fill(delivered)
            page.locator(f"#id_line_{line.pk}_accepted").fill(accepted)
    _submit(page)
    assert page.url.endswith(f"/kontrak/opd/{contract.pk}/"), page.url
    journey.step(page, f"{name}-recorded")


@pytest.mark.parametrize("language", ["id", "en"])
def test_delivery_handover_rating_and_answer(journey, cast, language):
    ppk, vendor_user, contract = cast
    officer = journey.open(phone=language == "en")
    vendor = journey.open(phone=language == "id")
    login(journey, officer, ppk.email, factories.PASSWORD)
    journey.step(officer, "ppk-home")
    _speak(journey, officer, language)
    login(journey, vendor, vendor_user.email, factories.PASSWORD)
    journey.step(vendor, "vendor-home")
    _speak(journey, vendor, language)

    officer.locator("main a[href='/kontrak/opd/']").click()
    journey.step(officer, "ppk-contracts")
    expect(officer.locator("main")).to_contain_text("KTR/027/2026")
    _record(journey, officer, contract, {1: ("60", "58")}, "ppk-first-delivery")
    expect(officer.locator("main")).to_contain_text("58")

    vendor.locator("main a[href='/kontrak/saya/']").click()
    journey.step(vendor, "vendor-contracts")
    vendor.locator(f"a[href='/kontrak/saya/{contract.pk}/']").click()
    journey.step(vendor, "vendor-contract-delivery")
    vendor.locator("textarea[name=vendor_note]").fill("Dua meja tidak cacat; mohon diperiksa lagi.")
    vendor.locator("button[name=response][value=dispute]").click()
    vendor.wait_for_load_state("load")
    journey.step(vendor, "vendor-disputed")
    first = contract.deliveries.get(number=1)
    assert first.vendor_response == VendorResponse.DISPUTED

    _record(journey, officer, contract, {1: ("42", "42"), 2: ("10", "10")}, "ppk-second")
    vendor.reload()
    journey.step(vendor, "vendor-second-delivery")
    vendor.locator("button[name=response][value=confirm]").click()
    vendor.wait_for_load_state("load")
    journey.step(vendor, "vendor-confirmed")

    officer.locator(f"a[href='/kontrak/opd/{contract.pk}/bast/']").click()
    journey.step(officer, "ppk-handover-form")
    officer.locator("#id_signed_on").fill(timezone.localdate().isoformat())
    for field, mark in (("quality", "4"), ("cost", "3"), ("time", "2"), ("service", "4")):
        officer.locator(f"input[name={field}][value='{mark}']").check()
    _submit(officer)
    journey.step(officer, "ppk-handover-needs-note")
    expect(officer.locator("#id_rating_note")).to_be_visible()
    officer.locator("#id_rating_note").fill("Dua meja tergores; sisa pengiriman terlambat.")
    _submit(officer)
    journey.step(officer, "ppk-handover-asks-first")
    _submit(officer)
    journey.step(officer, "ppk-handover-signed")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.HANDED_OVER
    officer.locator(f"a[href='/kontrak/{contract.pk}/bast/cetak/']").click()
    journey.step(officer, "ppk-bast-document")
    expect(officer.locator("main")).to_contain_text(contract.handover.number)

    vendor.reload()
    journey.step(vendor, "vendor-handed-over")
    expect(vendor.locator("main")).to_contain_text("Dua meja tergores")
    vendor.locator(f"form[action='/kontrak/saya/{contract.pk}/bast/akui/'] button").click()
    vendor.wait_for_load_state("load")
    journey.step(vendor, "vendor-acknowledged")
    vendor.locator("textarea[name=answer]").fill("Pengiriman kedua terlambat karena banjir.")
    vendor.locator(f"form[action='/kontrak/saya/{contract.pk}/penilaian/jawab/'] button").click()
    vendor.wait_for_load_state("load")
    journey.step(vendor, "vendor-answered")
    vendor.locator(f"a[href='/kontrak/{contract.pk}/bast/cetak/']").click()
    journey.step(vendor, "vendor-bast-document")

    contract = Contract.objects.get(pk=contract.pk)
    assert contract.handover.vendor_acknowledged_by == vendor_user
    assert contract.rating.vendor_answer == "Pengiriman kedua terlambat karena banjir."
    assert contract.handover.achieved_tkdn_pct == contract.offered_tkdn_pct
    assert officer.locator("html").get_attribute("lang") == language
    journey.finish()
