"""Every URL pattern of the project, asked for by every role, with objects that belong to
someone else: vendor A's and OPD A's objects as vendor B, OPD B, the public and the admin
(the world: tests/security/world.py).

The table below says, per URL name, who may open it and what they get; everyone else must
get 403 or 404 (anonymous visitors: the login page), never a 500. Actions are posted with an
empty body (and their GET must not serve them); a page is also posted to by every role that
may not open it. No 200 may show a role the secrets of objects it may not see (a hidden
product, a draft's title, a sealed bid's receipt, another admin's authenticator key...).

Django admin pages answer the Dinas admin and a superuser what the hand-written table of
tests/security/admin_pages.py says; everyone else is sent to the sign-in. A URL pattern in
none of the tables fails `test_every_url_pattern_is_walked`: whoever adds a URL says who may
open it. Each request runs in a savepoint rolled back after it, so every
request sees the world as built."""

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import transaction
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from accounts.services import ADMIN_GROUP_PERMISSIONS
from procurement.models import Bid, Package
from tests import factories
from tests.security.admin_pages import ADMIN_APPS, ADMIN_PAGES, LIST, PAGE_NEEDS
from tests.security.world import (
    ADMIN,
    ANON,
    OFFICER,
    OTHER_OFFICER,
    OTHER_VENDOR,
    OWNER,
    ROLES,
    STAFF,
    World,
    build_world,
)
from vendors.models import Vendor, VendorMember

pytestmark = pytest.mark.django_db

# --- The URL patterns of the project -----------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    key: str  # the URL name, or the route of an unnamed pattern
    route: str
    name: str | None

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")


def url_patterns() -> list[Pattern]:
    """Every pattern of the root URLconf, includes walked, in their order."""

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Pattern]:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                yield from walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
                yield Pattern(key=name or route, route=route, name=name)

    return list(walk(get_resolver(), "", ""))


# --- Who may open what ---------------------------------------------------------------------

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {ANON}
NOBODY = frozenset()
VENDOR_A = frozenset({OWNER, STAFF})
VENDORS = VENDOR_A | {OTHER_VENDOR}
OFFICERS = frozenset({OFFICER, OTHER_OFFICER})
# Vendor A and B exhibit at the event, OPD A and B buy there: each opens its own pages.
PARTICIPANTS = VENDORS | OFFICERS
FILE_READERS = VENDOR_A | {ADMIN}  # vendor A's private files: its users and the admins
OPD_A_OR_VENDOR_A = VENDOR_A | {OFFICER}


@dataclass(frozen=True)
class lit:
    """A literal URL argument, where other arguments name objects of the world."""

    value: object


@dataclass(frozen=True)
class Case:
    """One request: `method` with the URL filled from the world; `allowed` maps each role
    that may make it to the statuses it may get; everyone else is refused."""

    method: str
    allowed: dict[str, frozenset[int]]
    kwargs: dict[str, object] = field(default_factory=dict)
    args: tuple = ()
    query: object = ""
    # The URL carries a secret token: whoever holds it may open the page (no leak check).
    bearer: bool = False
    # The page sends everyone to the portal's sign-in.
    to_login: bool = False

    def url(self, pattern: Pattern, world: World) -> str:
        kwargs = {k: _value(v, world) for k, v in self.kwargs.items()}
        args = [_value(v, world) for v in self.args]
        if pattern.name:
            url = reverse(pattern.name, args=args or None, kwargs=kwargs or None)
        else:
            url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m[1]]), pattern.route)
            url = url.replace("(?P<url>.*)$", str(kwargs.get("url", "")))
        query = _value(self.query, world) if self.query else ""
        return f"{url}?{query}" if query else url


def _value(value: object, world: World) -> object:
    return value.value if isinstance(value, lit) else world.ids[value]


def _statuses(who, status) -> dict[str, frozenset[int]]:
    if isinstance(who, dict):
        return {r: frozenset(s if isinstance(s, tuple) else (s,)) for r, s in who.items()}
    statuses = frozenset(status if isinstance(status, tuple) else (status,))
    return dict.fromkeys(who, statuses)


def page(who, status=200, *, query="", args=(), bearer=False, to_login=False, **kwargs) -> Case:
    """A GET: `who` (roles, or role -> status) opens it."""
    return Case("GET", _statuses(who, status), kwargs, tuple(args), query, bearer, to_login)


def action(who, status=302, **kwargs) -> Case:
    """A POST with an empty body: `who` gets through to the service (which may still refuse
    the empty form, with a message and a redirect). A GET of it is walked too."""
    return Case("POST", _statuses(who, status), kwargs)


