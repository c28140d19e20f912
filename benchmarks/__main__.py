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


def _bench_schedule() -> None:
    """The meeting timetable on 10,000 requests among 1,600 buyers and 400 sellers (at most
    32 each), 32 slots of 400 tables (pure Python, one core): once with everyone free, once
    with each participant away from each slot with probability 10%."""
    import random

    from matching.scheduling import MeetingRequest, schedule

    rng = random.Random(3232)
    slots, tables, most = 32, 400, 32
    pairs: set[tuple[int, int]] = set()
    degree = {("b", n): 0 for n in range(1600)} | {("s", n): 0 for n in range(400)}
    while len(pairs) < 10_000:
        buyer, seller = rng.randrange(1600), rng.randrange(400)
        if (buyer, seller) in pairs or max(degree["b", buyer], degree["s", seller]) >= most:
            continue
        pairs.add((buyer, seller))
        degree["b", buyer] += 1
        degree["s", seller] += 1
    requests = [
        MeetingRequest(f"m{n:05d}", f"b{buyer}", f"s{seller}", rng.randint(1, 3))
        for n, (buyer, seller) in enumerate(sorted(pairs))
    ]
    people = [f"b{n}" for n in range(1600)] + [f"s{n}" for n in range(400)]
    away = {p: {s for s in range(slots) if rng.random() < 0.1} for p in people}
    for label, unavailable in (("schedule, 10,000 requests", None), ("  10% unavailable", away)):
        timings = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            result = schedule(requests, slots=slots, tables=tables, unavailable=unavailable)
            timings.append(time.perf_counter() - start)
        median_ms = statistics.median(timings) * 1000
        print(
            f"{label:<28} {median_ms:>7.0f} ms (median of {ROUNDS}; target < 5 s),"
            f" {len(result.assigned):,} placed, at most {result.upper_bound:,} possible"
        )


def _bench_evaluation_job(bids: int = 5000, items: int = 20) -> None:
    """The evaluation job on a package with 5,000 opened bids of 20 lines each: reading the
    bids and lines, the checks on the snapshot, the rule core and writing the results."""
    import random
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from accounts.models import User
    from procurement import services
    from procurement.models import OPD, Bid, BidLine, EvaluationRun, Package, PackageItem
    from vendors.models import Product, Vendor

    rng = random.Random(5000)
    now = timezone.now()
    owner = User.objects.create_user("bench@p3dn.test", None, full_name="Bench")
    opd = OPD.objects.create(code="BENCH", name="OPD Bench", short_name="Bench")
    package = Package.objects.create(
        opd=opd,
        rup_code="BENCH",
        title="Bench",
        fiscal_year=now.year,
        category="goods",
        method="tender",
        pagu=Decimal("50000000000"),
        hps=Decimal("40000000000"),
        max_preference_pct=Decimal("25"),
        opens_at=now - timedelta(days=10),
        closes_at=now - timedelta(days=1),
        status="evaluation",
        created_by=owner,
        reserved_for_small_business=False,
    )
    package_items = PackageItem.objects.bulk_create(
        PackageItem(
            package=package,
            position=n + 1,
            description=f"Barang {n}",
            quantity=10,
            unit="unit",
            hps_unit_price=Decimal("2000000"),
        )
        for n in range(items)
    )
    vendors = Vendor.objects.bulk_create(
        Vendor(
            name=f"Bench {n}",
            legal_form="cv",
            city="Kota Bench",
            province="DKI Jakarta",
            scale="kecil",
            scale_basis="capital",
            status="verified",
            verified_at=now,
        )
        for n in range(bids)
    )
    product = Product.objects.create(
        vendor=vendors[0], name="Barang", kbli="10792", unit="unit", unit_price=Decimal("1")
    )
    bid_rows = Bid.objects.bulk_create(
        Bid(
            package=package,
            vendor=v,
            version=1,
            submitted_by=owner,
            submitted_at=now - timedelta(days=2, seconds=n),
            sealed_content=b"",
            receipt_hash="",
            opened_at=now,
            price=Decimal(rng.randint(30_000, 45_000)) * 1_000_000,
            tkdn_pct=Decimal(rng.randint(0, 8500)) / 100,
            tkdn_bmp_pct=Decimal(rng.randint(8500, 10000)) / 100,
        )
        for n, v in enumerate(vendors)
    )
    BidLine.objects.bulk_create(
        (
            BidLine(
                bid=bid,
                item=item,
                product=product,
                product_name="Barang",
                quantity=10,
                unit_price=Decimal("1900000"),
                tkdn_pct=bid.tkdn_pct,
                bmp_pct=Decimal("5"),
            )
            for bid in bid_rows
            for item in package_items
        ),
        batch_size=5000,
    )
    timings = []
    for _ in range(3):
        run = EvaluationRun.objects.create(
            package=package,
            rule_version="bench",
            formula="hea_2021",
            max_preference_pct=Decimal("25"),
        )
        start = time.perf_counter()
        services.evaluation_execute(run_id=run.pk)
        timings.append(time.perf_counter() - start)
    label = f"evaluation job, {bids:,} bids x {items}"
    print(f"{label:<28} {statistics.median(timings):>7.2f} s (median of 3; target < 3 s)")


def main() -> int:
    from accounts import demo

    _bench_rank_bids()
    _bench_schedule()

    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        _bench_evaluation_job()
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
