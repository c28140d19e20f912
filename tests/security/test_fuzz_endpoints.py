"""Every URL of the portal, fed hostile query strings and form posts by hypothesis, through
the test client as a user allowed to use it. Two properties:

- no input gives a server error (the test client re-raises a view's exception: a failure);
- a request that did not succeed (4xx, the form shown again with errors, an error message)
  wrote nothing: every project table has the same rows before and after.

URLs come from the resolver, so a new one is fuzzed without touching this file; a project
URL missing from ROUTES fails here until it says who uses it and with which objects. Field
names come from the pages themselves (the forms and filter links they render), plus the
names ROUTES lists. Each example runs in a savepoint rolled back afterwards: every example
sees the same world."""

import dataclasses
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django import forms
from django.contrib import admin
from django.contrib.messages import constants as message_levels
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import User
from tests import factories
from tests.otp import sign_in_with_otp
from tests.security import fuzzing
from tests.security.admin_pages import ADMIN_PAGES
from tests.security.world import (
    ADMIN,
    ANON,
    OFFICER,
    OTHER_VENDOR,
    OWNER,
    POKJA,
    World,
    build_world,
)

NEWCOMER = "newcomer"  # signed up, email verified, no company yet: the registration wizard
PROJECT_NAMESPACES = {"accounts", "vendors", "procurement", "matching", "dashboards", "opendata"}


@dataclass(frozen=True)
class Route:
    """Who uses a URL, and with which of the world's objects (URL keyword -> world id key, or a
    literal in `literal`). `form_page`: the URL name (same kwargs) of the page holding the form
    that posts here, when the URL itself is POST-only. `query`/`fields`: names the pages do
    not show (read from links built in code, htmx)."""

    role: str
    ids: dict[str, str] = field(default_factory=dict)
    literal: dict[str, object] = field(default_factory=dict)
    form_page: str | None = None
    form_page_ids: dict[str, str] | None = None
    query: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    page_query: str | None = None  # world id key of the query the page is read with


