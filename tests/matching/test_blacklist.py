"""A blacklisted vendor cannot join a business-matching event while listed: its application
is refused with the reason and the period, and an admin cannot accept an application it
made before the listing."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from matching import services
from matching.models import Participant, ParticipantStatus
from tests.factories import AdminFactory, ProductFactory, TKDNCertificateFactory
from tests.matching.factories import exhibitor_create
from vendors import services as vendor_services

REASON = "Memalsukan sertifikat TKDN pada paket 2025."
REFERENCE = "KEP-77/DH/2026"


def _blacklist(vendor, *, starts_on=None):
    today = timezone.localdate()
    return vendor_services.blacklisting_create(
        vendor=vendor,
        by=AdminFactory(),
        reason=REASON,
        decision_reference=REFERENCE,
        starts_on=starts_on or today,
        ends_on=today + timedelta(days=180),
    )


@pytest.fixture
def certified(vendor_owner):
    vendor = vendor_owner.vendor_membership.vendor
    product = ProductFactory(vendor=vendor)
    TKDNCertificateFactory(vendor=vendor, products=[product])
    return product


def test_a_blacklisted_vendor_cannot_apply_to_exhibit(event, vendor_owner, certified):
    vendor = vendor_owner.vendor_membership.vendor
    listing = _blacklist(vendor)
    with pytest.raises(ValidationError, match="daftar hitam") as error:
        services.exhibitor_apply(event=event, vendor=vendor, by=vendor_owner, products=[certified])
    (message,) = error.value.messages
    assert error.value.code == "blacklisted"
    assert listing.period_display() in message and REASON in message and REFERENCE in message
    assert "tidak dapat mendaftar ke acara temu bisnis" in message
    assert not Participant.objects.exists()


def test_a_listing_that_starts_tomorrow_does_not_stop_an_application(
    event, vendor_owner, certified
):
    vendor = vendor_owner.vendor_membership.vendor
    _blacklist(vendor, starts_on=timezone.localdate() + timedelta(days=1))
    participant = services.exhibitor_apply(
        event=event, vendor=vendor, by=vendor_owner, products=[certified]
    )
    assert participant.status == ParticipantStatus.APPLIED


def test_the_application_page_tells_the_vendor_and_saves_nothing(
    login, event, vendor_owner, certified
):
    _blacklist(vendor_owner.vendor_membership.vendor)
    response = login(vendor_owner).post(
        reverse("matching:exhibitor-apply", args=[event.pk]),
        {"products": [certified.pk], "note": ""},
    )
    assert response.status_code == 200
    assert REFERENCE in response.content.decode()
    assert not Participant.objects.exists()


def test_an_application_made_before_the_listing_is_not_accepted(event, admin_user):
    applied = exhibitor_create(event, status=ParticipantStatus.APPLIED)
    listing = _blacklist(applied.vendor)
    with pytest.raises(ValidationError, match="daftar hitam") as error:
        services.exhibitors_decide(participants=[applied], accept=True, by=admin_user)
    assert listing.period_display() in error.value.messages[0]
    applied.refresh_from_db()
    assert applied.status == ParticipantStatus.APPLIED and applied.booth is None
