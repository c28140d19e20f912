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


def main() -> int:
    from accounts import demo

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