P = "package_id"
E = "event_id"
DASHBOARD_FILTERS = ("year", "opd", "category", "method", "quarter")
ROUTES: dict[str, Route] = {
    "landing": Route(ANON),
    "home": Route(OWNER),
    "healthz": Route(ANON),
    # Accounts
    "accounts:login": Route(ANON, query=("next",)),
    "accounts:otp-verify": Route(ADMIN, query=("next",)),
    "accounts:otp-setup": Route(ADMIN, query=("next",)),
    "accounts:signup": Route(ANON),
    "accounts:email-verify": Route(ANON, literal={"token": "bukan-token"}),
    "accounts:email-verification-resend": Route(OWNER, form_page="accounts:profile"),
    "accounts:logout": Route(OWNER),
    "accounts:profile": Route(OWNER),
    "accounts:notifications": Route(OWNER, query=("page",)),
    "accounts:language-set": Route(OWNER, fields=("language", "next")),
    "accounts:password-change": Route(OWNER),
    "accounts:password-reset": Route(ANON),
    "accounts:password-reset-done": Route(ANON),
    "accounts:password-reset-confirm": Route(
        ANON, literal={"uidb64": "MQ", "token": "set-password"}
    ),
    "accounts:password-reset-complete": Route(ANON),
    # Vendors
    "vendors:home": Route(OWNER),
    "vendors:register": Route(NEWCOMER, query=("ulang",)),
    "vendors:profile-edit": Route(OWNER),
    "vendors:members": Route(OWNER),
    "vendors:member-remove": Route(
        OWNER, ids={"member_id": "staff_member"}, form_page="vendors:members", form_page_ids={}
    ),
    "vendors:invitation-cancel": Route(
        OWNER, ids={"invitation_id": "invitation"}, form_page="vendors:members", form_page_ids={}
    ),
    "vendors:invitation-accept": Route(ANON, ids={"token": "invitation_token"}),
    "vendors:products": Route(OWNER),
    "vendors:product-add": Route(OWNER),
    "vendors:product-edit": Route(OWNER, ids={"product_id": "public_product"}),
    "vendors:product-photo-delete": Route(
        OWNER,
        ids={"product_id": "public_product", "photo_id": "public_photo"},
        form_page="vendors:product-edit",
        form_page_ids={"product_id": "public_product"},
    ),
    "vendors:product-photo": Route(ANON, ids={"photo_id": "public_photo"}),
    "vendors:certificates": Route(OWNER),
    "vendors:certificate-add": Route(OWNER, literal={"kind": "tkdn"}),
    "vendors:certificate-edit": Route(
        OWNER, ids={"certificate_id": "pending_tkdn"}, literal={"kind": "tkdn"}
    ),
    "vendors:certificate-file": Route(
        OWNER, ids={"certificate_id": "verified_tkdn"}, literal={"kind": "tkdn"}
    ),
    "vendors:directory": Route(ANON, query=("page",)),
    "vendors:directory-vendor": Route(ANON, ids={"vendor_id": "vendor_a"}),
    # Procurement: the officer of OPD A, and vendor A as a bidder
    "procurement:home": Route(OFFICER),
    "procurement:package-detail": Route(OFFICER, ids={P: "evaluated_package"}),
    "procurement:objection-attachment": Route(OFFICER, ids={"objection_id": "objection"}),
    "procurement:officer-packages": Route(OFFICER, query=("status", "urut", "page")),
    "procurement:opd-payment-target": Route(OFFICER, fields=("payment_target_days",)),
    "procurement:officer-package-add": Route(OFFICER, fields=("tambah",)),
    "procurement:officer-package-edit": Route(
        OFFICER, ids={P: "draft_package"}, fields=("tambah",)
    ),
    "procurement:officer-package-announce": Route(
        OFFICER, ids={P: "draft_package"}, form_page="procurement:package-detail"
    ),
    "procurement:officer-package-close": Route(
        OFFICER, ids={P: "announced_package"}, form_page="procurement:package-detail"
    ),
    "procurement:officer-evaluation": Route(
        OFFICER, ids={P: "evaluated_package"}, query=("run", "page")
    ),
    "procurement:officer-package-evaluate": Route(
        OFFICER, ids={P: "evaluated_package"}, form_page="procurement:package-detail"
    ),
    # Two bids to compare, or a 404: the page is read with two (its links offer the others).
    "procurement:officer-evaluation-compare": Route(
        OFFICER, ids={P: "evaluated_package"}, query=("run", "a", "b"), page_query="compare_query"
    ),
    "procurement:officer-evaluation-xlsx": Route(
        OFFICER, ids={P: "evaluated_package"}, query=("run",)
    ),
    "procurement:evaluation-status": Route(OFFICER, ids={"run_id": "evaluation_run"}),
    "procurement:officer-package-announce-winner": Route(OFFICER, ids={P: "evaluated_package"}),
    "procurement:officer-verdicts": Route(OFFICER, ids={P: "evaluated_package"}, query=("page",)),
    "procurement:officer-verdicts-confirm-all": Route(
        POKJA, ids={P: "evaluated_package"}, form_page="procurement:officer-verdicts"
    ),
    "procurement:officer-verdict": Route(
        POKJA,
        ids={P: "evaluated_package", "bid_id": "evaluated_bid"},
        form_page="procurement:officer-verdicts",
        form_page_ids={P: "evaluated_package"},
    ),
    "procurement:officer-clarification": Route(
        POKJA,
        ids={P: "evaluated_package", "bid_id": "evaluated_bid"},
        form_page="procurement:officer-verdicts",
        form_page_ids={P: "evaluated_package"},
        fields=("outcome", "reason"),
    ),
    "procurement:officer-evaluation-report": Route(
        OFFICER, ids={P: "evaluated_package"}, query=("run",)
    ),
    "procurement:officer-package-fail-above-hps": Route(
        OFFICER, ids={P: "evaluated_package"}, form_page="procurement:package-detail"
    ),
    "procurement:officer-package-answer-objection": Route(
        OFFICER,
        ids={P: "objection_package", "objection_id": "objection"},
        form_page="procurement:package-detail",
        form_page_ids={P: "objection_package"},
    ),
    "procurement:officer-package-award": Route(
        OFFICER, ids={P: "objection_package"}, form_page="procurement:package-detail"
    ),
    "procurement:officer-package-contract": Route(
        OFFICER, ids={P: "awarded_package"}, form_page="procurement:package-detail"
    ),
    "procurement:officer-package-cancel": Route(
        OFFICER, ids={P: "announced_package"}, form_page="procurement:package-detail"
    ),
    "procurement:officer-package-fail": Route(
        OFFICER, ids={P: "announced_package"}, form_page="procurement:package-detail"
    ),
    "procurement:officer-package-bids": Route(OFFICER, ids={P: "evaluated_package"}),
    "procurement:officer-package-bids-xlsx": Route(OFFICER, ids={P: "evaluated_package"}),
    "procurement:public-packages": Route(ANON, query=("page",)),
    "procurement:bid-edit": Route(OWNER, ids={P: "announced_package"}),
    "procurement:objection-file": Route(OWNER, ids={P: "objection_package"}),
    # A bidder sees the evaluation once the winner is announced.
    "procurement:vendor-evaluation": Route(OWNER, ids={P: "objection_package"}),
    "procurement:my-bids": Route(OWNER, query=("page",)),
    "procurement:bid-receipt": Route(OWNER, ids={"bid_id": "sealed_bid"}),
    "procurement:bid-withdraw": Route(
        OWNER,
        ids={"bid_id": "sealed_bid"},
        form_page="procurement:bid-receipt",
        form_page_ids={"bid_id": "sealed_bid"},
    ),
    # Business matching: vendor A exhibits, OPD A's officer buys, the admin runs the event
    "matching:events": Route(ANON),
    "matching:event-detail": Route(OWNER, ids={E: "event"}),
    "matching:exhibitor-apply": Route(OWNER, ids={E: "event"}, fields=("products", "note")),
    "matching:buyer-register": Route(OFFICER, ids={E: "event"}),
    "matching:participation": Route(OWNER, ids={E: "event"}),
    "matching:withdraw": Route(OWNER, ids={E: "event"}, form_page="matching:participation"),
    "matching:need-add": Route(OFFICER, ids={E: "event"}),
    "matching:need-edit": Route(OFFICER, ids={E: "event", "need_id": "need_a"}),
    "matching:need-delete": Route(
        OFFICER,
        ids={E: "event", "need_id": "need_a"},
        form_page="matching:participation",
        form_page_ids={E: "event"},
    ),
    "matching:availability": Route(OWNER, ids={E: "event"}),
    "matching:counterparts": Route(OFFICER, ids={E: "event"}, query=("page",)),
    "matching:meeting-request": Route(
        OFFICER,
        ids={E: "event", "participant_id": "exhibitor_a"},
        form_page="matching:counterparts",
        form_page_ids={E: "event"},
        fields=("note", "need"),
    ),
    "matching:meeting-respond": Route(
        OWNER,
        ids={"meeting_id": "meeting"},
        form_page="matching:participation",
        form_page_ids={E: "event"},
        fields=("answer", "note"),
    ),
    "matching:meeting-withdraw": Route(
        OFFICER,
        ids={"meeting_id": "meeting"},
        form_page="matching:participation",
        form_page_ids={E: "event"},
    ),
    "matching:agenda": Route(OWNER, ids={E: "event"}),
    "matching:agenda-ics": Route(OWNER, ids={E: "event"}),
    # The meeting is still to come: the page shows no form, but a post is still parsed.
    "matching:outcome": Route(
        OFFICER,
        ids={"meeting_id": "meeting"},
        fields=(
            *("held", "interest", "estimated_value", "products", "notes", "follow_up"),
            *("catalogue_order_ref", "package"),
        ),
    ),
    "matching:meeting-package": Route(
        OFFICER, ids={"meeting_id": "held_meeting"}, fields=("tambah",)
    ),
    "matching:checkin-desk": Route(ADMIN, ids={E: "event"}),
    "matching:table-sheet": Route(ADMIN, ids={E: "event"}),
    "matching:participant-agenda": Route(ADMIN, ids={E: "event", "participant_id": "buyer_a"}),
    "matching:manage": Route(ADMIN, ids={E: "event"}),
    "matching:manage-xlsx": Route(ADMIN, ids={E: "event"}),
    "matching:event-move": Route(ADMIN, ids={E: "event"}, form_page="matching:manage"),
    "matching:suggestions-run": Route(ADMIN, ids={E: "event"}, form_page="matching:manage"),
    "matching:schedule": Route(ADMIN, ids={E: "event"}),
    "matching:schedule-run": Route(ADMIN, ids={E: "event", "run_id": "schedule_run"}),
    # Programme figures and open data
    "dashboards:home": Route(ADMIN, query=("format",)),
    # The downloads take the dashboard's filters (links built in code, not a form).
    "dashboards:csv": Route(ADMIN, query=DASHBOARD_FILTERS),
    "dashboards:xlsx": Route(OFFICER, query=DASHBOARD_FILTERS),
    "opendata:index": Route(ANON),
    "opendata:download": Route(ANON),
    "opendata:download-year": Route(ANON, ids={"year": "fiscal_year"}),
    "opendata:package-json": Route(ANON, ids={P: "awarded_package"}),
    "opendata:extension": Route(ANON, literal={"name": "extension.json"}),
}
# The page a route's form sits on (or the route itself) answers 200 to the route's role, but
# for these (URL name -> status); a Django admin page answers what tests/security/
# admin_pages.py says. A page that answers 403 or 404 is refused to every example, on purpose.
PAGE_STATUS: dict[str, int] = {
    "home": 302,  # on to the user's own home page
    "accounts:email-verify": 302,  # a token that is none: on to the sign-in, with a message
    "accounts:language-set": 405,  # POST only (its fields are in ROUTES)
    "accounts:logout": 405,
    # The admin is already signed in with its code: on to where it was going.
    "accounts:otp-setup": 302,
    "accounts:otp-verify": 302,
    # Every vendor and OPD of the world is already at the event: on to their participation
    # page (the form's fields are in ROUTES).
    "matching:buyer-register": 302,
    "matching:exhibitor-apply": 302,
    "admin:login": 302,  # the portal's sign-in
    "admin:logout": 405,
    "admin:autocomplete": 403,  # without its query; the examples send one
    "admin:view_on_site": 404,  # no model has a public page
}
# Pages that send every request to the sign-in page, whatever it sends: refused on purpose.
SENT_TO_SIGN_IN = {"admin:login", "accounts:email-verify"}
JUNK_KEYS = ["x", "__all__", "id", "pk", "csrfmiddlewaretoken", "next", "page", "o", "q"]
# Django's admin puts these straight into a lookup (an empty `_to_field` was FieldDoesNotExist,
# a `_selected_action` that is no id a ValueError; request_limits.AdminParametersChecked now
# refuses both): half the time they get one of the page's own values, half the time junk.
FRAMEWORK_KEYS = {"_to_field", "_selected_action"}