def anonymous_only(status=200) -> dict:
    """Pages for visitors that send a signed-in user on (home)."""
    return {ANON: status, **dict.fromkeys(SIGNED_IN, 302)}


EXPECTATIONS: dict[str, list[Case]] = {
    # The portal and accounts
    "landing": [page(EVERYONE)],
    "home": [page(SIGNED_IN, 302)],
    "healthz": [page(EVERYONE)],
    "accounts:login": [page(anonymous_only())],
    # The code step of an admin's sign-in: anyone else is sent home, a verified admin on.
    "accounts:otp-verify": [page(SIGNED_IN, 302)],
    "accounts:otp-setup": [page(SIGNED_IN, 302)],
    "accounts:signup": [page(anonymous_only())],
    "accounts:email-verify": [page(EVERYONE, 302, token=lit("tidak-sah"))],
    "accounts:email-verification-resend": [action(SIGNED_IN)],
    "accounts:logout": [action(EVERYONE)],
    "accounts:profile": [page(SIGNED_IN)],
    "accounts:notifications": [page(SIGNED_IN)],
    "accounts:language-set": [action(EVERYONE)],
    "accounts:password-change": [page(SIGNED_IN)],
    "accounts:password-reset": [page(EVERYONE)],
    "accounts:password-reset-done": [page(EVERYONE)],
    "accounts:password-reset-confirm": [
        page(EVERYONE, uidb64=lit("MQ"), token=lit("tidak-sah-123"))
    ],
    "accounts:password-reset-complete": [page(EVERYONE)],
    # Vendors: their company, staff, products and certificates
    "vendors:home": [page(VENDORS)],
    "vendors:register": [page(SIGNED_IN, 302)],
    "vendors:profile-edit": [page({OWNER, OTHER_VENDOR})],
    "vendors:members": [page(VENDORS)],
    "vendors:member-remove": [action({OWNER}, member_id="staff_member")],
    "vendors:invitation-cancel": [action({OWNER}, invitation_id="invitation")],
    "vendors:invitation-accept": [
        page(EVERYONE, token="invitation_token", bearer=True),
        page(dict.fromkeys(EVERYONE, 410), token=lit("tidak-sah")),
    ],
    "vendors:products": [page(VENDORS)],
    "vendors:product-add": [page(VENDORS)],
    "vendors:product-edit": [page(VENDOR_A, product_id="hidden_product")],
    "vendors:product-photo-delete": [
        action(VENDOR_A, product_id="hidden_product", photo_id="doomed_photo")
    ],
    "vendors:product-photo": [
        page(FILE_READERS, photo_id="hidden_photo"),
        page(EVERYONE, photo_id="public_photo"),
    ],
    "vendors:certificates": [page(VENDORS)],
    "vendors:certificate-add": [page(VENDORS, kind=lit("tkdn")), page(VENDORS, kind=lit("halal"))],
    "vendors:certificate-edit": [
        page(VENDOR_A, kind=lit("tkdn"), certificate_id="pending_tkdn"),
        page(VENDOR_A, kind=lit("halal"), certificate_id="pending_halal"),
    ],
    "vendors:certificate-file": [
        page(FILE_READERS, kind=lit("tkdn"), certificate_id="verified_tkdn"),
        page(FILE_READERS, kind=lit("halal"), certificate_id="verified_halal"),
        page(FILE_READERS, kind=lit("tkdn"), certificate_id="pending_tkdn"),
    ],
    "vendors:directory": [page(EVERYONE)],
    "vendors:directory-vendor": [
        page(EVERYONE, vendor_id="vendor_a"),
        page(NOBODY, vendor_id="pending_vendor"),
    ],
    # Procurement: packages in every state, bids, objections, evaluations
    "procurement:home": [page(OFFICERS)],
    "procurement:package-detail": [
        page({OFFICER}, package_id="draft_package"),
        page({OFFICER}, package_id="cancelled_draft"),
        page(EVERYONE, package_id="announced_package"),
        page(EVERYONE, package_id="objection_package"),
        page(EVERYONE, package_id="awarded_package"),
    ],
    # Admins read objections (and their attachments) in Django admin too.
    "procurement:objection-attachment": [
        page(OPD_A_OR_VENDOR_A | {ADMIN}, objection_id="objection")
    ],
    "procurement:officer-packages": [page(OFFICERS)],
    # Each officer reads their own OPD's payment target; its PPK or KPA sets it.
    "procurement:opd-payment-target": [page(OFFICERS)],
    "procurement:officer-package-add": [page(OFFICERS)],
    "procurement:officer-package-edit": [page({OFFICER}, package_id="draft_package")],
    # Steps that cannot be undone answer an unconfirmed POST with the page that asks first.
    "procurement:officer-package-announce": [action({OFFICER: 200}, package_id="draft_package")],
    "procurement:officer-package-close": [action({OFFICER: 200}, package_id="announced_package")],
    "procurement:officer-evaluation": [
        page({OFFICER}, package_id="evaluated_package"),
        page({OFFICER}, package_id="objection_package"),
    ],
    "procurement:officer-package-evaluate": [action({OFFICER}, package_id="evaluated_package")],
    "procurement:officer-evaluation-compare": [
        page({OFFICER}, package_id="evaluated_package", query="compare_query")
    ],
    "procurement:officer-evaluation-xlsx": [page({OFFICER}, package_id="evaluated_package")],
    "procurement:evaluation-status": [page({OFFICER}, run_id="evaluation_run")],
    # Announcing asks first: a page with the ranking's first bid, posting to itself.
    "procurement:officer-package-announce-winner": [
        page({OFFICER}, package_id="evaluated_package"),
    ],
    "procurement:officer-verdicts": [
        page({OFFICER}, package_id="evaluated_package"),
        # Nothing opened yet: not even who bid.
        page(NOBODY, package_id="announced_package"),
    ],
    # The verdicts are the pokja's: OPD A's PPK is refused them (403), others never see them.
    "procurement:officer-verdicts-confirm-all": [
        action({OFFICER: 403}, package_id="evaluated_package")
    ],
    "procurement:officer-verdict": [
        action({OFFICER: 403}, package_id="evaluated_package", bid_id="evaluated_bid")
    ],
    "procurement:officer-clarification": [
        action({OFFICER: 403}, package_id="evaluated_package", bid_id="evaluated_bid")
    ],
    "procurement:officer-evaluation-report": [page({OFFICER}, package_id="evaluated_package")],
    # Refused with the reason (not every bid is above the HPS), back to the package.
    "procurement:officer-package-fail-above-hps": [
        action({OFFICER}, package_id="evaluated_package")
    ],
    "procurement:officer-package-answer-objection": [
        action({OFFICER}, package_id="objection_package", objection_id="objection")
    ],
    "procurement:officer-package-award": [action({OFFICER}, package_id="objection_package")],
    "procurement:officer-package-contract": [action({OFFICER}, package_id="awarded_package")],
    "procurement:officer-package-cancel": [action({OFFICER}, package_id="announced_package")],
    "procurement:officer-package-fail": [action({OFFICER}, package_id="evaluated_package")],
    "procurement:officer-package-bids": [
        page({OFFICER}, package_id="evaluated_package"),
        # Sealed until the deadline, for the OPD's own officers too: back to the package.
        page({OFFICER}, 302, package_id="announced_package"),
    ],
    "procurement:officer-package-bids-xlsx": [
        page({OFFICER}, package_id="evaluated_package"),
        page({OFFICER}, 302, package_id="announced_package"),
    ],
    "procurement:public-packages": [page(EVERYONE)],
    "procurement:bid-edit": [
        # Any vendor bids on an announced package (vendor A revises its own bid).
        page(VENDORS, package_id="announced_package"),
        page(NOBODY, package_id="draft_package"),
    ],
    "procurement:objection-file": [page(VENDORS, package_id="objection_package")],
    "procurement:vendor-evaluation": [page(VENDOR_A, package_id="objection_package")],
    "procurement:my-bids": [page(VENDORS)],
    "procurement:bid-receipt": [page(VENDOR_A, bid_id="sealed_bid")],
    "procurement:bid-withdraw": [action(VENDOR_A, bid_id="sealed_bid")],
    # Contracts: OPD A's PPK records deliveries and signs the BAST; vendor A answers.
    "contracts:officer-contracts": [page(OFFICERS)],
    "contracts:officer-contract": [
        page({OFFICER}, contract_id="delivering_contract"),
        page({OFFICER}, contract_id="handed_over_contract"),
    ],
    "contracts:officer-delivery-record": [page({OFFICER}, contract_id="delivering_contract")],
    "contracts:officer-handover": [
        page({OFFICER}, contract_id="delivering_contract"),
        # Signed already: back to the contract.
        page({OFFICER}, 302, contract_id="handed_over_contract"),
    ],
    "contracts:handover-document": [
        page(OPD_A_OR_VENDOR_A, contract_id="handed_over_contract"),
        page(NOBODY, contract_id="delivering_contract"),
    ],
    "contracts:vendor-contracts": [page(VENDORS)],
    "contracts:vendor-contract": [
        page(VENDOR_A, contract_id="delivering_contract"),
        page(VENDOR_A, contract_id="handed_over_contract"),
    ],
    "contracts:vendor-delivery-respond": [action(VENDOR_A, delivery_id="pending_delivery")],
    "contracts:vendor-handover-acknowledge": [action(VENDOR_A, contract_id="handed_over_contract")],
    "contracts:vendor-rating-answer": [action(VENDOR_A, contract_id="handed_over_contract")],
    # Contracts: invoices and payments, read by the OPD's officers and the vendor; recorded
    # by the OPD's PPK or Bendahara (an empty form is refused: 400). The vendor is refused.
    "contracts:payments": [page(OPD_A_OR_VENDOR_A, contract_id="handed_over_contract")],
    "contracts:invoice-add": [action({OFFICER: 200}, contract_id="handed_over_contract")],
    "contracts:payment-add": [action({OFFICER: 200}, contract_id="handed_over_contract")],
    # Business matching
    "matching:events": [page(EVERYONE)],
    "matching:event-detail": [
        page(EVERYONE, event_id="event"),
        page({ADMIN}, event_id="draft_event"),
    ],
    "matching:exhibitor-apply": [
        # Both vendors are accepted already: they are sent to their participation page.
        page(VENDORS, 302, event_id="event"),
        page(NOBODY, event_id="draft_event"),
    ],
    "matching:buyer-register": [
        action(OFFICERS, event_id="event"),
        action(NOBODY, event_id="draft_event"),
    ],
    "matching:participation": [
        page(PARTICIPANTS, event_id="event"),
        page(NOBODY, event_id="draft_event"),
    ],
    # Withdrawing and calling off a meeting ask first: the page that asks (200).
    "matching:withdraw": [
        action(PARTICIPANTS, 200, event_id="event"),
        action(NOBODY, event_id="draft_event"),
    ],
    "matching:need-add": [
        page(OFFICERS, event_id="event"),
        page(NOBODY, event_id="draft_event"),
    ],
    "matching:need-edit": [page({OFFICER}, event_id="event", need_id="need_a")],
    "matching:need-delete": [action({OFFICER}, event_id="event", need_id="need_a")],
    "matching:availability": [
        page(PARTICIPANTS, event_id="event"),
        page(NOBODY, event_id="draft_event"),
    ],
    "matching:counterparts": [
        page(PARTICIPANTS, event_id="event"),
        page(NOBODY, event_id="draft_event"),
    ],
    "matching:meeting-request": [
        # OPD A's buyer seat: exhibitors may ask it for a meeting; buyers may not.
        action(VENDORS, event_id="event", participant_id="buyer_a")
    ],
    "matching:meeting-respond": [action(OPD_A_OR_VENDOR_A, meeting_id="meeting")],
    "matching:meeting-withdraw": [action(OPD_A_OR_VENDOR_A, 200, meeting_id="meeting")],
    "matching:agenda": [
        page(PARTICIPANTS, event_id="event"),
        page(NOBODY, event_id="draft_event"),
    ],
    "matching:agenda-ics": [
        page(PARTICIPANTS, event_id="event"),
        page(NOBODY, event_id="draft_event"),
    ],
    "matching:outcome": [page({OFFICER, ADMIN}, meeting_id="meeting")],
    # A package grown from a held meeting: OPD A's officer only; OPD B finds nothing.
    "matching:meeting-package": [page({OFFICER}, meeting_id="held_meeting")],
    "matching:checkin-desk": [page({ADMIN}, event_id="event")],
    "matching:table-sheet": [page({ADMIN}, event_id="event")],
    "matching:participant-agenda": [page({ADMIN}, event_id="event", participant_id="exhibitor_a")],
    "matching:manage": [page({ADMIN}, event_id="event")],
    "matching:manage-xlsx": [page({ADMIN}, event_id="event")],
    "matching:event-move": [action({ADMIN}, event_id="event")],
    "matching:suggestions-run": [action({ADMIN}, event_id="event")],
    "matching:schedule": [page({ADMIN}, event_id="event")],
    "matching:schedule-run": [page({ADMIN}, event_id="event", run_id="schedule_run")],
    # Programme dashboards: admins (every OPD) and officers (their own OPD)
    "dashboards:home": [page(OFFICERS | {ADMIN})],
    "dashboards:csv": [page(OFFICERS | {ADMIN})],
    "dashboards:xlsx": [page(OFFICERS | {ADMIN})],
    # Open data: published packages for everyone, drafts for nobody
    "opendata:index": [page(EVERYONE)],
    "opendata:download": [page(EVERYONE)],
    "opendata:download-year": [page(EVERYONE, year="fiscal_year")],
    "opendata:package-json": [
        page(EVERYONE, package_id="awarded_package"),
        page(NOBODY, package_id="draft_package"),
        page(NOBODY, package_id="cancelled_draft"),
    ],
    "opendata:extension": [
        page(EVERYONE, name=lit("extension.json")),
        page(NOBODY, name=lit("settings.py")),
    ],
}

