"""The many distinct URLs a page is measured over, drawn from the seeded data: the searches
officers type, the vendors and packages they open. With one URL repeated, every request but
the first is answered by the cache, and the figure measures the cache."""

import random
import re
from collections.abc import Iterable
from urllib.parse import urlencode

from django.urls import reverse

from benchmarks import fixtures

SEED = 19
DISTINCT = 3000  # vendor and package pages
SEARCHES = 1800  # directory searches
ADMIN_SEARCHES = 300  # per admin changelist
WORD = re.compile(r"[A-Za-z]{4,}")
NOT_WORDS = {"tipe", "standar", "premium", "untuk", "buatan", "kebutuhan"}


def _sample(rng: random.Random, items: list, n: int) -> list:
    return rng.sample(items, min(n, len(items)))


def _url(path: str, params: dict[str, object]) -> str:
    kept = {k: v for k, v in params.items() if v not in ("", None)}
    return f"{path}?{urlencode(kept)}" if kept else path


def _words(names: Iterable[str]) -> list[str]:
    found = {w.lower() for name in names for w in WORD.findall(name)}
    return sorted(found - NOT_WORDS)


def directory_searches(manifest: fixtures.Fixtures, n: int = SEARCHES) -> list[str]:
    """Searches of one or two words of product and vendor names (common and rare ones), some
    with a KBLI, a city, a minimum TKDN, another sort or a later page."""
    from vendors.models import Product, Vendor, VendorStatus

    rng = random.Random(SEED)
    products = list(
        Product.objects.filter(
            pk__in=[rng.randrange(1, 1_000_000) for _ in range(2000)]
        ).values_list("name", "kbli")
    )
    vendor_names = Vendor.objects.filter(
        pk__in=[rng.randrange(1, 250_000) for _ in range(500)], status=VendorStatus.VERIFIED
    ).values_list("name", "city")
    words = _words([name for name, _ in products] + [name for name, _ in vendor_names])
    kblis = sorted({kbli for _, kbli in products})
    cities = sorted({city for _, city in vendor_names})
    directory = reverse("vendors:directory")
    urls: set[str] = {
        f"{directory}?q={manifest.common_word}",
        f"{directory}?q={manifest.rare_word}",
    }
    while len(urls) < n:
        q = rng.choice(words)
        if rng.random() < 0.35:
            q = f"{q} {rng.choice(words)}"
        params = {
            "q": q,
            "kbli": rng.choice(kblis) if rng.random() < 0.15 else "",
            "city": rng.choice(cities) if rng.random() < 0.15 else "",
            "min_tkdn": rng.choice(["25", "40"]) if rng.random() < 0.3 else "",
            "sort": rng.choice(["name", "price", "-price"]) if rng.random() < 0.2 else "",
            "page": rng.choice(["2", "3"]) if rng.random() < 0.15 else "",
        }
        urls.add(_url(directory, params))
    return sorted(urls)


def vendor_pages(n: int = DISTINCT) -> list[str]:
    from vendors.models import Vendor, VendorStatus

    rng = random.Random(SEED)
    ids = list(Vendor.objects.filter(status=VendorStatus.VERIFIED).values_list("pk", flat=True))
    return [reverse("vendors:directory-vendor", args=[pk]) for pk in _sample(rng, ids, n)]


def public_package_pages(n: int = DISTINCT) -> list[str]:
    from procurement.models import Package
    from procurement.rules import Status

    rng = random.Random(SEED)
    ids = list(
        Package.objects.exclude(status__in=[Status.DRAFT, Status.CANCELLED]).values_list(
            "pk", flat=True
        )
    )
    return [reverse("procurement:package-detail", args=[pk]) for pk in _sample(rng, ids, n)]


def officer_package_pages(officer_id: int, n: int = DISTINCT) -> list[str]:
    from procurement.models import Officer, Package

    rng = random.Random(SEED)
    opd_id = Officer.objects.get(user_id=officer_id).opd_id
    ids = list(Package.objects.filter(opd_id=opd_id).values_list("pk", flat=True))
    return [reverse("procurement:package-detail", args=[pk]) for pk in _sample(rng, ids, n)]


def public_package_lists(manifest: fixtures.Fixtures, n: int = 1000) -> list[str]:
    from procurement.models import OPD, Package
    from procurement.rules import Category, Status

    rng = random.Random(SEED)
    opds = list(OPD.objects.values_list("pk", flat=True))
    titles = Package.objects.filter(status=Status.ANNOUNCED).values_list("title", flat=True)
    words = _words(titles[:3000]) or ["pengadaan"]
    public = reverse("procurement:public-packages")
    urls: set[str] = set()
    while len(urls) < n:
        params = {
            "q": rng.choice(words) if rng.random() < 0.4 else "",
            "opd": rng.choice(opds) if rng.random() < 0.3 else "",
            "category": rng.choice(Category.values) if rng.random() < 0.4 else "",
            "pdn": "on" if rng.random() < 0.3 else "",
            "sort": rng.choice(["closes", "value", ""]),
            "page": rng.choice(["", "", "2", "3"]),
        }
        urls.add(_url(public, params))
    return sorted(urls)