# The URLs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Url:
    name: str
    pattern: URLPattern
    admin_model: type | None = None


def _urls() -> list[Url]:
    found = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or None
                yield from walk(
                    pattern.url_patterns,
                    ":".join(filter(None, [namespace, inner])) if inner else namespace,
                )
            elif pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern

    models = {f"admin:{m._meta.app_label}_{m._meta.model_name}_": m for m in admin.site._registry}
    for name, pattern in walk(get_resolver().url_patterns, None):
        model = next((m for prefix, m in models.items() if name.startswith(prefix)), None)
        found.append(Url(name, pattern, model))
    return found


def _project_urls() -> list[str]:
    return sorted(
        url.name
        for url in _urls()
        if ":" not in url.name or url.name.split(":")[0] in PROJECT_NAMESPACES
    )


def _admin_urls() -> list[Url]:
    """The admin site's own pages and those of the project's models (third-party apps' admin
    pages, django-axes' and django-otp's, are theirs to fuzz)."""
    return [
        url
        for url in _urls()
        if url.name.startswith("admin:")
        and (url.admin_model is None or url.admin_model._meta.app_label in PROJECT_NAMESPACES)
        and not url.name.startswith(("admin:auth_group", "admin:otp_", "admin:axes_"))
    ]


# Reading the pages ----------------------------------------------------------------------------