# Django admin pages: the site's own pages by name, and each model's pages by the route
# after `admin/<app>/<model>/`, with the permission they need.
SUPERUSER = "superuser"  # a Django superuser (no Dinas admin is one): walked over the admin
ADMINS = frozenset({ADMIN, SUPERUSER})
ADMIN_SITE: dict[str, list[Case]] = {
    "admin:index": [page(ADMINS)],
    # One sign-in for everyone: the portal's (its lockout and code step apply to admins).
    "admin:login": [page(EVERYONE | ADMINS, 302, to_login=True)],
    "admin:logout": [page(ADMINS, 405)],
    "admin:password_change": [page(ADMINS)],
    "admin:password_change_done": [page(ADMINS)],
    "admin:jsi18n": [page(ADMINS)],
    "admin:autocomplete": [
        page(ADMINS, query=lit("app_label=procurement&model_name=officer&field_name=user"))
    ],
    # No model has a public page: the shortcut finds none, for the admin too.
    "admin:view_on_site": [
        page(
            dict.fromkeys(ADMINS, 404), content_type_id="vendor_content_type", object_id="vendor_a"
        )
    ],
    "admin/(?P<url>.*)$": [page(dict.fromkeys(ADMINS, 404), url=lit("tidak-ada/"))],
}
ADMIN_MODEL_ROUTE = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/(?P<page>.*)$")