def ranking_pages(officer_id: int, n: int = 300) -> list[str]:
    from procurement.models import Officer, Package, RunStatus

    rng = random.Random(SEED)
    opd_id = Officer.objects.get(user_id=officer_id).opd_id
    ids = list(
        Package.objects.filter(opd_id=opd_id, evaluation_runs__status=RunStatus.SUCCEEDED)
        .values_list("pk", flat=True)
        .distinct()
    )
    return [reverse("procurement:officer-evaluation", args=[pk]) for pk in _sample(rng, ids, n)]


def dashboards(n: int = 300) -> list[str]:
    from procurement.models import OPD
    from procurement.rules import Category, Method

    rng = random.Random(SEED)
    opds = list(OPD.objects.values_list("pk", flat=True))
    home = reverse("dashboards:home")
    urls: set[str] = {home}
    while len(urls) < n:
        params = {
            "opd": rng.choice(opds) if rng.random() < 0.7 else "",
            "year": rng.choice(["", "2024", "2025", "2026"]),
            "category": rng.choice(Category.values) if rng.random() < 0.3 else "",
            "method": rng.choice(Method.values) if rng.random() < 0.2 else "",
            "quarter": rng.choice(["", "1", "2", "3", "4"]),
        }
        urls.add(_url(home, params))
    return sorted(urls)


def my_bids(vendor_user_id: int) -> list[str]:
    from procurement.models import Bid
    from vendors.models import VendorMember

    vendor_id = VendorMember.objects.get(user_id=vendor_user_id).vendor_id
    pages = max(1, Bid.objects.filter(vendor_id=vendor_id).count() // 20)
    url = reverse("procurement:my-bids")
    return [url] + [f"{url}?page={page}" for page in range(2, min(pages, 50) + 1)]


# Django admin: each changelist, its later pages, and searches by what admins type (names,
# NIB, NPWP, certificate numbers, RUP codes). -------------------------------------------------


def _admin(model: str) -> str:
    return reverse(f"admin:{model}_changelist")


def _searches(url: str, terms: Iterable[str], pages: int = 5) -> list[str]:
    urls = [url] + [f"{url}?p={page}" for page in range(1, pages)]
    return urls + [_url(url, {"q": term}) for term in terms]


def admin_pages(n: int = ADMIN_SEARCHES) -> dict[str, list[str]]:
    from audit.models import AuditEntry
    from matching.models import Meeting
    from procurement.models import Bid, Package
    from vendors.models import Product, TKDNCertificate, Vendor

    rng = random.Random(SEED)

    def pick(queryset, *fields: str) -> list:
        ids = [rng.randrange(1, queryset.model.objects.order_by("-pk").values("pk")[0]["pk"] + 1)
               for _ in range(n * 3)]  # fmt: skip
        rows = queryset.filter(pk__in=ids).values_list(*fields)[:n]
        return [value for row in rows for value in row if value]

    vendors = pick(Vendor.objects.all(), "nib", "npwp")
    vendor_words = _words(pick(Vendor.objects.all(), "name"))
    product_words = _words(pick(Product.objects.all(), "name"))
    return {
        "admin_vendors": _searches(
            _admin("vendors_vendor"), [*vendors[:n], *vendor_words[: n // 3]]
        ),
        "admin_products": _searches(_admin("vendors_product"), product_words[:n]),
        "admin_certificates": _searches(
            _admin("vendors_tkdncertificate"), pick(TKDNCertificate.objects.all(), "number")
        ),
        "admin_packages": _searches(
            _admin("procurement_package"), pick(Package.objects.all(), "rup_code")
        ),
        "admin_bids": _searches(
            _admin("procurement_bid"), pick(Bid.objects.all(), "package__rup_code")
        ),
        "admin_audit": _searches(
            _admin("audit_auditentry"), _words(pick(AuditEntry.objects.all(), "object_label"))
        ),
        "admin_participants": _searches(
            _admin("matching_participant"), vendor_words[:n] + vendors[: n // 3]
        ),
        "admin_meetings": _searches(
            _admin("matching_meeting"),
            _words(pick(Meeting.objects.all(), "exhibitor__vendor__name")),
        ),
    }


def write(paths: list[str], folder, name: str):
    """The file the wrk script reads, one path a line."""
    target = folder / f"{name}.paths"
    target.write_text("\n".join(paths) + "\n")
    return target
