"""The blacklist in a real browser: the public directory marks a blacklisted vendor with its
period (on the list and on the vendor's page, with its rating beside it), the vendor reads
its listing with the reason and the period on its home page, at phone width (390 px) and on
a desktop, in Bahasa Indonesia and in English. (The admin's lift action is walked with the
test client: tests/vendors/test_blacklist.py.)"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from playwright.sync_api import expect

from tests import factories
from tests.otp import BACKEND
from vendors import directory
from vendors import services as vendor_services

pytestmark = pytest.mark.django_db(transaction=True)

VENDOR = "CV Kaos Olahraga Ciracas"
OTHER = "CV Garmen Cakung Mandiri"
REFERENCE = "KEP-DH/PPKUKM/014/2026"
REASON = "Wanprestasi pada kontrak pengadaan kaos olahraga 2025."
NOTICE = {"id": "Usaha Anda masuk daftar hitam", "en": "Your business is blacklisted"}
BADGE = {"id": "Daftar hitam:", "en": "Blacklisted:"}
RATING = {"id": "3,5/4 dari 2 penilaian", "en": "3.5/4 from 2 ratings"}


def _certified(member, name):
    product = factories.ProductFactory(vendor=member.vendor, name=name, kbli="14111")
    factories.TKDNCertificateFactory(vendor=member.vendor, products=[product])
    return product


@pytest.fixture
def cast(db):
    admin = factories.AdminFactory()
    member = factories.VendorMemberFactory(
        vendor__name=VENDOR, user__email="kaos@contoh.id", user__full_name="Bambang Sutrisno"
    )
    _certified(member, "Kaos olahraga SD katun")
    other = factories.VendorMemberFactory(vendor__name=OTHER)
    _certified(other, "Seragam olahraga SMP katun")
    vendor_services.vendor_ratings_set(
        vendor_id=member.vendor.pk,
        count=2,
        averages={"quality": "4", "cost": "3", "time": "3", "service": "4"},
    )
    today = timezone.localdate()
    listing = vendor_services.blacklisting_create(
        vendor=member.vendor,
        by=admin,
        reason=REASON,
        decision_reference=REFERENCE,
        starts_on=today - timedelta(days=3),
        ends_on=today + timedelta(days=362),
    )
    to_lift = vendor_services.blacklisting_create(
        vendor=other.vendor,
        by=admin,
        reason="Dokumen kualifikasi tidak benar.",
        decision_reference="KEP-DH/PPKUKM/015/2026",
        starts_on=today + timedelta(days=10),
    )
    directory.listing_current(on=today)
    return {"admin": admin, "member": member, "listing": listing, "to_lift": to_lift}


def _sign_in_cookie(user) -> str:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _speaking(journey, page, language: str, session: str | None = None) -> None:
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language}]
    if session:
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session})
    page.context.add_cookies([{**c, "url": journey.base} for c in cookies])


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_directory_marks_the_vendor_and_the_vendor_reads_its_listing(
    journey, cast, language, phone
):
    with translation.override(language):
        period = cast["listing"].period_display()
    width = "phone" if phone else "desktop"

    visitor = journey.open(phone=phone)
    _speaking(journey, visitor, language)
    visitor.goto(journey.url("/penyedia/direktori/"))
    assert visitor.locator("html").get_attribute("lang") == language
    row = visitor.locator("tr").filter(has_text=VENDOR).first
    expect(row.locator(".blacklist-badge")).to_contain_text(f"{BADGE[language]} {period}")
    expect(row.locator(".vendor-rating")).to_contain_text(RATING[language])
    expect(
        visitor.locator("tr").filter(has_text=OTHER).first.locator(".blacklist-badge")
    ).to_have_count(0)
    journey.step(visitor, f"directory-{width}-{language}")
    row.get_by_role("link", name=VENDOR).click()
    visitor.wait_for_load_state("load")
    expect(visitor.locator("main .alert-danger")).to_contain_text(REFERENCE)
    expect(visitor.locator("main .blacklist-badge")).to_contain_text(period)
    journey.step(visitor, f"directory-vendor-{width}-{language}")

    owner = cast["member"].user
    owner.language = language
    owner.save(update_fields=["language"])
    vendor = journey.open(phone=phone)
    _speaking(journey, vendor, language, _sign_in_cookie(owner))
    vendor.goto(journey.url("/penyedia/"))
    notice = vendor.locator(".blacklist-notice")
    expect(notice).to_contain_text(NOTICE[language])
    expect(notice).to_contain_text(period)
    expect(notice).to_contain_text(REFERENCE)
    expect(notice).to_contain_text(REASON)
    journey.step(vendor, f"vendor-home-{width}-{language}")
    journey.finish()
