"""The menu bar stays on one line from 1280 px on: no link, button or badge wraps onto a
second line and nothing runs past the bar's right edge, in Bahasa Indonesia and English, for
every kind of visitor (anonymous, vendor, officer, admin, a user with no role yet)."""

import re

import pytest
from django.conf import settings
from django.test import Client

from tests import factories
from tests.e2e.browser import ARTIFACTS, TIMEOUT_MS
from tests.otp import BACKEND, sign_in_with_otp

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (1280, 1366, 1440, 1920)
LANGUAGES = ("id", "en")
# A long but real first name: the user's button is the part of the bar that grows.
FULL_NAME = "Kusumawardhani Setyaningrum"

# Each visible piece of the bar: its text, whether it wraps (taller than one line of its
# text plus its padding and border), and whether it ends past the bar's container.
MEASURE = """() => {
    const nav = document.querySelector("header nav.navbar");
    const edge = nav.querySelector(".container").getBoundingClientRect().right;
    const pieces = nav.querySelectorAll(
        ".navbar-brand, .nav-link, .btn, .badge, .navbar-toggler");
    const problems = [];
    for (const piece of pieces) {
        if (piece.offsetParent === null) continue;  // hidden at this width
        const style = getComputedStyle(piece);
        const box = piece.getBoundingClientRect();
        const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
        const inner = box.height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom)
            - parseFloat(style.borderTopWidth) - parseFloat(style.borderBottomWidth);
        const text = piece.textContent.trim().replace(/\\s+/g, " ") || piece.className;
        if (piece.classList.contains("navbar-toggler")) {
            problems.push(`the menu is folded behind its button (${text})`);
        }
        if (inner > line * 1.5) {
            problems.push(`"${text}" wraps (${Math.round(inner)}px high, line ${line}px)`);
        }
        if (box.right > edge + 1) {
            problems.push(`"${text}" ends past the bar's edge (${box.right} > ${edge})`);
        }
    }
    const links = [...nav.querySelectorAll(".nav-link")].filter((l) => l.offsetParent !== null);
    const tops = new Set(links.map((l) => Math.round(l.getBoundingClientRect().top)));
    if (tops.size > 1) problems.push(`the links sit on ${tops.size} rows`);
    return problems;
}"""


def _session_cookie(user) -> str | None:
    if user is None:
        return None
    client = Client()
    if user.is_staff:
        sign_in_with_otp(client, user)
    else:
        client.force_login(user, backend=BACKEND)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _visitors() -> dict:
    named = {"full_name": FULL_NAME}
    vendor = factories.VendorMemberFactory(user__full_name=FULL_NAME).user
    officer = factories.OfficerFactory(user__full_name=FULL_NAME).user
    return {
        "anonymous": None,
        "vendor": vendor,
        "officer": officer,
        "admin": factories.AdminFactory(**named),
        "no-role": factories.UserFactory(**named),
    }


def test_no_menu_item_wraps_at_1280_px_or_wider(browser, live_server):
    folder = ARTIFACTS / "navbar"
    folder.mkdir(parents=True, exist_ok=True)
    problems = []
    for kind, user in _visitors().items():
        session = _session_cookie(user)
        for language in LANGUAGES:
            context = browser.new_context(viewport={"width": WIDTHS[0], "height": 800})
            cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language}]
            if session:
                cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session})
            context.add_cookies([{**c, "url": live_server.url} for c in cookies])
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{live_server.url}/" if user is None else f"{live_server.url}/beranda/")
            assert page.locator("html").get_attribute("lang") == language
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 800})
                found = page.evaluate(MEASURE)
                problems += [f"{kind}, {language}, {width} px: {p}" for p in found]
                if width in (1280, 1366):
                    name = re.sub(r"[^a-z0-9-]", "-", f"{kind}-{language}-{width}")
                    page.locator("header").screenshot(path=folder / f"{name}.png")
            context.close()
    assert problems == [], "\n".join(problems)


def test_the_measure_sees_a_wrapped_item(browser):
    """The check fails on the bar as it was (items wrapping onto two and three lines)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_content(
        '<header><nav class="navbar"><div class="container" style="width: 600px">'
        '<a class="nav-link" style="display: inline-block; width: 60px; line-height: 20px">'
        "Dinas PPKUKM admin</a>"
        '<a class="btn" style="display: inline-block; margin-left: 700px">Log in</a>'
        "</div></nav></header>"
    )
    found = page.evaluate(MEASURE)
    context.close()
    assert any("Dinas PPKUKM admin" in p and "wraps" in p for p in found), found
    assert any("Log in" in p and "past the bar's edge" in p for p in found), found