def admin_model_page(pattern: Pattern):
    """(model, page) of a model's admin page, or None for any other pattern."""
    match = ADMIN_MODEL_ROUTE.match(pattern.route)
    if match is None or match["page"] not in PAGE_NEEDS:
        return None
    try:
        model = apps.get_model(match["app"], match["model"])
    except LookupError:
        return None
    return (model, match["page"]) if model in admin.site._registry else None


def _admin_request(world: World):
    request = RequestFactory().get("/admin/")
    request.user = world.users[ADMIN]
    return request


def admin_cases(pattern: Pattern, world: World) -> list[Case]:
    if pattern.key in ADMIN_SITE:
        return ADMIN_SITE[pattern.key]
    if pattern.key == "admin:app_list":
        return [
            page(
                dict(zip((ADMIN, SUPERUSER), ADMIN_APPS[label], strict=True)), app_label=lit(label)
            )
            for label in _app_labels(pattern)
        ]
    model, suffix = admin_model_page(pattern)
    dinas, superuser = ADMIN_PAGES[model._meta.label_lower][suffix]
    model_admin = admin.site._registry[model]
    request = _admin_request(world)
    obj = None
    if "<" in suffix or "(" in suffix:
        # An object the admin's list shows (sealed bids, say, are not even there).
        obj = model_admin.get_queryset(request).order_by("pk").first()
        assert obj is not None, f"The world has no {model._meta.label}: add one in world.py."
    expected = {ADMIN: dinas, SUPERUSER: superuser}
    if obj is None:
        return [page(expected)]
    object_id = lit(obj.pk)
    if suffix == "<id>/password/":
        return [page(expected, id=object_id)]
    if suffix.startswith("<int:pk>"):
        return [page(expected, pk=object_id)]
    if suffix.startswith("^"):
        record = obj.history.order_by("-history_id").first()
        assert record is not None, f"{model._meta.label} {obj.pk} has no history record."
        return [page(expected, args=(object_id, lit(record.history_id)))]
    return [page(expected, object_id=object_id)]


