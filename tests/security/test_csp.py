"""A Content-Security-Policy without inline script or style, and pages that keep to it."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests import factories

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
STATIC = TEMPLATES.parent / "static"

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[a-zA-Z][^<>]*?\son[a-z]+\s*=", re.S)
STYLE_ATTRIBUTE = re.compile(r"<[a-zA-Z][^<>]*?\sstyle\s*=", re.S)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def _violations(html: str) -> list[str]:
    found = []
    for name, pattern in (
        ("inline script", INLINE_SCRIPT),
        ("event handler attribute", EVENT_HANDLER),
        ("style attribute", STYLE_ATTRIBUTE),
        ("style element", STYLE_ELEMENT),
    ):
        found += [f"{name}: {match.group(0)[:100]}" for match in pattern.finditer(html)]
    return found


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1]
        for part in (piece.strip() for piece in header.split(";"))
        if part
    }


def test_the_scan_finds_what_the_policy_would_block():
    assert _violations('<button onclick="window.print()">') != []
    assert _violations('<div class="x" style="width: 5%">') != []
    assert _violations("<script>alert(1)</script>") != []
    assert _violations("<style>.x{}</style>") != []
    assert _violations('<script src="/static/js/portal.js" defer></script>') == []
    assert _violations('<button data-confirm="Hapus?" data-print>') == []


def _template_files() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*.html") if p.is_file())


@pytest.mark.parametrize("path", _template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_has_inline_script_handlers_or_styles(path):
    assert _violations(path.read_text()) == []


def test_the_print_and_confirm_buttons_are_driven_by_portal_js():
    script = (STATIC / "js" / "portal.js").read_text()
    assert "[data-print]" in script and "window.print()" in script
    assert "dataset.confirm" in script and "window.confirm" in script
    for name in ("matching/agenda/agenda.html", "procurement/vendor/receipt.html"):
        assert "data-print" in (TEMPLATES / name).read_text()
    panel = (TEMPLATES / "procurement/includes/vendor_panel.html").read_text()
    assert "data-confirm=" in panel


def test_bars_have_a_class_for_every_whole_percent():
    css = (STATIC / "css" / "portal.css").read_text()
    for n in (0, 37, 100):
        assert f".pct-w-{n} {{ width: {n}%; }}" in css
        assert f".pct-l-{n} {{ left: {n}%; }}" in css


def test_htmx_is_told_not_to_inject_its_indicator_style():
    base = (TEMPLATES / "base.html").read_text()
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles":false}'>""" in base
    assert ".htmx-indicator" in (STATIC / "css" / "portal.css").read_text()
    # No htmx feature that evaluates code (hx-on, js: values, trigger filters).
    for path in _template_files():
        text = path.read_text()
        assert not re.search(r"hx-on|hx-vals=\"js:|hx-trigger=\"[^\"]*\[", text), path


@pytest.mark.django_db
def test_a_page_carries_the_policy(client):
    response = client.get(reverse("landing"))
    assert response.status_code == 200
    assert _policy(response) == POLICY
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_portal_pages_keep_to_the_policy(login, admin_user, officer, vendor_owner):
    pages = [
        (admin_user, reverse("dashboards:home")),
        (officer, reverse("procurement:home")),
        (vendor_owner, reverse("vendors:home")),
    ]
    for user, url in pages:
        response = login(user).get(url)
        assert response.status_code == 200, url
        assert _violations(response.content.decode()) == [], url
        assert _policy(response) == POLICY


@pytest.mark.django_db
def test_the_otp_enrolment_page_shows_its_qr_code_as_an_allowed_image(client, admin_user):
    from tests.factories import PASSWORD

    client.post(reverse("accounts:login"), {"username": admin_user.email, "password": PASSWORD})
    response = client.get(reverse("accounts:otp-setup"))
    html = response.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    assert _violations(html) == []


@pytest.mark.django_db
def test_django_admin_pages_have_no_inline_script(login, admin_user):
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_superuser"])
    vendor = factories.VendorFactory()
    client = login(admin_user)
    pages = [
        "/admin/",
        "/admin/vendors/vendor/",
        "/admin/vendors/vendor/add/",
        f"/admin/vendors/vendor/{vendor.pk}/change/",
        f"/admin/vendors/vendor/{vendor.pk}/history/",  # django-simple-history
        "/admin/vendors/halalassistance/",
        f"/admin/accounts/user/{admin_user.pk}/change/",
        "/admin/matching/event/add/",
        "/admin/otp_totp/totpdevice/",  # django-otp
        "/admin/otp_totp/totpdevice/add/",
        "/admin/axes/accessattempt/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), url
        assert not EVENT_HANDLER.search(html), url
        assert not STYLE_ELEMENT.search(html), url
