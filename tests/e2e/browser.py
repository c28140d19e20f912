"""The browser side of the e2e tests: the checks run on every page (axe-core, phone
width), the journey that records each step, and signing in as people do."""

import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.otp import otp_device, totp_now

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "e2e"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}  # a common phone, as vendors often use
BLOCKING_IMPACTS = ("serious", "critical")
# How long a step waits for the portal (the live server answers in milliseconds; the
# evaluation and the scheduler run through Celery).
TIMEOUT_MS = 15_000


# --- Checks run on each page ------------------------------------------------------------------


def axe_violations(page, source: str) -> list[dict]:
    """axe-core's violations of the page (WCAG 2.x A and AA rules and best practices). The
    script is evaluated through the DevTools protocol, which the page's
    Content-Security-Policy does not apply to, so the portal's policy stays as it is."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    result = page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                targets: v.nodes.map((n) => n.target.join(" ")),
                summaries: v.nodes.map((n) => n.failureSummary),
            }));
        }"""
    )
    return result


def axe_report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for target, summary in zip(v["targets"], v["summaries"], strict=True):
            lines.append(f"    {target}: {' '.join((summary or '').split())[:300]}")
    return "\n".join(lines)


def axe_check(page, source: str) -> list[dict]:
    """Fail on serious or critical violations, listing rule, impact, help URL and the
    selectors of the elements; the lesser ones are returned for the step's record."""
    violations = axe_violations(page, source)
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, (
        f"axe-core: serious or critical violations on {page.url}:\n{axe_report(blocking)}"
    )
    return violations


SHOWN = re.compile(r"(^|\s)show(\s|$)")  # Bootstrap's class of an open menu


def phone_check(page) -> None:
    """At phone width: nothing wider than the screen (no sideways scrolling), and the main
    menu opens from its button and shows its links."""
    # The phone's width, not the layout's: a page without the viewport meta tag is laid out
    # 980px wide on a phone and would pass otherwise.
    width = page.viewport_size["width"]
    wide = page.evaluate(
        """(width) => {
            return {
                scroll: document.documentElement.scrollWidth,
                culprits: [...document.querySelectorAll("body *")]
                    .filter((e) => e.getBoundingClientRect().right > width + 1
                        && getComputedStyle(e).position !== "fixed"
                        && !e.closest(".table-responsive, .visually-hidden,"
                            + " .visually-hidden-focusable"))
                    .slice(0, 5)
                    .map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                        + (e.className && typeof e.className === "string"
                            ? "." + e.className.trim().split(/\\s+/).join(".") : "")),
            };
        }""",
        width,
    )
    assert wide["scroll"] <= width, (
        f"{page.url} is wider than the phone ({wide['scroll']}px > {width}px): {wide['culprits']}"
    )
    toggler = page.locator("header .navbar-toggler")
    assert toggler.is_visible(), f"{page.url}: no menu button at phone width"
    menu = page.locator("#nav-main")
    toggler.click()
    # Opened, and its transition over: a click while Bootstrap's menu is still "collapsing" is
    # ignored, which left the menu open. (Playwright's expect polls without evaluating a
    # string, which the Content-Security-Policy would refuse.)
    expect(menu).to_have_class(SHOWN)
    links = menu.locator("a.nav-link, a.btn, button")
    assert links.count() > 0 and links.first.is_visible(), f"{page.url}: the menu shows nothing"
    assert page.evaluate("document.documentElement.scrollWidth") <= width, (
        f"{page.url}: the open menu is wider than the phone"
    )
    toggler.click()
    expect(menu).not_to_have_class(SHOWN)


# --- The journey --------------------------------------------------------------------------------


@dataclass
class Visit:
    """One person's browser: a context of their own (cookies, session), desktop or phone."""

    page: object
    phone: bool
    seen: list[str] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)