def _app_labels(pattern: Pattern) -> list[str]:
    return re.search(r"\(\?P<app_label>([\w|]+)\)", pattern.route)[1].split("|")


def is_known(pattern: Pattern) -> bool:
    if not pattern.is_admin:
        return pattern.key in EXPECTATIONS
    return (
        pattern.key in ADMIN_SITE
        or pattern.key == "admin:app_list"
        or (
            (found := admin_model_page(pattern)) is not None
            and found[1] in ADMIN_PAGES.get(found[0]._meta.label_lower, {})
        )
    )


def cases_for(pattern: Pattern, world: World) -> list[Case]:
    return admin_cases(pattern, world) if pattern.is_admin else EXPECTATIONS[pattern.key]


# --- The walk ----------------------------------------------------------------------------

LOGIN_PAGES = ("accounts:login", "admin:login")
# What a GET of a POST-only view may answer: 405, the page its button sits on, or a refusal.
GET_OF_ACTION = frozenset({302, 403, 404, 405})
DENIED = frozenset({403, 404})


@dataclass
class Walk:
    role: str
    patterns: int = 0
    requests: int = 0
    assertions: int = 0
    problems: list[str] = field(default_factory=list)

    def check(self, ok: bool, problem: str) -> None:
        self.assertions += 1
        if not ok:
            self.problems.append(problem)


