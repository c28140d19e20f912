"""`make bench`: figures for the portal's pages, measured in-process through Django's test
client on a throwaway copy of the database loaded with the demo data.

For each page: requests per second (median of 5 rounds) and the SQL queries of one request.
"""

import os
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "p3dn_portal.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
    teardown_test_environment,
)
from django.urls import reverse  # noqa: E402

ROUNDS = 5
REQUESTS_PER_ROUND = int(os.environ.get("BENCH_REQUESTS", "200"))


def _client_for(email: str | None) -> Client:
    from accounts.models import User

    client = Client()
    if email:
        client.force_login(
            User.objects.get(email=email), backend=settings.AUTHENTICATION_BACKENDS[0]
        )
    return client


def _measure(client: Client, url: str) -> tuple[float, int]:
    reset_queries()  # each request clears the log; start the count from empty
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    rates = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(REQUESTS_PER_ROUND):
            client.get(url)
        rates.append(REQUESTS_PER_ROUND / (time.perf_counter() - start))
    return statistics.median(rates), len(queries)


def _bench_rank_bids() -> None:
    """The evaluation rule core on 5,000 bids (pure Python, one core)."""
    import random
    from datetime import UTC, datetime, timedelta
    from decimal import Decimal

    from procurement.evaluation import HEA_2021, BidFigures, PackageTerms, rank_bids

    rng = random.Random(2026)
    start_time = datetime(2026, 11, 1, tzinfo=UTC)
    bids = [
        BidFigures(
            f"b{i}",
            Decimal(rng.randint(800_000_000, 1_200_000_000)),
            Decimal(rng.randint(0, 8500)) / 100,
            Decimal(rng.randint(0, 1500)) / 100,
            start_time + timedelta(seconds=i),
        )
        for i in range(5000)
    ]
    terms = PackageTerms("goods", Decimal("1500000000"), Decimal("25"), HEA_2021)
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        rank_bids(bids, terms)
        timings.append(time.perf_counter() - start)
    median_ms = statistics.median(timings) * 1000
    print(f"{'rank_bids, 5,000 bids':<28} {median_ms:>7.0f} ms (median of {ROUNDS})")


def main() -> int:
    from accounts import demo

    _bench_rank_bids()

    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        demo.load()
        pages = [
            ("landing (anonymous)", None, reverse("landing")),
            ("login form (anonymous)", None, reverse("accounts:login")),
            ("directory (anonymous)", None, reverse("vendors:directory")),
            ("directory search", None, reverse("vendors:directory") + "?q=makanan&min_tkdn=25"),
            ("vendor products", "batik@demo.p3dn.id", reverse("vendors:products")),
            ("announced packages", None, reverse("procurement:public-packages")),
            (
                "officer packages",
                "ppk.disdik@demo.p3dn.id",
                reverse("procurement:officer-packages"),
            ),
            ("vendor bids", "mebel@demo.p3dn.id", reverse("procurement:my-bids")),
            ("vendor home", "batik@demo.p3dn.id", reverse("vendors:home")),
            ("officer home", "ppk.disdik@demo.p3dn.id", reverse("procurement:home")),
            ("profile form", "ppk.disdik@demo.p3dn.id", reverse("accounts:profile")),
        ]
        print(
            f"{'page':<28} {'req/s':>9} {'queries':>8}   ({ROUNDS} rounds x {REQUESTS_PER_ROUND})"
        )
        for label, email, url in pages:
            rate, queries = _measure(_client_for(email), url)
            print(f"{label:<28} {rate:>9.0f} {queries:>8}")
    finally:
        teardown_databases(databases, verbosity=0)
        teardown_test_environment()
    return 0


if __name__ == "__main__":
    sys.exit(main())
