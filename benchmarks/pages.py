"""The pages measured under load, each with a small case beside its big one so that a query
count growing with the data shows."""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks import fixtures, targets, web
from benchmarks.report import Report

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    small_url: str  # the same page on far less data
    user_id: int | None  # None: anonymous
    ratio_target: float


def _pages(manifest: fixtures.Fixtures) -> list[Page]:
    directory = reverse("vendors:directory")
    public = reverse("procurement:public-packages")
    ranking = "procurement:officer-evaluation"
    return [
        Page(
            "directory_search",
            f"{directory}?q={manifest.common_word}&min_tkdn=25",
            f"{directory}?q={manifest.rare_word}&min_tkdn=25",
            None,
            targets.RATIO_SEARCH,
        ),
        Page(
            "public_packages",
            f"{public}?category=goods&pdn=on&sort=closes",
            f"{public}?q={manifest.open_rup_code}&sort=closes",
            None,
            targets.RATIO,
        ),
        Page(
            "officer_ranking_500",
            reverse(ranking, args=[manifest.hot_package_id]),
            reverse(ranking, args=[manifest.small_package_id]),
            manifest.officer_id,
            targets.RATIO,
        ),
        Page(
            "officer_package_500",
            reverse("procurement:package-detail", args=[manifest.hot_package_id]),
            reverse("procurement:package-detail", args=[manifest.small_package_id]),
            manifest.officer_id,
            targets.RATIO,
        ),
        Page(
            "dashboard",
            reverse("dashboards:home"),
            reverse("dashboards:home") + f"?opd={manifest.small_opd_id}",
            manifest.admin_id,
            targets.RATIO,
        ),
        Page(
            "vendor_bids",
            reverse("procurement:my-bids"),
            reverse("procurement:my-bids"),
            manifest.vendor_user_id,
            targets.RATIO,
        ),
    ]


def _client(user_id: int | None) -> Client:
    from accounts import otp
    from accounts.backends import EMAIL_BACKEND
    from accounts.models import User

    client = Client(HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")
    if user_id is not None:
        user = User.objects.get(pk=user_id)
        client.force_login(user, backend=EMAIL_BACKEND)
        if otp.needs_second_factor(user):
            _otp_verified(client, user)
    return client


def _otp_verified(client: Client, user) -> None:
    """An admin's session signed in with the code of their authenticator, as after the
    portal's second login step."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import otp

    device = otp.confirmed_device(user) or TOTPDevice.objects.create(
        user=user, name=otp.DEVICE_NAME, confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    otp.device_remember(device)


def _queries(client: Client, url: str) -> tuple[list[str], list[str], float]:
    """The SQL of the page with nothing cached (the bench's own cache database is emptied
    first), then with what that first request cached; and the first one's time, in ms."""
    cache.clear()
    runs, first_ms = [], 0.0
    for _ in range(2):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        first_ms = first_ms or (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        runs.append([query["sql"] for query in queries.captured_queries])
    return runs[0], runs[1], first_ms


BIG_TABLE_ROWS = 10_000


def _full_scans(statements: list[str]) -> list[str]:
    """The tables of more than BIG_TABLE_ROWS rows that a plan reads whole (Seq Scan)."""
    found = []
    with connection.cursor() as cursor:
        for sql in statements:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            nodes = [cursor.fetchone()[0][0]["Plan"]]
            while nodes:
                node = nodes.pop()
                nodes.extend(node.get("Plans", []))
                if node["Node Type"] == "Seq Scan" and node["Plan Rows"] > BIG_TABLE_ROWS:
                    found.append(node["Relation Name"])
    return found


def _headers(client: Client) -> dict[str, str]:
    headers = {"X-Forwarded-Proto": "https"}
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    if cookie is not None:
        headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={cookie.value}"
    return headers


def _load(base: str, name: str, client: Client, url: str, seconds: int, clients: int) -> web.Load:
    headers = _headers(client)
    web.drive(base + url, headers=headers, seconds=2, clients=clients)  # warm up
    load = web.drive(base + url, headers=headers, seconds=seconds, clients=clients)
    if load.errors or not load.requests:
        raise SystemExit(f"{name}: {load.errors} of {load.requests} requests failed ({url})")
    return load


def measure(
    report: Report, base: str, *, seconds: int, clients: int, only: set[str] | None = None
) -> None:
    manifest = fixtures.load()
    ceiling_client = _client(manifest.officer_id)
    ceiling_url = reverse("accounts:profile")
    print(f"# ceiling page: {ceiling_url}, {len(_queries(ceiling_client, ceiling_url)[1])} queries")
    ceiling_before = _load(base, "ceiling", ceiling_client, ceiling_url, seconds, clients)
    loads = {}
    for page in _pages(manifest):
        if only is not None and page.name not in only:
            continue
        client = _client(page.user_id)
        first, every, first_ms = _queries(client, page.url)
        small = len(_queries(client, page.small_url)[0])
        # The first request after the data changed computes what later ones reuse.
        report.add(f"{page.name}.first_view", first_ms, "ms", "<", targets.FIRST_VIEW_MS)
        print(f"# {page.name}: {len(first)} queries, {len(every)} once cached ({page.url})")
        report.add(f"{page.name}.queries", len(first), "queries", "<=", small)
        # What runs on every request must use indexes; what runs once per change of the
        # data (aggregates over whole tables, then cached) may read a table whole.
        once = _full_scans(first[len(every) :] if every == first[: len(every)] else first)
        if once:
            print(f"# {page.name}: once per change of the data, whole scans of {once}")
        report.add(f"{page.name}.full_scans", len(_full_scans(every)), "scans", "<=", 0)
        loads[page] = _load(base, page.name, client, page.url, seconds, clients)
    ceiling_after = _load(base, "ceiling", ceiling_client, ceiling_url, seconds, clients)
    ceiling = max(ceiling_before.rate, ceiling_after.rate)
    report.add("ceiling.rps", ceiling, "req/s", ">=", targets.CEILING_FLOOR)
    for page, load in loads.items():
        report.add(f"{page.name}.p50", load.p50_ms, "ms", "<", targets.P95_MS)
        report.add(f"{page.name}.p95", load.p95_ms, "ms", "<", targets.P95_MS)
        report.add(f"{page.name}.rps", load.rate, "req/s", ">=", ceiling * page.ratio_target)
        report.add(f"{page.name}.ratio", load.rate / ceiling, "x_ceiling", ">=", page.ratio_target)