def _is_login_redirect(response, names=LOGIN_PAGES) -> bool:
    if response.status_code != 302:
        return False
    path = response.url.split("?", 1)[0]
    return path in {reverse(name) for name in names}


def _request(client, method: str, url: str):
    """The request in a savepoint that is rolled back: the world stays as built for every
    request, whatever the one before changed (a withdrawn bid, a logout)."""
    cookies = SimpleCookie()
    cookies.load(client.cookies.output(header="", sep=";"))
    try:
        with transaction.atomic():
            response = client.post(url) if method == "POST" else client.get(url)
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies
    return response


def _body(response) -> bytes:
    """The whole body; a streamed one (a file, the OCDS download) read to its end, which
    closes it the way the test client expects (closing it early would close the database
    connection)."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _judge(walk: Walk, world: World, case: Case, method: str, url: str, response) -> None:
    role, status = walk.role, response.status_code
    admin_site = url.startswith("/admin/")
    where = f"{walk.role} {method} {url}: {status}"
    walk.check(status < 500, f"{where}, a server error")
    # A page that only answers GET may refuse a POST with 405 too.
    refused = DENIED | {405} if method != case.method else DENIED
    if method == "GET" and case.method == "POST":
        walk.check(status in GET_OF_ACTION, f"{where}; a GET of an action must not serve it")
    elif role in case.allowed:
        walk.check(status in case.allowed[role], f"{where}, expected {set(case.allowed[role])}")
        if status == 302 and role != ANON:
            walk.check(
                _is_login_redirect(response) == case.to_login,
                f"{where} to {response.url}",
            )
    elif role == ANON or admin_site:
        # Django admin sends anyone who is not an admin to the sign-in (from its logout
        # page: to its index, which does).
        names = (*LOGIN_PAGES, "admin:index") if admin_site else LOGIN_PAGES
        walk.check(
            status in refused or _is_login_redirect(response, names),
            f"{where}, expected the login page or {set(refused)}",
        )
    else:
        walk.check(status in refused, f"{where}, expected {set(refused)}")
    if status == 200 and not case.bearer:
        text = _body(response).decode(errors="replace")
        leaked = [secret for secret in world.secrets[role] if secret in text]
        walk.check(not leaked, f"{where} shows {leaked}")


def walk_as(role: str, client, world: World, only=lambda pattern: True) -> Walk:
    walk = Walk(role)
    for pattern in filter(only, url_patterns()):
        walk.patterns += 1
        for case in cases_for(pattern, world):
            url = case.url(pattern, world)
            # Actions are posted; a page is posted to by whoever may not open it, as well:
            # a form's POST branch must refuse them as its GET does. (Django admin checks
            # who asks before the method, in AdminSite.admin_view: a GET tells.)
            posts = case.method == "POST" or (role not in case.allowed and not pattern.is_admin)
            methods = ("GET", "POST") if posts else ("GET",)
            for method in methods:
                walk.requests += 1
                try:
                    response = _request(client, method, url)
                except Exception as error:
                    walk.check(False, f"{role} {method} {url}: raised {error!r}")
                    continue
                _judge(walk, world, case, method, url, response)
    return walk


# --- The tests ----------------------------------------------------------------------------

WALKS: list[Walk] = []


@pytest.fixture(scope="module", autouse=True)
def _walk_summary(request):
    """The figures of the walks of this run, printed under the test results."""
    yield
    if WALKS:
        patterns = max(walk.patterns for walk in WALKS)
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled():
            print(
                f"\nAccess walk: {len(WALKS)} roles x {patterns} URL patterns = "
                f"{sum(walk.patterns for walk in WALKS)} (role, URL) pairs, "
                f"{sum(walk.requests for walk in WALKS)} requests, "
                f"{sum(walk.assertions for walk in WALKS)} assertions "
                f"({', '.join(walk.role for walk in WALKS)})."
            )


def test_every_url_pattern_is_walked():
    """A new URL fails here until the table (or the admin rule) says who may open it."""
    patterns = url_patterns()
    unknown = [p.route for p in patterns if not is_known(p)]
    assert not unknown, f"Say who may open these URLs in EXPECTATIONS: {unknown}"
    stale = sorted((set(EXPECTATIONS) | set(ADMIN_SITE)) - {p.key for p in patterns})
    assert not stale, f"These expectations name no URL pattern any more: {stale}"
    admin_pages = {
        (model._meta.label_lower, suffix)
        for p in patterns
        if (found := admin_model_page(p)) is not None
        for model, suffix in [found]
    }
    listed = {(label, suffix) for label, pages in ADMIN_PAGES.items() for suffix in pages}
    assert not listed - admin_pages, f"ADMIN_PAGES names no page: {sorted(listed - admin_pages)}"
    app_lists = [p for p in patterns if p.key == "admin:app_list"]
    assert sorted(ADMIN_APPS) == sorted(_app_labels(app_lists[0]))
    assert all(EXPECTATIONS.values()), "Each URL needs at least one request."


@pytest.mark.parametrize("role", ROLES)
def test_every_url_refuses_what_the_role_may_not_see(role, client, login, record_property):
    world = build_world()
    if role != ANON:
        login(world.users[role])
    walk = walk_as(role, client, world)
    summary = (
        f"{role}: {walk.patterns} URL patterns, {walk.requests} requests, "
        f"{walk.assertions} assertions"
    )
    WALKS.append(walk)
    record_property("walk", summary)
    assert walk.patterns == len(url_patterns())
    assert not walk.problems, f"{len(walk.problems)} problems:\n" + "\n".join(walk.problems)


def test_a_superuser_gets_the_admin_pages_the_table_says(client, login):
    world = build_world()
    superuser = factories.UserFactory(is_staff=True, is_superuser=True)
    world.users[SUPERUSER] = superuser
    world.secrets[SUPERUSER] = world.secrets[ADMIN]  # another admin's authenticator key
    login(superuser)
    walk = walk_as(SUPERUSER, client, world, only=lambda pattern: pattern.is_admin)
    WALKS.append(walk)
    assert walk.requests > 100
    assert not walk.problems, f"{len(walk.problems)} problems:\n" + "\n".join(walk.problems)


def test_the_admin_table_opens_no_page_the_group_may_not():
    """Each page the table opens to a Dinas admin rests on a permission of the group."""
    granted = set(ADMIN_GROUP_PERMISSIONS)
    unfounded = []
    for label, pages in ADMIN_PAGES.items():
        app, model = label.split(".")
        for suffix, (dinas, _) in pages.items():
            needs = {f"{app}.{action}_{model}" for action in PAGE_NEEDS[suffix]}
            if dinas == 200 and not needs & granted:
                unfounded.append(f"{label} {suffix or 'list'} needs one of {sorted(needs)}")
    for app, (dinas, _) in ADMIN_APPS.items():
        if dinas == 200 and not any(p.startswith(f"{app}.") for p in granted):
            unfounded.append(f"the {app} app index")
    assert not unfounded, "\n".join(unfounded)


def test_an_admin_that_wrongly_allows_a_delete_fails_the_walk(client, login, monkeypatch):
    """The planted fault: the opened bids' admin allows deleting them. The walk's expectation
    comes from the table, not from the admin, so the walk sees it."""
    world = build_world()
    login(world.users[ADMIN])
    monkeypatch.setattr(
        admin.site._registry[Bid], "has_delete_permission", lambda request, obj=None: True
    )
    delete_page = "admin/procurement/bid/<path:object_id>/delete/"
    walk = walk_as(ADMIN, client, world, only=lambda pattern: pattern.route == delete_page)
    assert walk.requests == 1
    assert len(walk.problems) == 1
    assert re.fullmatch(
        r"admin GET /admin/procurement/bid/\d+/delete/: 200, expected \{403\}", walk.problems[0]
    )


# --- A Dinas admin as the attacker ---------------------------------------------------------
# The admin of the walk above, signed in with its code and holding its group's permissions
# only, now trying on purpose what the security review found: learning who bid through list
# filters on relations, joining the bidder, taking over the bidder's account, making itself
# superuser, and reading the bids of a package cancelled before its deadline.

DINAS_ATTACKER = "dinas_admin_as_attacker"


def _bid_relation_lookups(model) -> list[str]:
    """The lookups from `model` that reach bids in one or two steps."""
    lookups = []
    for field_ in model._meta.get_fields():
        if not field_.is_relation or field_.related_model is None:
            continue
        if field_.related_model is Bid:
            lookups.append(field_.name)
        elif field_.related_model in (Package, Vendor):
            lookups.append(f"{field_.name}__bids")
    return lookups


def _changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def _check_quiet(walk: Walk, world: World, where: str, response, allowed: set[int]) -> None:
    walk.requests += 1
    walk.check(response.status_code in allowed, f"{where}: {response.status_code}")
    text = _body(response).decode(errors="replace")
    leaked = [secret for secret in world.secrets[ADMIN] if secret in text]
    walk.check(not leaked, f"{where} shows {leaked}")


def test_a_dinas_admin_as_attacker_learns_no_bidder_and_gains_no_power(client, login):
    world = build_world()
    attacker = world.users[ADMIN]
    assert attacker.is_staff and not attacker.is_superuser
    assert not attacker.user_permissions.exists()
    granted = {p.split(".", 1)[1] for p in attacker.get_all_permissions()}
    assert {"add_vendormember", "change_bid", "delete_vendor", "change_group"}.isdisjoint(granted)
    login(attacker)
    walk = Walk(DINAS_ATTACKER)
    bid_id = world.ids["never_opened_bid"]
    owner = world.users[OWNER]

    # Who bid, through list filters on relations: refused (400), whatever the relation.
    for model in admin.site._registry:
        url = _changelist_url(model)
        listed = ADMIN_PAGES[model._meta.label_lower][LIST][0] == 200
        allowed = {400} if listed else {403}
        for lookup in _bid_relation_lookups(model):
            walk.patterns += 1
            for query in ({lookup: bid_id}, {f"{lookup}__isnull": "False"}):
                response = _request(client, "GET", f"{url}?{urlencode(query)}")
                _check_quiet(walk, world, f"GET {url}?{urlencode(query)}", response, allowed)

    # Joining the bidder: no member added, neither itself nor an account it makes.
    add_member = reverse("admin:vendors_vendormember_add")
    # (Posted outside a savepoint: what they change must be seen, and must not be there.)
    response = client.post(
        add_member, {"user": attacker.pk, "vendor": world.ids["vendor_a"], "role": "staff"}
    )
    _check_quiet(walk, world, f"POST {add_member}", response, {403})
    walk.check(
        not VendorMember.objects.filter(user=attacker).exists(), "the attacker joined vendor A"
    )

    # The bidder owner's password: never set by an admin (a reset link goes to the owner).
    password_url = reverse("admin:auth_user_password_change", args=[owner.pk])
    stolen = {"password1": "Diambil-alih-1!", "password2": "Diambil-alih-1!"}
    response = client.post(password_url, stolen)
    _check_quiet(walk, world, f"POST {password_url}", response, {302})
    owner.refresh_from_db()
    walk.check(not owner.check_password("Diambil-alih-1!"), "the admin set the owner's password")

    # The superuser flag, its groups and permissions, its email (a reset link's address).
    own_page = reverse("admin:accounts_user_change", args=[attacker.pk])
    response = client.post(
        own_page,
        {
            "email": "penyerang@contoh.id",
            "full_name": attacker.full_name,
            "language": attacker.language,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "user_permissions": list(Permission.objects.values_list("pk", flat=True)[:5]),
        },
    )
    _check_quiet(walk, world, f"POST {own_page}", response, {302})
    attacker.refresh_from_db()
    walk.check(not attacker.is_superuser, "the admin made itself superuser")
    walk.check(attacker.email != "penyerang@contoh.id", "the admin changed its email")
    walk.check(not attacker.user_permissions.exists(), "the admin gave itself permissions")

    # The package cancelled before its deadline: its bid is in no admin page or workbook.
    pages = [
        reverse("admin:procurement_bid_changelist"),
        reverse("admin:procurement_bid_change", args=[bid_id]),
        reverse("admin:audit_auditentry_changelist"),
        f"{reverse('admin:audit_auditentry_changelist')}?q={bid_id}",
        reverse("admin:procurement_package_change", args=[world.ids["cancelled_package"]]),
        reverse("admin:autocomplete")
        + "?app_label=procurement&model_name=objection&field_name=bid&term=",
    ]
    for url in pages:
        _check_quiet(walk, world, f"GET {url}", _request(client, "GET", url), {200, 302})
    export = _request(client, "GET", reverse("admin:audit_auditentry_export"))
    cells = " ".join(
        str(cell.value)
        for sheet in load_workbook(io.BytesIO(_body(export))).worksheets
        for row in sheet.iter_rows()
        for cell in row
    )
    leaked = [secret for secret in world.secrets[ADMIN] if secret in cells]
    walk.check(not leaked, f"the audit workbook shows {leaked}")

    WALKS.append(walk)
    assert not walk.problems, f"{len(walk.problems)} problems:\n" + "\n".join(walk.problems)
