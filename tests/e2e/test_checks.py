"""The checks the journeys rely on do fail: axe-core on a page with planted violations, the
phone-width check on a page wider than the phone or without a menu, and a journey that
reached a page without checking it."""

import pytest

from tests.e2e.browser import PHONE, axe_check, phone_check
from tests.e2e.conftest import journey_end

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def test_axe_check_names_each_serious_violation_with_its_elements_and_help(phone_page, axe_source):
    phone_page.set_content(
        '<html lang="id"><head><title>Uji</title></head><body><main>'
        '<img src="x.png" id="no-alt"><input type="text" id="no-label">'
        "</main></body></html>"
    )
    with pytest.raises(AssertionError, match=r"image-alt \(critical\)") as failure:
        axe_check(phone_page, axe_source)
    report = str(failure.value)
    assert "image-alt (critical)" in report
    assert "#no-alt" in report
    assert "label (critical)" in report
    assert "#no-label" in report
    assert "https://dequeuniversity.com/rules/axe/" in report


def test_axe_check_passes_a_clean_page(phone_page, axe_source):
    phone_page.set_content(
        '<html lang="id"><head><title>Uji</title></head><body><main><h1>Beranda</h1>'
        '<label for="nama">Nama</label><input id="nama" type="text"></main></body></html>'
    )
    assert axe_check(phone_page, axe_source) == []


def test_phone_check_refuses_a_page_wider_than_the_phone(phone_page):
    phone_page.set_content(
        f"<html><head>{VIEWPORT}</head><body>"
        '<header><button class="navbar-toggler">Menu</button></header>'
        '<main><table id="lebar"><tr><td style="min-width: 900px">Rp1.200.000.000</td></tr>'
        "</table></main></body></html>"
    )
    with pytest.raises(AssertionError, match=r"wider than the phone \(\d+px > 390px\)"):
        phone_check(phone_page)


def test_phone_check_refuses_a_page_without_a_menu_button(phone_page):
    phone_page.set_content(
        f"<html><head>{VIEWPORT}</head><body><header><nav>Beranda</nav></header></body></html>"
    )
    with pytest.raises(AssertionError, match="no menu button at phone width"):
        phone_check(phone_page)


@pytest.mark.django_db(transaction=True)
def test_a_journey_fails_on_a_page_it_did_not_check(journey):
    page = journey.open(phone=True)
    page.goto(journey.url("/"))
    journey.step(page, "landing")
    page.goto(journey.url("/temu-bisnis/"))
    with pytest.raises(AssertionError, match=r"not axe-checked\): \['/temu-bisnis/'\]"):
        journey.finish()


@pytest.mark.django_db(transaction=True)
def test_a_passing_journey_fails_at_its_end_on_a_planted_console_error(journey):
    page = journey.open()
    page.goto(journey.url("/"))
    with page.expect_console_message(lambda message: message.type == "error"):
        page.evaluate("console.error('planted: a script the page could not load')")
    journey.step(page, "landing")
    # What the fixture's teardown does after a passing test that never called finish().
    with pytest.raises(AssertionError, match=r"console: planted: a script the page could not"):
        journey_end(journey, passed=True)
    assert journey.visits == []


def test_phone_check_refuses_a_page_without_the_viewport_meta_tag(phone_page):
    # Laid out 980px wide, as a phone shows a page written for desktops only.
    phone_page.set_content(
        '<html><body><header><button class="navbar-toggler">Menu</button></header>'
        "<main><p>Paket diumumkan</p></main></body></html>"
    )
    with pytest.raises(AssertionError, match=r"wider than the phone \(980px > 390px\)"):
        phone_check(phone_page)
