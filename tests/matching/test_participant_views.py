"""The participant side of temu bisnis, part one: the public list and page of events, a
vendor applying to exhibit, an officer registering as a buyer, withdrawing, and the menu."""

from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from matching import services
from matching.forms import PRODUCT_NOT_YOURS, STATUS_INVALID, YEAR_INVALID
from matching.models import Event, Meeting, MeetingStatus, Participant, ParticipantStatus
from matching.rules import EventStatus
from matching.views import participant as views
from p3dn_portal.lib.confirm import CONFIRMED
from p3dn_portal.navigation import navigation_for
from tests.factories import (
    HalalCertificateFactory,
    ProductFactory,
    TKDNCertificateFactory,
    VendorMemberFactory,
)
from tests.matching.factories import event_create, exhibitor_create, meeting_create
from vendors.models import VendorStatus

pytestmark = pytest.mark.django_db

EVENTS = reverse("matching:events")
DASH = "\N{EN DASH}"


def _detail(event) -> str:
    return reverse("matching:event-detail", args=[event.pk])


def _apply(event) -> str:
    return reverse("matching:exhibitor-apply", args=[event.pk])


def _register(event) -> str:
    return reverse("matching:buyer-register", args=[event.pk])


def _withdraw(event) -> str:
    return reverse("matching:withdraw", args=[event.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def _status(event, status: str):
    Event.objects.filter(pk=event.pk).update(status=status)
    event.refresh_from_db()
    return event


def _opened_days_ago(event, days: int):
    Event.objects.filter(pk=event.pk).update(
        registration_opens_at=timezone.now() - timedelta(days=days)
    )
    return event


def _names(client, **params) -> list[str]:
    response = client.get(EVENTS, params)
    assert response.status_code == 200
    return [event.name for event in response.context["page_obj"]]


def response_checked(html: str, value: int) -> bool:
    return f'value="{value}"' in html and "checked" in html.split(f'value="{value}"')[1][:80]


def _certified(vendor, **fields):
    product = ProductFactory(vendor=vendor, **fields)
    TKDNCertificateFactory(vendor=vendor, products=[product])
    return product


# The list of events ----------------------------------------------------------------------------


def test_the_list_is_open_to_anonymous_visitors(client, event):
    response = client.get(EVENTS)
    assert response.status_code == 200
    assert event.name in response.content.decode()


def test_the_list_hides_drafts_and_shows_the_newest_first(client):
    _opened_days_ago(event_create(name="Batch lama"), 400)
    _opened_days_ago(event_create(name="Batch baru"), 2)
    event_create(name="Batch draf", status=EventStatus.DRAFT)
    assert _names(client) == ["Batch baru", "Batch lama"]


def test_each_row_shows_status_dates_venue_and_registration_window(client):
    event_create(
        name="Business Matching Batch XII",
        venue="Kantor Wali Kota Jakarta Timur",
        days=3,
        first_day=date(2031, 3, 4),
        status=EventStatus.PUBLISHED,
    )
    html = client.get(EVENTS).content.decode()
    assert "Business Matching Batch XII" in html
    assert "Kantor Wali Kota Jakarta Timur" in html
    assert "Jadwal diumumkan" in html
    assert f"4 Mar 2031 {DASH} 6 Mar 2031" in html
    assert "WIB" in html


def test_the_list_filters_by_status_and_by_the_year_the_event_is_held(client):
    event_create(name="Buka 2031", first_day=date(2031, 5, 1))
    event_create(name="Selesai 2031", first_day=date(2031, 2, 1), status=EventStatus.CLOSED)
    event_create(name="Selesai 2032", first_day=date(2032, 2, 1), status=EventStatus.CLOSED)
    assert set(_names(client, status="closed")) == {"Selesai 2031", "Selesai 2032"}
    assert _names(client, year="2031", status="closed") == ["Selesai 2031"]
    assert set(_names(client, year="2031")) == {"Buka 2031", "Selesai 2031"}


def test_a_bad_filter_is_reported_and_ignored(client, event):
    response = client.get(EVENTS, {"status": "draft", "year": "dua ribu"})
    assert response.status_code == 200
    assert [e.name for e in response.context["page_obj"]] == [event.name]
    assert set(_messages(response)) == {str(STATUS_INVALID), str(YEAR_INVALID)}


def test_the_list_is_paged(client):
    for n in range(views.EVENTS_PER_PAGE + 3):
        _opened_days_ago(event_create(name=f"Batch {n:02d}", days=1), n + 1)
    assert len(_names(client)) == views.EVENTS_PER_PAGE
    assert _names(client, page=2) == [f"Batch {n:02d}" for n in range(20, 23)]


@pytest.mark.parametrize("count", [2, 25])
def test_the_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    for _ in range(count):
        event_create(days=1)
    # 1 count of the matching events, 2 the page with each event's first and last day
    with django_assert_num_queries(2):
        response = client.get(EVENTS, {"status": "registration", "year": timezone.now().year})
    assert response.status_code == 200


@pytest.mark.parametrize("count", [2, 25])
def test_the_list_runs_a_fixed_number_of_queries_for_a_vendor(
    login, vendor_owner, django_assert_num_queries, count
):
    for _ in range(count):
        event_create(days=1)
    client = login(vendor_owner)
    # 1 user with its vendor membership and officer seat joined and its unread count (the
    # navbar's badge), 2 count of events, 3 the page
    with django_assert_num_queries(3):
        response = client.get(EVENTS)
    assert len(response.context["page_obj"]) == min(count, views.EVENTS_PER_PAGE)


# The event page --------------------------------------------------------------------------------


def test_anonymous_visitors_see_the_event_and_a_login_prompt(client, event):
    response = client.get(_detail(event))
    html = response.content.decode()
    assert response.status_code == 200
    assert event.name in html
    assert f"Rehat kopi 10:00{DASH}10:30" in html
    # 09:00-12:00 with a break 10:00-10:30: five 30-minute slots a day, in Jakarta time.
    for label in (
        f"09:00{DASH}09:30",
        f"09:30{DASH}10:00",
        f"10:30{DASH}11:00",
        f"11:00{DASH}11:30",
        f"11:30{DASH}12:00",
    ):
        assert label in html
    assert "10 meja pertemuan" in html
    assert "0 diterima dari kapasitas 32" in html
    assert "Masuk untuk mendaftar" in html
    assert f"{reverse('accounts:login')}?next={_detail(event)}" in html


def test_the_slots_are_grouped_by_day(client, event):
    response = client.get(_detail(event))
    slot_days = response.context["slot_days"]
    assert [day.day for day in slot_days] == [d.day for d in event.days.all()]
    assert [len(day.slots) for day in slot_days] == [5, 5]


def test_a_draft_event_is_hidden_from_all_but_admins(client, login, vendor_owner, admin_user):
    draft = event_create(status=EventStatus.DRAFT)
    assert client.get(_detail(draft)).status_code == 404
    assert login(vendor_owner).get(_detail(draft)).status_code == 404
    assert login(admin_user).get(_detail(draft)).status_code == 200


def test_a_missing_event_is_404(client):
    assert client.get(reverse("matching:event-detail", args=[987654])).status_code == 404


def test_a_verified_vendor_is_offered_to_apply(login, vendor_owner, event):
    html = login(vendor_owner).get(_detail(event)).content.decode()
    assert _apply(event) in html
    assert "Daftar sebagai peserta pameran" in html


def test_an_unverified_vendor_is_told_why_it_cannot_apply(login, vendor_owner, event):
    vendor = vendor_owner.vendor_membership.vendor
    vendor.status = VendorStatus.PENDING
    vendor.save()
    response = login(vendor_owner).get(_detail(event))
    assert str(services.VENDOR_NOT_VERIFIED) in response.content.decode()
    assert _apply(event) not in response.content.decode()


def test_a_vendor_sees_its_application_waiting(login, vendor_owner, event):
    exhibitor_create(event, member=vendor_owner.vendor_membership, status=ParticipantStatus.APPLIED)
    html = login(vendor_owner).get(_detail(event)).content.decode()
    assert "Menunggu keputusan" in html
    assert "Ubah pendaftaran" in html


def test_a_vendor_sees_its_booth_once_accepted(login, vendor_staff, exhibitor, event):
    html = login(vendor_staff).get(_detail(event)).content.decode()
    assert "Diterima" in html
    assert f"Stan Anda nomor {exhibitor.booth}." in html
    assert reverse("matching:participation", args=[event.pk]) in html


def test_a_vendor_sees_why_it_was_rejected(login, vendor_owner, event):
    participant = exhibitor_create(
        event, member=vendor_owner.vendor_membership, status=ParticipantStatus.APPLIED
    )
    Participant.objects.filter(pk=participant.pk).update(
        status=ParticipantStatus.REJECTED, rejection_reason="Produk belum sesuai tema batch ini."
    )
    html = login(vendor_owner).get(_detail(event)).content.decode()
    assert "Ditolak" in html
    assert "Produk belum sesuai tema batch ini." in html


def test_an_officer_is_offered_to_register_as_a_buyer(login, officer, event):
    html = login(officer).get(_detail(event)).content.decode()
    assert _register(event) in html
    assert "Daftar sebagai pembeli" in html


def test_a_registered_officer_sees_it(login, officer, buyer, event):
    html = login(officer).get(_detail(event)).content.decode()
    assert "Anda terdaftar sebagai pembeli." in html
    assert _register(event) not in html


def test_nobody_is_offered_to_join_once_registration_closes(login, officer, vendor_owner, event):
    _status(event, EventStatus.SCHEDULING)
    for user in (officer, vendor_owner):
        html = login(user).get(_detail(event)).content.decode()
        assert str(services.NOT_IN_REGISTRATION) in html
        assert _register(event) not in html
        assert _apply(event) not in html


# A vendor applies to exhibit ------------------------------------------------------------------


def test_applying_needs_a_login(client, event):
    assert _is_login_redirect(client.get(_apply(event)))
    assert _is_login_redirect(client.post(_apply(event), {}))
    assert not Participant.objects.exists()


def test_applying_is_for_vendors_only(login, officer, admin_user, event):
    for user in (officer, admin_user):
        assert login(user).get(_apply(event)).status_code == 403
        assert login(user).post(_apply(event), {}).status_code == 403
    assert not Participant.objects.exists()


def test_a_draft_event_takes_no_applications(login, vendor_owner):
    draft = event_create(status=EventStatus.DRAFT)
    assert login(vendor_owner).get(_apply(draft)).status_code == 404


def test_the_form_offers_only_the_vendors_certified_active_products(login, vendor_owner, event):
    vendor = vendor_owner.vendor_membership.vendor
    chair = _certified(vendor, name="Kursi lipat baja", kbli="31001")
    HalalCertificateFactory(vendor=vendor, products=[_certified(vendor, name="Kerupuk ikan")])
    ProductFactory(vendor=vendor, name="Meja tanpa sertifikat")
    _certified(vendor, name="Lemari nonaktif", is_active=False)
    _certified(VendorMemberFactory().vendor, name="Produk penyedia lain")
    response = login(vendor_owner).get(_apply(event))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Kursi lipat baja" in html
    assert "Kerupuk ikan" in html
    assert "45,50%" in html  # the certificate's TKDN
    assert "T1" in html  # 45.50% TKDN + 10% BMP
    assert "Meja tanpa sertifikat" not in html
    assert "Lemari nonaktif" not in html
    assert "Produk penyedia lain" not in html
    assert f'value="{chair.pk}"' in html


def test_a_vendor_applies_with_products_and_a_note(login, vendor_owner, event):
    vendor = vendor_owner.vendor_membership.vendor
    chair = _certified(vendor, name="Kursi lipat baja")
    _certified(vendor, name="Meja lipat")
    response = login(vendor_owner).post(
        _apply(event), {"products": [chair.pk], "note": "Butuh listrik 900 VA."}
    )
    participant = Participant.objects.get(event=event, vendor=vendor)
    assert response.status_code == 302
    assert response.url == reverse("matching:participation", args=[event.pk])
    assert participant.status == ParticipantStatus.APPLIED
    assert participant.note == "Butuh listrik 900 VA."
    assert participant.registered_by == vendor_owner
    assert list(participant.products.all()) == [chair]
    assert _messages(response) == [str(views.APPLIED)]


def test_applying_without_a_product_is_refused_with_the_services_message(
    login, vendor_owner, event
):
    _certified(vendor_owner.vendor_membership.vendor)
    response = login(vendor_owner).post(_apply(event), {"note": "Tanpa produk"})
    assert response.status_code == 200
    assert str(services.NO_CERTIFIED_PRODUCT) in response.content.decode()
    assert not Participant.objects.exists()


def test_another_vendors_product_cannot_be_chosen(login, vendor_owner, event):
    _certified(vendor_owner.vendor_membership.vendor)
    foreign = _certified(VendorMemberFactory().vendor)
    response = login(vendor_owner).post(_apply(event), {"products": [foreign.pk]})
    assert response.status_code == 200
    assert str(PRODUCT_NOT_YOURS) in response.content.decode()
    assert not Participant.objects.exists()


def test_an_unverified_vendor_is_refused_with_the_services_message(login, vendor_owner, event):
    vendor = vendor_owner.vendor_membership.vendor
    product = _certified(vendor)
    vendor.status = VendorStatus.PENDING
    vendor.save()
    client = login(vendor_owner)
    assert str(services.VENDOR_NOT_VERIFIED) in client.get(_apply(event)).content.decode()
    response = client.post(_apply(event), {"products": [product.pk]})
    assert response.status_code == 200
    assert str(services.VENDOR_NOT_VERIFIED) in response.content.decode()
    assert not Participant.objects.exists()


def test_applying_after_registration_closes_is_refused(login, vendor_owner, event):
    product = _certified(vendor_owner.vendor_membership.vendor)
    Event.objects.filter(pk=event.pk).update(registration_closes_at=timezone.now())
    response = login(vendor_owner).post(_apply(event), {"products": [product.pk]})
    assert response.status_code == 200
    assert str(services.NOT_IN_REGISTRATION) in response.content.decode()
    assert not Participant.objects.exists()


def test_a_waiting_application_is_shown_and_can_be_changed(login, vendor_owner, event):
    waiting = exhibitor_create(
        event, member=vendor_owner.vendor_membership, status=ParticipantStatus.APPLIED
    )
    Participant.objects.filter(pk=waiting.pk).update(note="Catatan lama")
    first = waiting.products.get()
    second = _certified(vendor_owner.vendor_membership.vendor, name="Produk kedua")
    client = login(vendor_owner)
    html = client.get(_apply(event)).content.decode()
    assert "Ubah pendaftaran pameran" in html
    assert "Catatan lama" in html
    assert response_checked(html, first.pk)
    client.post(_apply(event), {"products": [first.pk, second.pk], "note": "Catatan baru"})
    waiting.refresh_from_db()
    assert waiting.note == "Catatan baru"
    assert set(waiting.products.all()) == {first, second}


def test_a_decided_application_cannot_be_changed(login, vendor_owner, exhibitor, event):
    response = login(vendor_owner).get(_apply(event))
    assert response.status_code == 302
    assert response.url == reverse("matching:participation", args=[event.pk])
    assert _messages(response) == [str(views.ALREADY_DECIDED.format(status="Diterima"))]


# An officer registers as a buyer ----------------------------------------------------------------


def test_registering_needs_a_login(client, event):
    assert _is_login_redirect(client.post(_register(event)))
    assert not Participant.objects.exists()


def test_registering_is_for_officers_only(login, vendor_owner, admin_user, event):
    for user in (vendor_owner, admin_user):
        assert login(user).post(_register(event)).status_code == 403
    assert not Participant.objects.exists()


def test_registering_is_a_post(login, officer, event):
    assert login(officer).get(_register(event)).status_code == 302
    assert not Participant.objects.exists()


def test_an_officer_registers_and_is_sent_to_write_a_need(login, officer, event):
    response = login(officer).post(_register(event))
    participant = Participant.objects.get(event=event, officer=officer.officer)
    assert participant.status == ParticipantStatus.ACCEPTED
    assert response.status_code == 302
    assert response.url == reverse("matching:need-add", args=[event.pk])
    assert _messages(response) == [str(views.REGISTERED)]


def test_registering_after_registration_closes_is_refused(login, officer, event):
    _status(event, EventStatus.SCHEDULING)
    response = login(officer).post(_register(event))
    assert response.status_code == 302
    assert response.url == _detail(event)
    assert _messages(response) == [str(services.NOT_IN_REGISTRATION)]
    assert not Participant.objects.exists()


def test_a_draft_event_takes_no_buyers(login, officer):
    draft = event_create(status=EventStatus.DRAFT)
    assert login(officer).post(_register(draft)).status_code == 404
    assert not Participant.objects.exists()


# Withdrawing ------------------------------------------------------------------------------------


def test_withdrawing_needs_a_login(client, exhibitor, event):
    assert _is_login_redirect(client.post(_withdraw(event), CONFIRMED))
    assert Participant.objects.get(pk=exhibitor.pk).status == ParticipantStatus.ACCEPTED


def test_admins_do_not_withdraw_here(login, admin_user, exhibitor, event):
    assert login(admin_user).post(_withdraw(event), CONFIRMED).status_code == 403


def test_withdrawing_needs_a_participation(login, outsider_vendor, exhibitor, event):
    assert login(outsider_vendor).post(_withdraw(event), CONFIRMED).status_code == 404
    assert Participant.objects.get(pk=exhibitor.pk).status == ParticipantStatus.ACCEPTED


def test_withdrawing_is_a_post(login, vendor_owner, exhibitor, event):
    assert login(vendor_owner).get(_withdraw(event)).status_code == 302


def test_an_exhibitor_withdraws_and_its_meetings_are_called_off(
    login, vendor_staff, exhibitor, buyer, other_buyer, event, django_capture_on_commit_callbacks
):
    pending = meeting_create(buyer, exhibitor, status=MeetingStatus.PENDING)
    accepted = meeting_create(other_buyer, exhibitor)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(vendor_staff).post(_withdraw(event), CONFIRMED)
    assert response.status_code == 302
    assert response.url == _detail(event)
    assert _messages(response) == [str(views.WITHDRAWN)]
    exhibitor.refresh_from_db()
    assert exhibitor.status == ParticipantStatus.WITHDRAWN
    assert exhibitor.booth is None
    for meeting in (pending, accepted):
        assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.WITHDRAWN
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [buyer.officer.user.email, other_buyer.officer.user.email]
    )


def test_withdrawing_twice_says_there_is_nothing_to_withdraw(login, officer, buyer, event):
    client = login(officer)
    client.post(_withdraw(event), CONFIRMED, follow=True)
    response = client.post(_withdraw(event), CONFIRMED)
    assert _messages(response) == [str(views.NOTHING_TO_WITHDRAW)]


def test_a_closed_event_cannot_be_left(login, officer, buyer, event):
    _status(event, EventStatus.CLOSED)
    response = login(officer).post(_withdraw(event), CONFIRMED)
    assert _messages(response) == [str(views.EVENT_CLOSED)]
    assert Participant.objects.get(pk=buyer.pk).status == ParticipantStatus.ACCEPTED


def test_a_withdrawn_officer_can_register_again(login, officer, buyer, event):
    client = login(officer)
    client.post(_withdraw(event), CONFIRMED)
    html = client.get(_detail(event)).content.decode()
    assert "Anda dapat mendaftar lagi" in html
    client.post(_register(event))
    assert Participant.objects.get(pk=buyer.pk).status == ParticipantStatus.ACCEPTED


# The menu --------------------------------------------------------------------------------------


@pytest.mark.parametrize("cast", ["vendor_owner", "officer", "admin_user"])
def test_the_menu_leads_vendors_officers_and_admins_to_temu_bisnis(request, cast):
    user = request.getfixturevalue(cast)
    assert EVENTS in [item.url for item in navigation_for(user)]