@dataclass
class PageForm:
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)


class _FormReader(HTMLParser):
    """The forms of a page (their fields and the values offered) and the query keys of its
    links (admin filters, sort and page links)."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[PageForm] = []
        self.link_query: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            action = urlsplit(urljoin(self.page_url, a.get("action") or self.page_url)).path
            self.forms.append(PageForm(a.get("method", "get").lower(), action))
            return
        if tag == "a" and "?" in a.get("href", ""):
            for key, value in parse_qsl(urlsplit(a["href"]).query, keep_blank_values=True):
                self.link_query.setdefault(key, []).append(value)
            return
        if not self.forms or not a.get("name"):
            if tag == "option" and self._select and self.forms:
                self.forms[-1].fields[self._select].append(a.get("value", ""))
            return
        form, name = self.forms[-1], a["name"]
        if tag == "input" and a.get("type") == "file":
            form.files.add(name)
        elif tag in ("input", "textarea", "button"):
            form.fields.setdefault(name, [])
            if a.get("value"):
                form.fields[name].append(a["value"])
        elif tag == "select":
            form.fields.setdefault(name, [])
            self._select = name

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _read_page(client: Client, url: str) -> tuple[_FormReader, int]:
    """The page's forms and links, and the status it answered."""
    reader = _FormReader(url)
    response = client.get(url)
    if response.streaming:
        _close(response)
    elif response.status_code == 200 and "html" in response.get("Content-Type", ""):
        reader.feed(response.content.decode(errors="replace"))
    return reader, response.status_code


