"""The other side of the event and meeting requests: finding counterparts, asking for a
meeting, answering, calling it off."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from matching import services
from matching.forms import KBLI_FILTER_INVALID, NEED_NOT_YOURS
from matching.models import (
    Event,
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantStatus,
    RequestedBy,
)
from matching.rules import EventStatus
from matching.views import participant as views
from p3dn_portal.lib.confirm import CONFIRMED
from tests.factories import HalalCertificateFactory, OfficerFactory
from tests.matching.factories import buyer_create, event_create, exhibitor_create, meeting_create

pytestmark = pytest.mark.django_db


def _counterparts(event) -> str:
    return reverse("matching:counterparts", args=[event.pk])


def _request(event, other) -> str:
    return reverse("matching:meeting-request", args=[event.pk, other.pk])


def _respond(meeting) -> str:
    return reverse("matching:meeting-respond", args=[meeting.pk])


def _call_off(meeting) -> str:
    return reverse("matching:meeting-withdraw", args=[meeting.pk])


def _requests(event) -> str:
    return reverse("matching:participation", args=[event.pk]) + "#permintaan"


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def _status(event, status: str):
    Event.objects.filter(pk=event.pk).update(status=status)
    event.refresh_from_db()
    return event


def _rows(client, event, **params) -> list[Participant]:
    response = client.get(_counterparts(event), params)
    assert response.status_code == 200
    return list(response.context["page_obj"])


# The other side -----------------------------------------------------------------------------------


def test_counterparts_need_a_login(client, buyer, event):
    assert _is_login_redirect(client.get(_counterparts(event)))


def test_counterparts_are_for_participants(login, admin_user, other_officer, buyer, event):
    assert login(admin_user).get(_counterparts(event)).status_code == 403
    assert login(other_officer).get(_counterparts(event)).status_code == 404


def test_a_buyer_sees_the_accepted_exhibitors_and_their_products(
    login, officer, buyer, exhibitor, event
):
    product = exhibitor.products.get()
    HalalCertificateFactory(vendor=exhibitor.vendor, products=[product])
    exhibitor_create(event, status=ParticipantStatus.APPLIED)
    response = login(officer).get(_counterparts(event))
    assert list(response.context["page_obj"]) == [exhibitor]
    html = response.content.decode()
    assert exhibitor.vendor.name in html
    assert product.name in html
    assert "TKDN 45,50% (T1)" in html
    assert "Halal" in html
    assert f"stan {exhibitor.booth}" in html


def test_an_exhibitor_sees_the_buyers_with_opd_position_and_needs(
    login, vendor_owner, buyer, exhibitor, event
):
    html = login(vendor_owner).get(_counterparts(event)).content.decode()
    officer = buyer.officer
    assert officer.user.full_name in html
    assert officer.opd.name in html
    assert officer.get_position_display() in html
    assert "Kerupuk udang untuk konsumsi rapat" in html


def test_withdrawn_buyers_are_not_listed(login, vendor_owner, buyer, other_buyer, exhibitor, event):
    Participant.objects.filter(pk=other_buyer.pk).update(status=ParticipantStatus.WITHDRAWN)
    assert _rows(login(vendor_owner), event) == [buyer]


def test_a_buyer_searches_exhibitors_by_name_or_product(
    login, officer, buyer, exhibitor, other_exhibitor, event
):
    chair = exhibitor_create(event, name="Kursi lipat baja", kbli="31001")
    client = login(officer)
    assert _rows(client, event, q="kursi") == [chair]
    assert _rows(client, event, q=exhibitor.vendor.name) == [exhibitor]
    assert _rows(client, event, kbli="31001") == [chair]
    assert _rows(client, event, kbli="31") == [chair]
    assert set(_rows(client, event, kbli="10792")) == {exhibitor, other_exhibitor}


def test_an_exhibitor_searches_buyers_by_name_opd_or_need(
    login, vendor_owner, buyer, exhibitor, event
):
    chairs = buyer_create(event, description="Kursi aula kelurahan", kbli="31001")
    client = login(vendor_owner)
    assert _rows(client, event, q="aula") == [chairs]
    assert _rows(client, event, q=buyer.officer.opd.name) == [buyer]
    assert _rows(client, event, q=buyer.officer.user.full_name) == [buyer]
    assert _rows(client, event, kbli="31001") == [chairs]


def test_a_bad_kbli_filter_is_reported_and_ignored(login, officer, buyer, exhibitor, event):
    response = login(officer).get(_counterparts(event), {"kbli": "1a"})
    assert list(response.context["page_obj"]) == [exhibitor]
    assert _messages(response) == [str(KBLI_FILTER_INVALID)]


def test_each_row_shows_the_meeting_or_a_request_form(
    login, officer, buyer, exhibitor, other_exhibitor, event
):
    meeting_create(buyer, exhibitor, status=MeetingStatus.PENDING)
    html = login(officer).get(_counterparts(event)).content.decode()
    assert _request(event, exhibitor) not in html
    assert "Menunggu jawaban" in html
    assert _request(event, other_exhibitor) in html
    # The buyer picks which of its needs to talk about.
    assert f'<option value="{buyer.needs.get().pk}">' in html


def test_an_earlier_declined_request_leaves_room_for_a_new_one(
    login, officer, buyer, exhibitor, event
):
    meeting_create(buyer, exhibitor, status=MeetingStatus.DECLINED)
    html = login(officer).get(_counterparts(event)).content.decode()
    assert "Permintaan sebelumnya: Ditolak" in html
    assert _request(event, exhibitor) in html


def test_no_request_form_before_the_participant_is_accepted(login, vendor_owner, buyer, event):
    exhibitor_create(event, member=vendor_owner.vendor_membership, status=ParticipantStatus.APPLIED)
    html = login(vendor_owner).get(_counterparts(event)).content.decode()
    assert _request(event, buyer) not in html


@pytest.mark.parametrize("count", [2, 12])
def test_a_buyers_list_runs_a_fixed_number_of_queries(
    login, officer, buyer, event, django_assert_num_queries, count
):
    for n in range(count):
        exhibitor = exhibitor_create(event)
        if n % 2:
            meeting_create(buyer, exhibitor, status=MeetingStatus.PENDING)
    client = login(officer)
    # 1 user with its officer seat, 2 the participation, 3 count of exhibitors,
    # 4 the page with vendors, 5 their exhibited products, 6 the products' TKDN certificates,
    # 7 the buyer's meetings with them, 8 the buyer's needs (unread notifications come with 1)
    with django_assert_num_queries(8):
        response = client.get(_counterparts(event), {"q": "kerupuk", "kbli": "10"})
    assert len(response.context["page_obj"]) == count


@pytest.mark.parametrize("count", [2, 12])
def test_an_exhibitors_list_runs_a_fixed_number_of_queries(
    login, vendor_owner, exhibitor, event, django_assert_num_queries, count
):
    for n in range(count):
        buyer = buyer_create(event)
        if n % 2:
            meeting_create(buyer, exhibitor, status=MeetingStatus.DECLINED)
    client = login(vendor_owner)
    # 1 user with its vendor membership, 2 the participation, 3 count of buyers,
    # 4 the page with officers and OPDs, 5 their needs, 6 the exhibitor's meetings with them
    # (unread notifications come with 1)
    with django_assert_num_queries(6):
        response = client.get(_counterparts(event), {"q": "kerupuk"})
    assert len(response.context["page_obj"]) == count


# Asking for a meeting -----------------------------------------------------------------------------


def test_requesting_needs_a_login(client, buyer, exhibitor, event):
    assert _is_login_redirect(client.post(_request(event, exhibitor), {}))
    assert not Meeting.objects.exists()


def test_requesting_is_for_participants(login, admin_user, buyer, exhibitor, event):
    assert login(admin_user).post(_request(event, exhibitor), {}).status_code == 403
    assert not Meeting.objects.exists()


def test_requesting_is_a_post(login, officer, buyer, exhibitor, event):
    assert login(officer).get(_request(event, exhibitor)).status_code == 302


def test_someone_not_taking_part_cannot_request(login, other_officer, buyer, exhibitor, event):
    assert login(other_officer).post(_request(event, exhibitor), {}).status_code == 404
    assert not Meeting.objects.exists()


def test_a_buyer_asks_an_exhibitor_about_a_need(
    login,
    officer,
    buyer,
    exhibitor,
    vendor_owner,
    vendor_staff,
    event,
    django_capture_on_commit_callbacks,
):
    need = buyer.needs.get()
    back = _counterparts(event) + "?q=kerupuk"
    with django_capture_on_commit_callbacks(execute=True):
        response = login(officer).post(
            _request(event, exhibitor),
            {"need": need.pk, "note": "Mohon bawa contoh produk.", "next": back},
        )
    assert response.status_code == 302
    assert response.url == back
    assert _messages(response) == [str(views.REQUEST_SENT.format(name=exhibitor.name))]
    meeting = Meeting.objects.get()
    assert meeting.buyer == buyer
    assert meeting.exhibitor == exhibitor
    assert meeting.need == need
    assert meeting.note == "Mohon bawa contoh produk."
    assert meeting.requested_by == RequestedBy.BUYER
    assert meeting.requested_by_user == officer
    assert meeting.status == MeetingStatus.PENDING
    # Everyone of the exhibitor's company is told.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([vendor_owner.email, vendor_staff.email])
    assert "Mohon bawa contoh produk." in mail.outbox[0].body


def test_an_exhibitor_asks_a_buyer(
    login, vendor_owner, buyer, exhibitor, event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(vendor_owner).post(_request(event, buyer), {"note": "Kami produsen."})
    assert response.url == _counterparts(event)
    meeting = Meeting.objects.get()
    assert meeting.requested_by == RequestedBy.EXHIBITOR
    assert meeting.need is None
    assert [m.to for m in mail.outbox] == [[buyer.officer.user.email]]


def test_an_exhibitor_may_name_the_buyers_need(login, vendor_owner, buyer, exhibitor, event):
    need = buyer.needs.get()
    login(vendor_owner).post(_request(event, buyer), {"need": need.pk})
    assert Meeting.objects.get().need == need


def test_a_need_of_another_buyer_is_refused(login, officer, buyer, other_buyer, exhibitor, event):
    response = login(officer).post(_request(event, exhibitor), {"need": other_buyer.needs.get().pk})
    assert response.status_code == 302
    assert _messages(response) == [str(NEED_NOT_YOURS)]
    assert not Meeting.objects.exists()


def test_a_too_long_note_is_refused(login, officer, buyer, exhibitor, event):
    response = login(officer).post(_request(event, exhibitor), {"note": "x" * 501})
    assert _messages(response) == [str(views.forms.NOTE_TOO_LONG)]
    assert not Meeting.objects.exists()


def test_a_participant_of_the_same_side_or_another_event_is_404(
    login, officer, buyer, other_buyer, event
):
    elsewhere = exhibitor_create(event_create())
    client = login(officer)
    assert client.post(_request(event, other_buyer), {}).status_code == 404
    assert client.post(_request(event, elsewhere), {}).status_code == 404
    assert not Meeting.objects.exists()


def test_asking_twice_is_refused_with_the_services_message(login, officer, buyer, exhibitor, event):
    meeting_create(buyer, exhibitor, status=MeetingStatus.PENDING)
    response = login(officer).post(_request(event, exhibitor), {})
    assert _messages(response) == [str(services.PAIR_EXISTS)]
    assert Meeting.objects.count() == 1


def test_the_meeting_limit_is_kept(login, officer, buyer, exhibitor, other_exhibitor, event):
    Event.objects.filter(pk=event.pk).update(max_meetings_per_participant=1)
    meeting_create(buyer, other_exhibitor)
    response = login(officer).post(_request(event, exhibitor), {})
    assert _messages(response) == [str(services.TOO_MANY_MEETINGS.format(name=buyer.name, limit=1))]
    assert Meeting.objects.count() == 1


def test_an_exhibitor_not_yet_accepted_cannot_be_asked(login, officer, buyer, event):
    waiting = exhibitor_create(event, status=ParticipantStatus.APPLIED)
    response = login(officer).post(_request(event, waiting), {})
    assert _messages(response) == [str(services.NOT_ACCEPTED)]
    assert not Meeting.objects.exists()


def test_no_requests_once_the_event_is_closed(login, officer, buyer, exhibitor, event):
    _status(event, EventStatus.CLOSED)
    response = login(officer).post(_request(event, exhibitor), {})
    assert _messages(response) == [str(services.NO_REQUESTS_NOW)]
    assert not Meeting.objects.exists()


def test_a_next_pointing_elsewhere_is_ignored(login, officer, buyer, exhibitor, event):
    response = login(officer).post(
        _request(event, exhibitor), {"next": "https://contoh.example/curi"}
    )
    assert response.url == _counterparts(event)


# Answering ----------------------------------------------------------------------------------------


@pytest.fixture
def asked(buyer, exhibitor):
    """The buyer asked the exhibitor; the exhibitor's turn to answer."""
    return services.meeting_request(
        requester=buyer, other=exhibitor, by=buyer.officer.user, note="Boleh bertemu?"
    )


