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

from benchmarks import edits, fixtures, layers, paths, targets, web
from benchmarks.report import Report

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Page:
    name: str
    url: str  # its queries are counted and EXPLAINed, and its first view timed
    small_url: str  # the same page on far less data
    user_id: int | None  # None: anonymous
    paths: tuple[str, ...] = ()  # the distinct URLs driven under load (none: `url` alone)
    ratio: float = targets.RATIO
    p95_ratio: float = targets.P95_RATIO
    edits: bool = False  # a product edited every second meanwhile
    hot: bool = False  # `url` alone measured too, for comparison

    @property
    def checked(self) -> bool:
        """Query count, whole scans and first view: the portal's pages (the admin's have
        no small case and are not cached)."""
        return not self.name.startswith("admin_")


def _pages(manifest: fixtures.Fixtures) -> list[Page]:
    directory = reverse("vendors:directory")
    public = reverse("procurement:public-packages")
    ranking = "procurement:officer-evaluation"
    package = "procurement:package-detail"
    vendor_page = "vendors:directory-vendor"
    return [
        Page(
            "directory_search",
            f"{directory}?q={manifest.common_word}&min_tkdn=25",
            f"{directory}?q={manifest.rare_word}&min_tkdn=25",
            None,
            tuple(paths.directory_searches(manifest)),
            targets.RATIO_SEARCH,
            targets.P95_RATIO_SEARCH,
            edits=True,
            hot=True,
        ),
        Page(
            "vendor_page",
            reverse(vendor_page, args=[manifest.bench_vendor_id]),
            reverse(vendor_page, args=[manifest.small_vendor_id]),
            None,
            tuple(paths.vendor_pages()),
        ),
        Page(
            "public_package",
            reverse(package, args=[manifest.hot_package_id]),
            reverse(package, args=[manifest.small_package_id]),
            None,
            tuple(paths.public_package_pages()),
        ),
        Page(
            "public_packages",
            f"{public}?category=goods&pdn=on&sort=closes",
            f"{public}?q={manifest.open_rup_code}&sort=closes",
            None,
            tuple(paths.public_package_lists(manifest)),
        ),
        Page(
            "officer_ranking_500",
            reverse(ranking, args=[manifest.hot_package_id]),
            reverse(ranking, args=[manifest.small_package_id]),
            manifest.officer_id,
            tuple(paths.ranking_pages(manifest.officer_id)),
        ),
        Page(
            "officer_package_500",
            reverse(package, args=[manifest.hot_package_id]),
            reverse(package, args=[manifest.small_package_id]),
            manifest.officer_id,
            tuple(paths.officer_package_pages(manifest.officer_id)),
        ),
        Page(
            "dashboard",
            reverse("dashboards:home"),
            reverse("dashboards:home") + f"?opd={manifest.small_opd_id}",
            manifest.admin_id,
            tuple(paths.dashboards()),
        ),
        Page(
            "vendor_bids",
            reverse("procurement:my-bids"),
            reverse("procurement:my-bids"),
            manifest.vendor_user_id,
            tuple(paths.my_bids(manifest.vendor_user_id)),
        ),
        *(
            Page(name, urls[0], urls[0], manifest.admin_id, tuple(urls))
            for name, urls in paths.admin_pages().items()
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


SIGN_INS = 5


def _sign_in_ms() -> tuple[float, float]:
    """The login page's GET and the sign-in POST (the password checked with Argon2id,
    accounts.hashers), in process, each the median of SIGN_INS, for the bench's vendor
    user (no second factor)."""
    from accounts.models import User
    from seeding.scale import PASSWORD

    email = User.objects.get(pk=fixtures.load().vendor_user_id).email
    url = reverse("accounts:login")
    pages, posts = [], []
    for _ in range(SIGN_INS):
        client = Client(HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")
        start = time.perf_counter()
        page = client.get(url)
        pages.append((time.perf_counter() - start) * 1000)
        if page.status_code != 200:
            raise SystemExit(f"{url} answered {page.status_code}")
        start = time.perf_counter()
        signed = client.post(url, {"username": email, "password": PASSWORD})
        posts.append((time.perf_counter() - start) * 1000)
        if signed.status_code != 302:
            raise SystemExit(f"signing in at {url} answered {signed.status_code}")
    return sorted(pages)[SIGN_INS // 2], sorted(posts)[SIGN_INS // 2]


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


def _load(
    base: str, name: str, client: Client, seconds: int, clients: int, urls: list[str], folder
) -> web.Load:
    headers = _headers(client)
    listed = paths.write(urls, folder, name) if len(urls) > 1 else None
    url = base + urls[0]
    web.drive(url, headers=headers, seconds=2, clients=clients, paths=listed)  # warm up
    load = web.drive(url, headers=headers, seconds=seconds, clients=clients, paths=listed)
    if load.errors or not load.requests:
        message = f"{name}: {load.errors} of {load.requests} requests failed ({urls[0]})"
        if not name.startswith("admin_"):
            raise SystemExit(message)
        # A page too slow to answer within wrk's timeout misses its target, the run goes on.
        print(f"# {message}")
        return web.Load(load.requests, load.seconds, *(web.TIMEOUT_S * 1000,) * 3, load.errors)
    return load


def _check(report: Report, page: Page, client: Client) -> float:
    """The page's queries on an empty cache, and on the small case; its first view in ms."""
    # The small case first: what a process does once (the directory's daily refresh of its
    # listing) falls on it, not on the case compared with it.
    small = len(_queries(client, page.small_url)[0]) if page.checked else 0
    first, every, first_ms = _queries(client, page.url)
    print(f"# {page.name}: {len(first)} queries, {len(every)} once cached ({page.url})")
    if page.checked:
        report.add(f"{page.name}.queries", len(first), "queries", "<=", small)
    # What runs on every request must use indexes; what runs once per change of the
    # data (aggregates over whole tables, then cached) may read a table whole.
    once = _full_scans(first[len(every) :] if every == first[: len(every)] else first)
    if once:
        print(f"# {page.name}: once per change of the data, whole reads of {once}")
    report.add(f"{page.name}.full_scans", len(_full_scans(every)), "scans", "<=", 0)
    return first_ms


def measure(
    report: Report,
    base: str,
    bare: str,
    folder,
    *,
    seconds: int,
    clients: int,
    only: set[str] | None = None,
) -> None:
    manifest = fixtures.load()
    ceiling_client = _client(manifest.officer_id)
    ceiling_url = reverse("accounts:profile")
    print(f"# ceiling page: {ceiling_url}, {len(_queries(ceiling_client, ceiling_url)[1])} queries")
    layers.print_profile(ceiling_client, ceiling_url)
    bare_load = _load(bare, "bare", Client(), seconds, clients, ["/"], folder)
    ceiling_runs = [_load(base, "ceiling", ceiling_client, seconds, clients, [ceiling_url], folder)]
    loads: dict[str, tuple[Page, web.Load]] = {}
    first_views: dict[str, float] = {}
    pages = [page for page in _pages(manifest) if only is None or page.name in only]
    # The admin's last, after the ceiling's second run: a page slower than wrk's timeout
    # leaves requests queued in the workers, which would slow what is measured next.
    pages.sort(key=lambda page: not page.checked)
    ceiling_runs.append(None)
    for page in pages:
        if not page.checked and ceiling_runs[-1] is None:
            ceiling_runs[-1] = _load(
                base, "ceiling", ceiling_client, seconds, clients, [ceiling_url], folder
            )
        client = _client(page.user_id)
        first_views[page.name] = _check(report, page, client)
        urls = list(page.paths or [page.url])
        if page.edits:
            with edits.catalogue_edits() as made:
                loads[page.name] = (
                    page,
                    _load(base, page.name, client, seconds, clients, urls, folder),
                )
            print(f"# {page.name}: {made[0]} products edited meanwhile, {len(urls)} URLs")
        else:
            loads[page.name] = (
                page,
                _load(base, page.name, client, seconds, clients, urls, folder),
            )
            print(f"# {page.name}: {len(urls)} URLs")
        if page.hot:
            hot = _load(base, page.name, client, seconds, clients, [page.url], folder)
            loads[f"{page.name}_hot"] = (page, hot)
    if ceiling_runs[-1] is None:
        ceiling_runs[-1] = _load(
            base, "ceiling", ceiling_client, seconds, clients, [ceiling_url], folder
        )

    ceiling = max(ceiling_runs, key=lambda load: load.rate)
    report.add("bare_django.rps", bare_load.rate, "req/s", ">", 0)
    report.add("ceiling.rps", ceiling.rate, "req/s", ">=", bare_load.rate * targets.CEILING_OF_BARE)
    report.add(
        "ceiling.ratio", ceiling.rate / bare_load.rate, "x_bare", ">=", targets.CEILING_OF_BARE
    )
    report.add("ceiling.p95", ceiling.p95_ms, "ms", ">", 0)
    # Issue 18: signing in beside the page it is sent from (Argon2id costs by design).
    page_ms, post_ms = _sign_in_ms()
    report.add("signin.page", page_ms, "ms", "<", ceiling.p95_ms * targets.P95_RATIO)
    report.add("signin.post", post_ms, "ms", "<", ceiling.p95_ms * targets.P95_RATIO)
    for name, ms in first_views.items():
        report.add(f"{name}.first_view", ms, "ms", "<", ceiling.p95_ms * targets.FIRST_VIEW_RATIO)
    for name, (page, load) in loads.items():
        if page.checked:
            report.add(f"{name}.rps", load.rate, "req/s", ">=", ceiling.rate * page.ratio)
            report.add(f"{name}.ratio", load.rate / ceiling.rate, "x_ceiling", ">=", page.ratio)
            report.add(f"{name}.p50", load.p50_ms, "ms", "<", ceiling.p95_ms * page.p95_ratio)
            report.add(f"{name}.p95", load.p95_ms, "ms", "<", ceiling.p95_ms * page.p95_ratio)
        else:
            report.add(
                f"{name}.p95", load.p95_ms, "ms", "<", ceiling.p95_ms * targets.ADMIN_P95_RATIO
            )