def _refused(response) -> bool:
    """Turned away before the view did its work: no access, no such object, or sent to a
    sign-in page. Every example refused means the route's role or ids are wrong: the fuzzer
    reached nothing."""
    if response.status_code in (403, 404):
        return True
    if response.status_code == 302:
        path = urlsplit(response.url).path
        return path in {reverse("accounts:login"), reverse("admin:login")}
    return False


# What is sent ---------------------------------------------------------------------------------


@dataclass
class Target:
    """A URL with what to send to it: the GET keys and the forms that post to it."""

    url: str
    role: str
    query: dict[str, list[str]]
    post: dict[str, list[str]] | None
    files: set[str]
    name: str = ""
    must_reach: bool = True  # at least one example gets past access (see _refused)


def _encode(pairs: list[tuple[str, str]]) -> str:
    # Lone surrogates go out as the invalid UTF-8 a broken client could send.
    return urlencode([(k, v.encode("utf-8", "surrogatepass")) for k, v in pairs])


@st.composite
def _pairs(draw, known: dict[str, list[str]]) -> list[tuple[str, str]]:
    pairs = []
    for key, values in known.items():
        if draw(st.integers(0, 4)) == 0:
            continue
        offered = [v for v in values if v]
        if key in FRAMEWORK_KEYS and offered and draw(st.booleans()):
            pairs.extend((key, v) for v in draw(st.lists(st.sampled_from(offered), max_size=3)))
            continue
        for value in draw(fuzzing.field_values(offered or None)):
            pairs.append((key, value))
    for key in draw(st.lists(st.sampled_from(JUNK_KEYS), max_size=2)):
        pairs.append((key, draw(fuzzing.scalar_values)))
    return pairs


@dataclass
class Outcome:
    status: int
    failed: bool
    why: str


def _shown_errors(form: forms.BaseForm | forms.BaseFormSet) -> object:
    """The errors the page showed, without validating anything the view left unvalidated."""
    if isinstance(form, forms.BaseForm):
        return dict(form._errors or {})
    return [e for e in form._errors or [] if e] + list(form._non_form_errors or [])


def _request_failed(response) -> Outcome:
    """Did the request not do what was asked (refused, form shown again with errors, error
    message)? Then it must have written nothing."""
    status = response.status_code
    if status >= 400:
        return Outcome(status, True, f"status {status}")
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else []:
            if isinstance(value, forms.BaseForm | forms.BaseFormSet) and value.is_bound:
                errors = _shown_errors(value)
                if errors:
                    return Outcome(status, True, f"form errors: {errors!r}"[:500])
    storage = getattr(response.wsgi_request, "_messages", None)
    queued = getattr(storage, "_queued_messages", [])
    errors = [str(m) for m in queued if m.level >= message_levels.ERROR]
    if errors:
        return Outcome(status, True, f"error messages: {errors}")
    return Outcome(status, False, "")


