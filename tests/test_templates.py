"""Every template of the project renders (a broken tag or a missing URL fails here)."""

from pathlib import Path

import pytest
from django.template import loader
from django.test import RequestFactory
from django.utils import timezone

from procurement.models import EvaluationRun
from tests.factories import (
    OfficerFactory,
    PackageFactory,
    PackageItemFactory,
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


def _context(name: str) -> dict:
    """What the views give the templates that need more than a request."""
    if name.startswith("vendors/"):
        member = VendorMemberFactory()
        return {
            "vendor": member.vendor,
            "membership": member,
            "members": [member],
            "user": member.user,
        }
    if name.startswith(("procurement/", "emails/procurement/")):
        officer = OfficerFactory()
        package = PackageFactory(opd=officer.opd, objection_ends_at=timezone.now())
        run = EvaluationRun.objects.create(
            package=package, rule_version="t", formula="hea_2021", max_preference_pct=25
        )
        return {
            "officer": officer,
            "opd": officer.opd,
            "colleagues": [officer],
            "user": officer.user,
            "package": package,
            "run": run,
            "runs": [run],
            "items": [PackageItemFactory(package=package)],
            "is_package_officer": True,
            "bid_count": 0,
            "reason": "Tidak ada penawaran.",
            "link": f"/pengadaan/paket/{package.pk}/",
        }
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
        return _matching_context()
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


def _matching_context() -> dict:
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


@pytest.mark.django_db
@pytest.mark.parametrize("name", _names())
def test_it_renders(name):
    request = RequestFactory().get("/")
    context = {"user": UserFactory(), **_context(name)}
    request.user = context["user"]
    html = loader.get_template(name).render({"request": request, **context}, request)
    assert name.startswith("includes/") or html.strip()


def test_the_server_error_page_renders_without_a_request():
    html = loader.get_template("500.html").render({})
    assert "500" in html
