"""Real-browser tests: Debian's chromium driven by Playwright against pytest-django's live
server, with axe-core (from its npm package) run on every page a journey visits.

Each journey opens one browser context per person (desktop or phone width), and calls
`journey.step(page, "what")` on every page it reaches: the step saves a screenshot under
test-artifacts/e2e/<test>/<NN-what>.png, fails on serious or critical axe violations and,
at phone width, on a page wider than the screen or a menu that does not open. A page the
journey reached without a step fails the test at its end, so no page goes unchecked."""

import re
from collections.abc import Iterator

import pytest

from tests.e2e.browser import AXE, CHROMIUM, CHROMIUM_ARGS, Journey
from tests.services import service_missing


def _require(present: bool, what: str, how: str) -> None:
    if not present:
        service_missing(f"{what} is missing; {how}")


@pytest.fixture(scope="package")
def browser() -> Iterator:
    """One headless chromium for the e2e tests. Package-scoped: Playwright's sync API keeps
    an event loop running while it is started, which Django's ORM refuses outside these
    tests, so it is stopped when they end."""
    _require(
        CHROMIUM.exists(),
        f"chromium ({CHROMIUM})",
        "install it with `apt-get install chromium` or set CHROMIUM",
    )
    _require(AXE.exists(), f"axe-core ({AXE})", "run `npm ci` at the repository root")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        # Django's ORM refuses to run in a thread with a running event loop, which the
        # Playwright sync API keeps in the test thread; the ORM calls here are synchronous.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture(scope="package")
def axe_source() -> str:
    return AXE.read_text()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember whether the test's body passed, for the journey's teardown."""
    report = yield
    if report.when == "call":
        item.e2e_body_passed = report.passed
    return report


def journey_end(trip: Journey, *, passed: bool) -> None:
    """After a test: a passing test's journey is finished (every page reached was checked, no
    console or page error), whether or not the test called `finish()`; a failing test
    reports its own failure. The browser contexts are closed either way."""
    try:
        if passed and not trip.finished:
            trip.finish()
    finally:
        for visit in trip.visits:
            visit.page.context.close()
        trip.visits.clear()


@pytest.fixture
def journey(request, browser, axe_source, live_server) -> Iterator[Journey]:
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", request.node.name)
    trip = Journey(browser, live_server, axe_source, name)
    for old in trip.folder.glob("*.png"):
        old.unlink()
    yield trip
    journey_end(trip, passed=getattr(request.node, "e2e_body_passed", False))