# Running --------------------------------------------------------------------------------------


class Fuzzer:
    def __init__(self, world: World, client_for: Callable[[str], Client]) -> None:
        self.world = world
        self.client_for = client_for
        self.tables = fuzzing.project_tables()

    def target(
        self, name: str, kwargs: dict, role: str, route: Route | None, expected: int | None = None
    ) -> Target:
        url = reverse(name, kwargs=kwargs)
        client = self.client_for(role)
        page_url = url
        if route is not None and route.form_page:
            page_kwargs = (
                self._kwargs(route.form_page_ids, {})
                if route.form_page_ids is not None
                else {k: v for k, v in kwargs.items() if k in (route.ids or {})}
            )
            page_url = reverse(route.form_page, kwargs=page_kwargs)
        if route is not None and route.page_query:
            page_url = f"{url}?{self.world.ids[route.page_query]}"
        reader, status = _read_page(client, page_url)
        if expected is None:
            expected = 200 if route and route.form_page else PAGE_STATUS.get(name, 200)
        assert status == expected, (
            f"{name}: the page {page_url} answers {status} to {role}, not {expected}: are the "
            "route's role and ids right?"
        )
        if page_url != url:
            reader.link_query = {**_read_page(client, url)[0].link_query, **reader.link_query}
        query: dict[str, list[str]] = dict(reader.link_query)
        post: dict[str, list[str]] | None = None
        files: set[str] = set()
        for form in reader.forms:
            if form.method == "get" and form.action == url:
                for key, values in form.fields.items():
                    query.setdefault(key, []).extend(values)
            elif form.method == "post" and form.action == url:
                post = post or {}
                for key, values in form.fields.items():
                    post.setdefault(key, []).extend(values)
                files |= form.files
        for key in route.query if route else ():
            query.setdefault(key, [])
        if route is not None and route.fields:
            post = post or {}
            for key in route.fields:
                post.setdefault(key, [])
        if post is None:
            post = {}  # a POST to a page without a form: still must not fail or write
        must_reach = expected not in (403, 404) and name not in SENT_TO_SIGN_IN
        return Target(url, role, query, post, files, name, must_reach=must_reach)

    def _kwargs(self, ids: dict[str, str], literal: dict[str, object]) -> dict:
        return {**{k: self.world.ids[v] for k, v in ids.items()}, **literal}

    def run(self, target: Target, examples: int) -> None:
        if os.environ.get("FUZZ_SHOW"):  # what each URL is sent, for whoever extends ROUTES
            print(target.url, target.role, sorted(target.query), sorted(target.post or ()))

        reached: list[int] = []
        refused: list[int] = []

        @settings(fuzzing.FUZZ, max_examples=examples)
        @given(st.data())
        def example(data):
            method = data.draw(st.sampled_from(["GET", "POST", "POST"]), label="method")
            htmx = data.draw(st.booleans(), label="htmx")
            headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
            with transaction.atomic():
                client = self.client_for(target.role)
                before = fuzzing.database_checksum(self.tables)
                if method == "GET":
                    query = _encode(data.draw(_pairs(target.query), label="query"))
                    response = client.get(f"{target.url}?{query}", **headers)
                else:
                    pairs = data.draw(_pairs(target.post), label="body")
                    uploads = {
                        name: data.draw(fuzzing.uploads(), label=name)
                        for name in target.files
                        if data.draw(st.booleans())
                    }
                    response = self._post(client, target.url, pairs, uploads, headers)
                outcome = _request_failed(response)
                assert response.status_code != 500, "server error"
                (refused if _refused(response) else reached).append(response.status_code)
                if outcome.failed:
                    after = fuzzing.database_checksum(self.tables)
                    changed = fuzzing.changed_tables(before, after)
                    assert not changed, (
                        f"{method} {target.url} did not succeed ({outcome.why}) but wrote to "
                        f"{changed}"
                    )
                _close(response)
                transaction.set_rollback(True)

        example()
        if target.must_reach:
            assert reached, (
                f"{target.name or target.url}: every example was refused "
                f"({sorted(set(refused))}) as {target.role}: the fuzzer reached nothing"
            )

    @staticmethod
    def _post(client, url, pairs, uploads, headers):
        if uploads:
            data: dict[str, list] = {}
            for key, value in pairs:
                data.setdefault(key, []).append(
                    value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
                )
            for key, files in uploads.items():
                data[key] = files
            return client.post(url, data, **headers)
        return client.post(
            url, _encode(pairs), content_type="application/x-www-form-urlencoded", **headers
        )