def test_answering_needs_a_login(client, asked):
    assert _is_login_redirect(client.post(_respond(asked), {"answer": "accept"}))
    assert Meeting.objects.get().status == MeetingStatus.PENDING


def test_answering_is_for_participants(login, admin_user, asked):
    assert login(admin_user).post(_respond(asked), {"answer": "accept"}).status_code == 403


def test_a_stranger_to_the_meeting_gets_404(login, outsider_vendor, other_exhibitor, asked):
    response = login(outsider_vendor).post(_respond(asked), {"answer": "accept"})
    assert response.status_code == 404
    assert login(outsider_vendor).post(_call_off(asked)).status_code == 404
    assert Meeting.objects.get().status == MeetingStatus.PENDING


def test_the_exhibitor_accepts(
    login, vendor_staff, asked, buyer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(vendor_staff).post(
            _respond(asked), {"answer": "accept", "note": "Sampai jumpa di stan 1."}
        )
    assert response.status_code == 302
    assert response.url == _requests(asked.event)
    assert _messages(response) == [str(views.REQUEST_ACCEPTED)]
    asked.refresh_from_db()
    assert asked.status == MeetingStatus.ACCEPTED
    assert asked.response_note == "Sampai jumpa di stan 1."
    assert [m.to for m in mail.outbox] == [[buyer.officer.user.email]]


def test_the_exhibitor_declines_with_a_note(login, vendor_owner, asked):
    response = login(vendor_owner).post(
        _respond(asked), {"answer": "decline", "note": "Produk belum tersedia."}
    )
    assert _messages(response) == [str(views.REQUEST_DECLINED)]
    asked.refresh_from_db()
    assert asked.status == MeetingStatus.DECLINED
    assert asked.response_note == "Produk belum tersedia."


def test_the_requester_cannot_answer_its_own_request(login, officer, asked):
    response = login(officer).post(_respond(asked), {"answer": "accept"})
    assert _messages(response) == [str(services.NOT_YOUR_TURN)]
    assert Meeting.objects.get().status == MeetingStatus.PENDING


def test_an_answer_must_be_accept_or_decline(login, vendor_owner, asked):
    response = login(vendor_owner).post(_respond(asked), {"answer": "mungkin"})
    assert _messages(response) == ["Pilih setujui atau tolak."]
    assert Meeting.objects.get().status == MeetingStatus.PENDING


def test_an_answered_request_cannot_be_answered_again(login, vendor_owner, asked):
    client = login(vendor_owner)
    client.post(_respond(asked), {"answer": "decline"}, follow=True)
    response = client.post(_respond(asked), {"answer": "accept"})
    assert _messages(response) == [str(services.NOT_PENDING)]
    assert Meeting.objects.get().status == MeetingStatus.DECLINED


def test_answering_is_a_post(login, vendor_owner, asked):
    assert login(vendor_owner).get(_respond(asked)).status_code == 302


# Calling off --------------------------------------------------------------------------------------


def test_the_requester_withdraws_its_request(
    login, officer, asked, exhibitor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(officer).post(_call_off(asked), CONFIRMED)
    assert response.url == _requests(asked.event)
    assert _messages(response) == [str(views.MEETING_WITHDRAWN)]
    assert Meeting.objects.get().status == MeetingStatus.WITHDRAWN
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in exhibitor.users)


def test_either_side_calls_off_an_accepted_meeting(login, vendor_owner, buyer, exhibitor, event):
    slot = event.slots.first()
    meeting = meeting_create(buyer, exhibitor, slot=slot, table=3)
    login(vendor_owner).post(_call_off(meeting), CONFIRMED)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.WITHDRAWN
    assert meeting.slot is None


def test_a_declined_request_cannot_be_called_off(login, officer, buyer, exhibitor):
    meeting = meeting_create(buyer, exhibitor, status=MeetingStatus.DECLINED)
    response = login(officer).post(_call_off(meeting))
    assert _messages(response) == [str(services.NOT_PENDING)]
    assert Meeting.objects.get().status == MeetingStatus.DECLINED


def test_calling_off_needs_a_login_and_a_post(client, login, officer, asked):
    assert _is_login_redirect(client.post(_call_off(asked)))
    assert login(officer).get(_call_off(asked)).status_code == 302
    assert Meeting.objects.get().status == MeetingStatus.PENDING


def test_an_officer_of_the_same_opd_is_not_the_buyer(login, officer, asked):
    colleague = OfficerFactory(opd=officer.officer.opd).user
    assert login(colleague).post(_call_off(asked)).status_code == 404


# A meeting whose slot is over -----------------------------------------------------------------


def _agreed_row(client, event, meeting) -> str:
    """The participation page's meetings section."""
    response = client.get(reverse("matching:participation", args=[event.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    section = html.split('id="requests-heading"', 1)[1]
    return section


@pytest.mark.parametrize(
    ("offset", "label", "can_call_off"),
    [
        (timedelta(minutes=-10), "Terjadwal", True),
        (timedelta(minutes=10), "Sedang berlangsung", False),
        (timedelta(hours=2), "Sesi selesai, menunggu hasil", False),
    ],
)
def test_an_agreed_meeting_reads_by_where_its_slot_is(
    login, officer, vendor_owner, buyer, exhibitor, event, offset, label, can_call_off
):
    _status(event, EventStatus.RUNNING)
    slot = event.slots.order_by("starts_at").first()
    meeting = meeting_create(buyer, exhibitor, slot=slot, table=3)
    with time_machine.travel(slot.starts_at + offset, tick=False):
        section = _agreed_row(login(vendor_owner), event, meeting)
        assert label in section
        assert ">Disetujui<" not in section
        assert (_call_off(meeting) in section) is can_call_off
        # The buyer records the outcome once the slot is over.
        buyer_section = _agreed_row(login(officer), event, meeting)
        assert (reverse("matching:outcome", args=[meeting.pk]) in buyer_section) is (
            label == "Sesi selesai, menunggu hasil"
        )


@pytest.mark.parametrize(
    ("status", "label"),
    [(MeetingStatus.HELD, "Terlaksana"), (MeetingStatus.NO_SHOW, "Tidak hadir")],
)
def test_a_held_or_missed_meeting_says_so_and_offers_no_call_off(
    login, vendor_owner, buyer, exhibitor, event, status, label
):
    _status(event, EventStatus.RUNNING)
    slot = event.slots.order_by("starts_at").first()
    meeting = meeting_create(buyer, exhibitor, slot=slot, table=3, status=status)
    with time_machine.travel(slot.ends_at + timedelta(hours=1), tick=False):
        section = _agreed_row(login(vendor_owner), event, meeting)
    assert label in section
    assert _call_off(meeting) not in section


def test_a_meeting_whose_slot_began_cannot_be_called_off(
    login, vendor_owner, buyer, exhibitor, event
):
    _status(event, EventStatus.RUNNING)
    slot = event.slots.order_by("starts_at").first()
    meeting = meeting_create(buyer, exhibitor, slot=slot, table=3)
    with time_machine.travel(slot.ends_at + timedelta(minutes=5), tick=False):
        response = login(vendor_owner).post(_call_off(meeting), CONFIRMED)
    assert _messages(response) == [str(services.MEETING_STARTED)]
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.ACCEPTED
    assert meeting.slot == slot


# Calling off asks first -----------------------------------------------------------------------


def test_calling_off_a_meeting_asks_first_and_says_what_will_happen(
    login, vendor_owner, buyer, exhibitor, event
):
    slot = event.slots.order_by("starts_at").first()
    meeting = meeting_create(buyer, exhibitor, slot=slot, table=3)
    client = login(vendor_owner)
    response = client.post(_call_off(meeting))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Batalkan pertemuan dengan {buyer.name}?" in html
    assert str(views.ASK_CALL_OFF_AGAIN) in html
    assert 'name="konfirmasi" value="ya"' in html
    assert Meeting.objects.get().status == MeetingStatus.ACCEPTED
    client.post(_call_off(meeting), CONFIRMED)
    assert Meeting.objects.get().status == MeetingStatus.WITHDRAWN


def test_withdrawing_from_the_event_asks_first(login, officer, buyer, event):
    client = login(officer)
    html = client.post(reverse("matching:withdraw", args=[event.pk])).content.decode()
    assert str(views.ASK_WITHDRAW_EVENT) in html
    assert Participant.objects.get(pk=buyer.pk).status == ParticipantStatus.ACCEPTED
    client.post(reverse("matching:withdraw", args=[event.pk]), CONFIRMED)
    assert Participant.objects.get(pk=buyer.pk).status == ParticipantStatus.WITHDRAWN
