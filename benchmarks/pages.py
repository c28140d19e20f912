"""The pages measured under load, each with a small case beside its big one so that a query
count growing with the data shows."""

from dataclasses import dataclass

from django.conf import settings
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
            f"{public}?q={manifest.rare_word}&category=goods&pdn=on&sort=closes",
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
    from accounts.models import User

    client = Client(HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")
    if user_id is not None:
        user = User.objects.get(pk=user_id)
        client.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[0])
    return client


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return len(queries)


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
    if load.errors:
        raise SystemExit(f"{name}: {load.errors} failed requests under load ({url})")
    return load


def measure(report: Report, base: str, *, seconds: int, clients: int) -> None:
    manifest = fixtures.load()
    ceiling_client = _client(manifest.officer_id)
    ceiling_url = reverse("accounts:profile")
    print(f"# ceiling page: {ceiling_url}, {_queries(ceiling_client, ceiling_url)} queries")
    first = _load(base, "ceiling", ceiling_client, ceiling_url, seconds, clients)
    loads = {}
    for page in _pages(manifest):
        client = _client(page.user_id)
        big, small = _queries(client, page.url), _queries(client, page.small_url)
        report.add(f"{page.name}.queries", big, "queries", "<=", small)
        loads[page] = _load(base, page.name, client, page.url, seconds, clients)
    last = _load(base, "ceiling", ceiling_client, ceiling_url, seconds, clients)
    ceiling = max(first.rate, last.rate)
    report.add("ceiling.rps", ceiling, "req/s", ">=", targets.CEILING_FLOOR)
    for page, load in loads.items():
        report.add(f"{page.name}.p50", load.p50_ms, "ms", "<", targets.P95_MS)
        report.add(f"{page.name}.p95", load.p95_ms, "ms", "<", targets.P95_MS)
        report.add(f"{page.name}.rps", load.rate, "req/s", ">=", ceiling * page.ratio_target)
        report.add(f"{page.name}.ratio", load.rate / ceiling, "x_ceiling", ">=", page.ratio_target)