def _close(response) -> None:
    """Read a streamed body to its end (which closes its file) without response.close(),
    which would close the test's database connection."""
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)


# The tests ------------------------------------------------------------------------------------


@pytest.fixture
def fuzzer(db, settings):
    # Sessions in the cache only: each example's savepoint is rolled back, and a session row
    # rolled back under a session the cache still holds is a state no real request meets.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    world = build_world()
    fuzzing.complete_ids(world)
    newcomer = factories.UserFactory(email_verified_at=timezone.now())
    world.users[NEWCOMER] = newcomer
    clients: dict[str, Client] = {}

    def client_for(role: str) -> Client:
        if role not in clients:
            clients[role] = Client()
        c = clients[role]
        c.logout()  # a fresh session each time: no example sees what an earlier one left
        if role != ANON:
            user: User = world.users[role]
            if user.is_staff:
                sign_in_with_otp(c, user)
            else:
                c.force_login(user, backend="accounts.backends.EmailBackend")
        return c

    return Fuzzer(world, client_for)


def test_every_project_url_says_who_uses_it():
    missing = sorted(set(_project_urls()) - set(ROUTES))
    assert not missing, f"Add these URLs to ROUTES in {__name__}: {missing}"
    gone = sorted(set(ROUTES) - set(_project_urls()))
    assert not gone, f"ROUTES names URLs that no longer exist: {gone}"


def _fuzz_all(fuzzer: Fuzzer, targets: list[tuple[str, Callable[[], Target], int]]) -> None:
    failures = []
    for name, make_target, examples in targets:
        try:
            fuzzer.run(make_target(), examples)
        except Exception as error:  # every URL is tried, then all failures reported
            failures.append(f"{name}:\n" + "".join(traceback.format_exception(error)))
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("namespace", ["", *sorted(PROJECT_NAMESPACES)])
def test_no_project_url_fails_or_half_writes(fuzzer, namespace):
    names = [
        n
        for n in _project_urls()
        if (n.split(":")[0] if ":" in n else "") == namespace and n in ROUTES
    ]
    targets = []
    for name in names:
        route = ROUTES[name]
        kwargs = fuzzer._kwargs(route.ids, route.literal)
        targets.append(
            (
                name,
                lambda name=name, kwargs=kwargs, route=route: fuzzer.target(
                    name, kwargs, route.role, route
                ),
                fuzzing.ENDPOINT_EXAMPLES,
            )
        )
    _fuzz_all(fuzzer, targets)


ADMIN_EXAMPLES = {"changelist": 6, "add": 6, "change": 6}
ADMIN_ROUTES = {
    "admin:autocomplete": Route(ADMIN, query=("term", "app_label", "model_name", "field_name")),
}


def _admin_kwargs(url: Url, world: World) -> dict | None:
    """The admin URL's arguments: the first row of its model (the world has one of each)."""
    names = list(url.pattern.pattern.converters) or list(url.pattern.pattern.regex.groupindex)
    if not names:
        return None if url.pattern.pattern.regex.groups else {}
    if url.name == "admin:app_list":
        return {"app_label": "vendors"}
    if url.name == "admin:view_on_site":
        return {
            "content_type_id": world.ids["vendor_content_type"],
            "object_id": str(world.ids["vendor_a"]),
        }
    # Django's UserAdmin names its password view after auth.User, whatever the user model.
    model = User if url.name == "admin:auth_user_password_change" else url.admin_model
    row = None
    if model is not None:
        # A row the admin's list shows (an unopened bid is not even there: its page only
        # sends the admin back to the list).
        request = RequestFactory().get("/admin/")
        request.user = world.users[ADMIN]
        rows = admin.site._registry[model].get_queryset(request)
        row = rows.order_by("pk").first() or model._default_manager.order_by("pk").first()
    if row is None:
        return None
    return {name: str(row.pk) for name in names}


