"""Every template of the project renders (a broken tag or a missing URL fails here)."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.base import Message
from django.core.paginator import Paginator
from django.template import engines, loader
from django.test import RequestFactory
from django.utils import timezone

from p3dn_portal.lib.confirm import Confirmation
from procurement.models import EvaluationRun, Package
from tests.factories import (
    HalalCertificateFactory,
    OfficerFactory,
    PackageFactory,
    PackageItemFactory,
    ProductFactory,
    TKDNCertificateFactory,
    UserFactory,
    VendorMemberFactory,
)
from tests.matching.test_event_day_templates import context as event_day_context
from tests.matching.test_manage_templates import context as manage_context
from tests.matching.test_participant_templates import context as participant_context

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _names() -> list[str]:
    return sorted(
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*")
        if path.is_file()
        and path.suffix in {".html", ".txt"}
        and not path.is_relative_to(TEMPLATES / "admin")
    )


def _include_context(name: str) -> dict:
    page = Paginator(range(50), 10).page(2)
    return {
        "includes/messages.html": {
            "messages": [Message(message_levels.ERROR, "Data belum tersimpan.")],
        },
        "includes/pagination.html": {
            "page_obj": page,
            "page_links": list(page.paginator.get_elided_page_range(2)),
        },
    }.get(name, {})


# What each shared fragment shows given its context: rendering "something" is not enough.
INCLUDES_SHOW = {
    "includes/footer.html": ["<footer"],
    "includes/language_form.html": ['action="/akun/bahasa/"', 'name="language"'],
    "includes/messages.html": ['class="alert alert-danger"', "Data belum tersimpan."],
    "includes/navbar.html": ['<nav class="navbar'],
    "includes/pagination.html": ['rel="prev"', 'rel="next"', '<span class="page-link">2</span>'],
}


# Result lists that count what they found ({% blocktranslate count %} needs a number):
# an empty page.
COUNTED = {
    "matching/participant/counterparts.html",
    "matching/participant/events.html",
    "procurement/public/packages_list.html",
    "vendors/directory/results.html",
}


def _accounts_context(name: str) -> dict:
    from django.contrib.auth.forms import PasswordChangeForm

    from accounts import forms

    user = UserFactory()
    return {
        "user": user,
        "next": "/admin/",
        **{
            "accounts/locked_out.html": {"minutes": 15},
            "accounts/login.html": {"form": forms.LoginForm()},
            "accounts/otp_setup.html": {
                "form": forms.OTPTokenForm(),
                "qr_data_url": "data:image/png;base64,iVBORw0KGgo=",
                "secret": "JBSWY3DPEHPK3PXP",
            },
            "accounts/otp_verify.html": {"form": forms.OTPTokenForm()},
            "accounts/password_change.html": {"form": PasswordChangeForm(user)},
            "accounts/password_reset.html": {"form": forms.QueuedPasswordResetForm()},
            "accounts/profile.html": {"form": forms.ProfileForm(instance=user)},
            "accounts/signup.html": {"form": forms.SignupForm()},
        }.get(name, {}),
    }


def _filter_context(name: str) -> dict:
    """The list pages' filter forms, unbound as on a first visit, and the HTML the list
    pages put together from their cached parts."""
    from matching import forms as matching_forms
    from procurement import forms as procurement_forms
    from procurement.models import OPD
    from vendors.directory import DirectoryFilterForm

    makers = {
        "matching/participant/counterparts.html": lambda: matching_forms.CounterpartFilterForm({}),
        "matching/participant/events.html": lambda: matching_forms.EventFilterForm({}),
        "procurement/public/packages_filter.html": lambda: procurement_forms.PackageFilterForm(
            {}, opds=OPD.objects.order_by("name")
        ),
        "vendors/directory/filter_form.html": lambda: DirectoryFilterForm({}, cities=["Jakarta"]),
    }
    parts = {
        "procurement/evaluation/ranking.html": ("body",),
        "procurement/evaluation/ranking_body.html": ("ranking",),
        "procurement/package_detail.html": ("facts",),
        "procurement/public/packages.html": ("filter_form", "package_list"),
        "procurement/vendor/my_bids.html": ("bid_list",),
        "vendors/directory/index.html": ("filter_form", "results"),
    }
    if name in makers:
        return {"form": makers[name]()}
    return {part: f"<div>{part}</div>" for part in parts.get(name, ())}


# The page that asks before a step that cannot be undone, and the contract's facts (a package
# with its contract recorded, which the other procurement pages' package has not).
ASKING = {
    "procurement/includes/contract.html": {
        "package": Package(
            contract_number="027/KTR/DISDIK/2026",
            contract_signed_on=date(2026, 12, 3),
            contract_value=Decimal("1150000000"),
        ),
    },
    "confirm.html": {
        "confirmation": Confirmation(
            title="Tetapkan pemenang secara final?",
            consequences=["Setiap penawar diberi tahu."],
            button="Ya, tetapkan pemenang",
            back_url="/pengadaan/paket/1/",
            subject="40000001 — Pengadaan meja",
            facts=[("Nomor kontrak", "027/KTR/DISDIK/2026")],
        ),
        "fields": [("number", "027/KTR/DISDIK/2026")],
        "confirm_field": "konfirmasi",
        "confirm_value": "ya",
    },
}


def _context(name: str) -> dict:
    """What the views give the templates that need more than a request."""
    if name.startswith("includes/"):
        return _include_context(name)
    if name.startswith("accounts/"):
        return _accounts_context(name)
    if name.startswith("vendors/"):
        member = VendorMemberFactory()
        return {
            "tkdn_certificates": [TKDNCertificateFactory(vendor=member.vendor)],
            "halal_certificates": [],
            "vendor": member.vendor,
            "membership": member,
            "members": [member],
            "user": member.user,
            **_vendors_page_context(name, member),
        }
    if name in ASKING:
        return ASKING[name]
    if name.startswith(("procurement/", "emails/procurement/")):
        return _procurement_context(name)
    if name.startswith(("contracts/", "emails/contracts/")):
        from tests.contracts.templates_context import contracts_context

        return contracts_context(name)
    if name.startswith("emails/vendors/"):
        certificate = TKDNCertificateFactory()
        return {
            "vendor": certificate.vendor,
            "certificate": certificate,
            "days_left": 30,
            "link": "/penyedia/undangan/abc/",
            "invitation": {"invited_by": {"full_name": "Siti"}},
        }
    if name.startswith(("matching/", "emails/matching/")):
        return _matching_context(name)
    if name.startswith("opendata/"):
        from django.conf import settings

        from opendata import ocds

        return {
            "years": [2026],
            "ocds_prefix": settings.OCDS_PREFIX,
            "license_url": ocds.LICENSE_URL,
            "bid_extension_url": ocds.BID_EXTENSION_URL,
        }
    if name.startswith("dashboards/"):
        return _dashboards_context()
    if name.startswith("emails/accounts/"):
        return {"link": "/akun/verifikasi/abc/"}
    if name.startswith("emails/password_reset"):
        return {
            "uid": "MQ",
            "token": "abc-123",
            "protocol": "https",
            "domain": "p3dn.jakarta.go.id",
        }
    return {}


def _vendors_page_context(name: str, member) -> dict:
    """What the company's pages with a form, its home page and the invitation pages get:
    the company has products and certificates in each status, and an open invitation."""
    from django.core.exceptions import ValidationError

    from vendors import forms, selectors, services
    from vendors.models import CertificateStatus, Invitation

    vendor = member.vendor
    product = ProductFactory(vendor=vendor)
    ProductFactory(vendor=vendor, is_active=False)
    for status in (CertificateStatus.VERIFIED, CertificateStatus.PENDING):
        TKDNCertificateFactory(vendor=vendor, status=status, products=[product])
        HalalCertificateFactory(vendor=vendor, status=status, products=[product])
    invitation = Invitation.objects.create(
        vendor=vendor, email="staf@contoh.id", invited_by=member.user
    )
    pages = {
        "vendors/certificate_edit.html": lambda: {
            "form": forms.TKDNCertificateForm(vendor=vendor),
            "kind": "tkdn",
        },
        "vendors/home.html": lambda: {
            "product_counts": selectors.product_counts(vendor=vendor),
            "certificate_counts": selectors.certificate_counts(vendor=vendor),
        },
        "vendors/invitation_accept.html": lambda: {"invitation": invitation},
        "vendors/invitation_invalid.html": lambda: {
            "error": ValidationError(services.INVITATION_USED, code="invalid"),
        },
        "vendors/product_edit.html": lambda: {
            "form": forms.ProductForm(instance=product),
            "product": product,
        },
        "vendors/profile_edit.html": lambda: {"form": forms.VendorEditForm(vendor=vendor)},
        "vendors/register.html": _registration_context,
    }
    return pages[name]() if name in pages else {}


def _registration_context() -> dict:
    """The registration wizard's first step as its view gives it to a new user."""
    from importlib import import_module

    from django.conf import settings

    from vendors.views import register

    request = RequestFactory().get("/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    request.user = UserFactory(email_verified_at=timezone.now())
    response = register(request)
    return {**response.context_data, "user": request.user}


def _procurement_context(name: str) -> dict:
    """An officer's package with an opened bid that won, a sanggah answered, and the
    evaluation that ranked the bid first."""
    from procurement import forms, services
    from procurement.models import Bid, EvaluationResult, Objection, RunStatus
    from procurement.views import _kp_pct

    officer = OfficerFactory()
    package = PackageFactory(opd=officer.opd, objection_ends_at=timezone.now())
    item = PackageItemFactory(package=package)
    member = VendorMemberFactory()
    bid = Bid.objects.create(
        package=package,
        vendor=member.vendor,
        version=2,
        submitted_by=member.user,
        submitted_at=timezone.now(),
        sealed_content=b"",
        receipt_hash="ab" * 32,
        opened_at=timezone.now(),
        price=Decimal("1150000000"),
        tkdn_pct=Decimal("45.50"),
        tkdn_bmp_pct=Decimal("55.50"),
    )
    package.winner = bid
    package.contract_value = bid.price
    package.save(update_fields=["winner", "contract_value"])
    objection = Objection.objects.create(
        package=package,
        bid=bid,
        text="Keberatan atas evaluasi.",
        filed_by=member.user,
        answer="Evaluasi sudah sesuai dokumen pemilihan.",
        answered_by=officer.user,
        answered_at=timezone.now(),
        upheld=False,
    )
    run = EvaluationRun.objects.create(
        package=package,
        rule_version="t",
        formula="hea_2021",
        max_preference_pct=25,
        status=RunStatus.SUCCEEDED,
        final=True,
        finished_at=timezone.now(),
    )
    result = EvaluationResult.objects.create(
        run=run,
        bid=bid,
        eligible=True,
        tier="A",
        kp=Decimal("0.16482500"),
        hea=Decimal("960436250"),
        rank=1,
    )
    return {
        **{
            "procurement/includes/guarantee.html": {
                "guarantee": services.guarantee_for(bid.package, bid),
            },
            "procurement/evaluation/announce.html": {
                "form": forms.WinnerConfirmForm(),
                "first": result,
                "hp": "Rp1.150.000.000",
            },
            "procurement/evaluation/compare.html": {
                "explanation": "Satu-satunya penawaran yang memenuhi syarat.",
            },
            "procurement/evaluation/vendor.html": {"own": result, "own_kp": _kp_pct(result.kp)},
            "procurement/officer/item_cell.html": {
                "field": forms.PackageItemForm(prefix="items-0")["description"],
            },
            "procurement/vendor/receipt.html": {
                "total": bid.price,
                "tkdn_pct": bid.tkdn_pct,
                "tkdn_bmp_pct": bid.tkdn_bmp_pct,
            },
        }.get(name, {}),
        "officer": officer,
        "opd": officer.opd,
        "colleagues": [officer],
        "user": officer.user,
        "package": package,
        "run": run,
        "runs": [run],
        "items": [item],
        "bid": bid,
        "objection": objection,
        "is_package_officer": True,
        "bid_count": 0,
        "reason": "Tidak ada penawaran.",
        "link": f"/pengadaan/paket/{package.pk}/",
    }


def _dashboards_context() -> dict:
    from dashboards.exports import realisation_rows
    from dashboards.forms import FilterForm
    from dashboards.selectors import (
        Filters,
        matching_figures,
        procurement_figures,
        vendor_figures,
    )

    filters = Filters(year=2026)
    procurement = procurement_figures(filters)
    form = FilterForm({})
    form.is_valid()
    return {
        "form": form,
        "filters": filters,
        "scope": [("Tahun anggaran", "2026")],
        "procurement": procurement,
        "total_rows": realisation_rows(procurement.total, prefix="total"),
        "vendors": vendor_figures(),
        "matching": matching_figures(year=2026),
        "row": realisation_rows(procurement.total, prefix="total")[0],
        "rows": [],
        "bar": 50,
        "target": 80,
        "computed_at": timezone.now(),
    }


def _matching_page_context(name: str, *, event, buyer, exhibitor) -> dict:
    """What the participant pages with a form, the event page and the status badges get."""
    from matching import forms, selectors
    from matching.models import ParticipantKind, ParticipantStatus

    pages = {
        "matching/participant/availability.html": lambda: {
            "form": forms.AvailabilityForm(slots=event.slots.order_by("starts_at")),
        },
        "matching/participant/event_detail.html": lambda: {
            f"accepted_{kind}s": event.participants.filter(
                status=ParticipantStatus.ACCEPTED, kind=kind
            ).count()
            for kind in (ParticipantKind.BUYER, ParticipantKind.EXHIBITOR)
        },
        "matching/participant/event_status.html": lambda: {
            "status": event.status,
            "label": event.get_status_display(),
        },
        "matching/participant/exhibitor_apply.html": lambda: {
            "form": forms.ExhibitorApplyForm(
                products=selectors.exhibitable_products(vendor=exhibitor.vendor),
                initial={"note": "Kami membawa contoh produk."},
            ),
        },
        "matching/participant/need_form.html": lambda: {
            "form": forms.NeedForm(instance=buyer.needs.first(), opd=buyer.officer.opd),
        },
        "matching/participant/participant_status.html": lambda: {
            "status": buyer.status,
            "label": buyer.get_status_display(),
        },
    }
    return pages[name]() if name in pages else {}


def _matching_context(name: str) -> dict:
    from matching.models import Outcome, ScheduleRun
    from tests.matching.factories import (
        buyer_create,
        event_create,
        exhibitor_create,
        meeting_create,
    )

    event = event_create()
    buyer = buyer_create(event)
    exhibitor = exhibitor_create(event)
    slot = event.slots.first()
    meeting = meeting_create(buyer, exhibitor, slot=slot, table=1, note="Mohon katalog.")
    outcome = Outcome.objects.create(
        meeting=meeting, interest=True, estimated_value=15_000_000, recorded_by=buyer.officer.user
    )
    run = ScheduleRun.objects.create(event=event, requested_by=buyer.officer.user)
    return {
        **_matching_page_context(name, event=event, buyer=buyer, exhibitor=exhibitor),
        "event": event,
        "participant": buyer,
        "buyer": buyer,
        "exhibitor": exhibitor,
        "requester": buyer,
        "answering": exhibitor,
        "meeting": meeting,
        "meetings": [meeting],
        "outcome": outcome,
        "absent": [exhibitor],
        "need": buyer.needs.first(),
        "needs": list(buyer.needs.all()),
        "slots": list(event.slots.all()),
        "run": run,
        "user": buyer.officer.user,
        "link": f"/temu-bisnis/{event.pk}/",
        **manage_context(event=event, meeting=meeting),
        **participant_context(event=event, buyer=buyer, exhibitor=exhibitor, meeting=meeting),
        **event_day_context(event=event, meeting=meeting),
    }


# Each template's context above is complete, as its view gives it: a variable it prints
# that the context lacks shows as this marker (even behind `default`) and fails the test.
MARKER = "@@MISSING:%s@@"


@pytest.fixture
def missing_shows(monkeypatch):
    """A variable the context lacks renders as a marker naming it, not as nothing."""
    engine = engines["django"].engine
    monkeypatch.setattr(engine, "string_if_invalid", MARKER)
    return re.compile(r"@@MISSING:([^@]*)@@")


@pytest.mark.django_db
@pytest.mark.parametrize("name", _names())
def test_it_renders(name, missing_shows):
    request = RequestFactory().get("/")
    # What mail_users gives every email.
    context = {"user": UserFactory(), "base_url": "https://p3dn.jakarta.go.id", **_context(name)}
    if name in COUNTED:
        context["page_obj"] = Paginator([], 10).page(1)
    context.update(_filter_context(name))
    request.user = context["user"]
    html = loader.get_template(name).render({"request": request, **context}, request)
    assert html.strip()
    assert missing_shows.findall(html) == []
    for fragment in INCLUDES_SHOW.get(name, ()):
        assert fragment in html


def test_every_include_says_what_it_shows():
    assert sorted(n for n in _names() if n.startswith("includes/")) == sorted(INCLUDES_SHOW)


def test_a_variable_missing_from_the_context_is_caught(missing_shows):
    planted = engines["django"].from_string("<h1>{{ package.titel }}</h1>{{ package.title }}")
    html = planted.render({"package": {"title": "Meja kerja"}})
    assert missing_shows.findall(html) == ["package.titel"]


def test_the_server_error_page_renders_without_a_request():
    html = loader.get_template("500.html").render({})
    assert "500" in html