class Journey:
    def __init__(self, browser, live_server, axe_source: str, name: str) -> None:
        self.browser = browser
        self.base = live_server.url
        self.axe_source = axe_source
        self.folder = ARTIFACTS / name
        self.visits: list[Visit] = []
        self.steps = 0
        self.pages_checked = 0
        self.minor: dict[str, int] = {}
        self.errors: list[str] = []
        self.finished = False

    def url(self, path: str) -> str:
        return self.base + path

    def open(self, *, phone: bool = False):
        """A new person at the portal: a fresh browser context at desktop or phone width."""
        context = self.browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
            device_scale_factor=1,
            locale="id-ID",
            timezone_id="Asia/Jakarta",
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        visit = Visit(page=page, phone=phone)
        self.visits.append(visit)
        # Buttons with data-confirm ask first: the person says yes.
        page.on("dialog", lambda dialog: dialog.accept())
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        # A console error is a script or style the page could not run or load (one refused
        # by the Content-Security-Policy, a missing file).
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and self.errors.append(f"{page.url}: console: {message.text}")
            ),
        )

        def seen(frame) -> None:
            if frame == page.main_frame and frame.url.startswith(self.base):
                visit.seen.append(_page_key(frame.url))

        page.on("framenavigated", seen)
        return page

    def _visit_of(self, page) -> Visit:
        return next(v for v in self.visits if v.page is page)

    def step(self, page, name: str) -> None:
        """The page as the person sees it now: screenshot, axe-core, and at phone width the
        width and menu checks."""
        visit = self._visit_of(page)
        page.wait_for_load_state("load")
        self.steps += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        page.screenshot(path=self.folder / f"{self.steps:02d}-{slug}.png", full_page=True)
        violations = axe_check(page, self.axe_source)
        for v in violations:
            self.minor[v["id"]] = self.minor.get(v["id"], 0) + 1
        if visit.phone:
            phone_check(page)
        visit.checked.add(_page_key(page.url))
        self.pages_checked += 1

    def finish(self) -> None:
        """Every page reached was checked; no script error on any page."""
        self.finished = True
        unchecked = sorted(
            {key for visit in self.visits for key in visit.seen if key not in visit.checked}
        )
        assert not unchecked, f"pages reached without a step (not axe-checked): {unchecked}"
        assert not self.errors, "errors in the pages:\n" + "\n".join(self.errors)
        (self.folder / "summary.json").write_text(
            json.dumps(
                {
                    "steps": self.steps,
                    "pages_checked": self.pages_checked,
                    "minor_violations": self.minor,
                },
                indent=2,
            )
        )


def _page_key(url: str) -> str:
    """A page is its path; the query string and fragment are the same page."""
    return urlsplit(url).path


# --- People and mail ----------------------------------------------------------------------------


def login(journey: Journey, page, email: str, password: str, *, next_path: str = "") -> None:
    """Sign in through the portal's login page, as a person does."""
    page.goto(journey.url("/akun/masuk/" + (f"?next={next_path}" if next_path else "")))
    journey.step(page, f"login-{email.split('@')[0]}")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Masuk", exact=True).click()
    page.wait_for_load_state("load")


def login_admin(journey: Journey, page, user, *, next_path: str = "") -> None:
    """An admin signs in with the password, then types the code their authenticator app
    shows (computed from the device's key, as the app does)."""
    login(journey, page, user.email, PASSWORD, next_path=next_path)
    assert "/akun/masuk/kode/" in page.url, f"no code step after the password: {page.url}"
    journey.step(page, "admin-code")
    page.locator("#id_token").fill(totp_now(otp_device(user)))
    page.get_by_role("button", name="Masuk", exact=True).click()
    page.wait_for_load_state("load")


def mail_link(to: str, path_prefix: str, *, wait: float = 10.0) -> str:
    """The path of the portal link in the latest mail to `to` that starts with the prefix
    (mail goes out from a Celery task: it may take a moment)."""
    deadline = time.monotonic() + wait
    while True:
        for message in reversed(mail.outbox):
            if to in message.to:
                found = re.search(rf"https?://[^/\s]+({re.escape(path_prefix)}\S*)", message.body)
                if found:
                    return found.group(1)
        if time.monotonic() > deadline:
            raise AssertionError(f"no mail to {to} with a link to {path_prefix}")
        time.sleep(0.1)


def wait_for_mail(to: str, subject: str, *, wait: float = 10.0):
    """The mail to `to` whose subject holds `subject`, once a Celery task has sent it."""
    deadline = time.monotonic() + wait
    while True:
        for message in mail.outbox:
            if to in message.to and subject in message.subject:
                return message
        if time.monotonic() > deadline:
            sent = [(m.to, m.subject) for m in mail.outbox]
            raise AssertionError(f"no mail to {to} about {subject!r}; sent: {sent}")
        time.sleep(0.1)