def _admin_status(url: Url) -> int:
    """What the admin's page answers the Dinas admin: the table of admin_pages.py for a model's
    pages (also walked by test_access_walk), PAGE_STATUS or 200 for the site's own."""
    model = User if url.name == "admin:auth_user_password_change" else url.admin_model
    if model is None:
        return PAGE_STATUS.get(url.name, 200)
    return ADMIN_PAGES[model._meta.label_lower][str(url.pattern.pattern)][0]


# A list filter typed by hand without a time zone (`created_at__lt=00010101`): Django's admin
# reads it in Jakarta time and warns that it was naive; pytest makes warnings errors, the
# portal answers 200.
@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime:RuntimeWarning")
def test_no_admin_url_fails_or_half_writes(fuzzer):
    targets = []
    skipped = []
    for url in _admin_urls():
        kind = url.name.rsplit("_", 1)[-1]
        kwargs = _admin_kwargs(url, fuzzer.world)
        if kwargs is None:
            if url.name.endswith("simple_history"):
                continue  # a past version by its history id: history pages are fuzzed instead
            skipped.append(url.name)
            continue
        examples = ADMIN_EXAMPLES.get(kind, 2)
        targets.append(
            (
                url.name,
                lambda url=url, kwargs=kwargs: fuzzer.target(
                    url.name, kwargs, ADMIN, ADMIN_ROUTES.get(url.name), _admin_status(url)
                ),
                examples,
            )
        )
    assert not skipped, f"The world has no row for these admin URLs: {skipped}"
    _fuzz_all(fuzzer, targets)


# The harness itself ------------------------------------------------------------------------


def test_the_checksum_sees_any_change_to_a_row(db):
    vendor = factories.VendorFactory()
    tables = fuzzing.project_tables()
    before = fuzzing.database_checksum(tables)
    type(vendor).objects.filter(pk=vendor.pk).update(phone="0812 0000 0000")
    assert fuzzing.changed_tables(before, fuzzing.database_checksum(tables)) == [
        vendor._meta.db_table
    ]


def test_a_form_shown_again_or_a_refusal_counts_as_not_done(login, vendor_owner):
    client = login(vendor_owner)
    url = reverse("vendors:product-add")
    refused = client.post(url, {"name": ""})
    assert _request_failed(refused).failed
    assert "form errors" in _request_failed(refused).why
    saved = client.post(
        url, {"name": "Kursi", "kbli": "31001", "unit": "unit", "unit_price": "150.000"}
    )
    assert saved.status_code == 302
    assert not _request_failed(saved).failed
    assert _request_failed(client.get(reverse("vendors:certificate-edit", args=["x", 1]))).failed


def test_a_route_given_the_wrong_role_fails_on_its_page(fuzzer):
    """The planted fault: an officer's page listed for a vendor owner."""
    route = Route(OWNER, ids={"package_id": "evaluated_package"})
    kwargs = fuzzer._kwargs(route.ids, route.literal)
    with pytest.raises(AssertionError, match=r"answers 40[34] to owner, not 200"):
        fuzzer.target("procurement:officer-evaluation", kwargs, route.role, route)


def test_a_target_whose_every_example_is_refused_fails(fuzzer):
    """The planted fault: vendor A's product page fuzzed as vendor B, which gets a 404 for
    every example: the fuzzer reached nothing, and says so."""
    route = ROUTES["vendors:product-edit"]
    target = fuzzer.target(
        "vendors:product-edit", fuzzer._kwargs(route.ids, route.literal), route.role, route
    )
    with pytest.raises(
        AssertionError, match=r"every example was refused \(\[404\]\) as other_vendor"
    ):
        fuzzer.run(dataclasses.replace(target, role=OTHER_VENDOR), 5)
