"""The participant's own page at an event: status, needs or products, availability,
suggestions with their reasons, and the meeting requests both ways."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import (
    Event,
    Meeting,
    MeetingStatus,
    Need,
    Participant,
    ParticipantStatus,
    RequestedBy,
    Suggestion,
)
from matching.rules import EventStatus, Reason
from p3dn_portal.lib.formatting import jakarta
from tests.factories import PackageFactory, ProductFactory, TKDNCertificateFactory
from tests.matching.factories import buyer_create, exhibitor_create, meeting_create

pytestmark = pytest.mark.django_db


def _hub(event) -> str:
    return reverse("matching:participation", args=[event.pk])


def _status(event, status: str):
    Event.objects.filter(pk=event.pk).update(status=status)
    event.refresh_from_db()
    return event


def _suggest(buyer, exhibitor, score=80, reasons=(Reason.KBLI_SAME, Reason.TIER_T1)):
    return Suggestion.objects.create(
        need=buyer.needs.first(),
        exhibitor=exhibitor,
        product=exhibitor.products.first(),
        score=score,
        reasons=list(reasons),
    )


def _asked_by_exhibitor(buyer, exhibitor, **fields) -> Meeting:
    meeting = meeting_create(buyer, exhibitor, status=MeetingStatus.PENDING, **fields)
    Meeting.objects.filter(pk=meeting.pk).update(requested_by=RequestedBy.EXHIBITOR)
    meeting.refresh_from_db()
    return meeting


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


# Who gets in --------------------------------------------------------------------------------------


def test_the_page_needs_a_login(client, buyer, event):
    assert _is_login_redirect(client.get(_hub(event)))


def test_admins_have_their_own_pages(login, admin_user, buyer, event):
    assert login(admin_user).get(_hub(event)).status_code == 403


def test_it_is_404_for_someone_not_taking_part(login, other_officer, outsider_vendor, buyer, event):
    assert login(other_officer).get(_hub(event)).status_code == 404
    assert login(outsider_vendor).get(_hub(event)).status_code == 404


def test_it_is_404_while_the_event_is_a_draft(login, officer, buyer, event):
    _status(event, EventStatus.DRAFT)
    assert login(officer).get(_hub(event)).status_code == 404


def test_a_vendors_staff_member_sees_the_companys_participation(login, vendor_staff, exhibitor):
    response = login(vendor_staff).get(_hub(exhibitor.event))
    assert response.status_code == 200
    assert response.context["participant"] == exhibitor


# Status, needs, products, availability ------------------------------------------------------------


def test_a_buyer_sees_its_needs_with_links_to_change_them(login, officer, buyer, event):
    need = buyer.needs.get()
    package = PackageFactory(opd=officer.officer.opd, rup_code="51234567")
    need.package = package
    need.estimated_budget = 150_000_000
    need.save()
    html = login(officer).get(_hub(event)).content.decode()
    assert "Kerupuk udang untuk konsumsi rapat" in html
    assert "Rp150.000.000" in html
    assert "51234567" in html
    assert reverse("matching:need-add", args=[event.pk]) in html
    assert reverse("matching:need-edit", args=[event.pk, need.pk]) in html
    assert reverse("matching:need-delete", args=[event.pk, need.pk]) in html


def test_an_exhibitor_sees_its_products_with_tkdn_and_tier(login, vendor_owner, exhibitor):
    product = exhibitor.products.get()
    html = login(vendor_owner).get(_hub(exhibitor.event)).content.decode()
    assert product.name in html
    assert "45,50%" in html
    assert "T1" in html
    assert f"stan nomor {exhibitor.booth}" in html


def test_a_waiting_exhibitor_is_told_so_and_may_change_its_application(login, vendor_owner, event):
    exhibitor_create(event, member=vendor_owner.vendor_membership, status=ParticipantStatus.APPLIED)
    html = login(vendor_owner).get(_hub(event)).content.decode()
    assert "Menunggu keputusan" in html
    assert reverse("matching:exhibitor-apply", args=[event.pk]) in html
    assert reverse("matching:counterparts", args=[event.pk]) not in html


def test_a_rejected_exhibitor_sees_the_reason(login, vendor_owner, event):
    participant = exhibitor_create(
        event, member=vendor_owner.vendor_membership, status=ParticipantStatus.APPLIED
    )
    Participant.objects.filter(pk=participant.pk).update(
        status=ParticipantStatus.REJECTED, rejection_reason="Kuota kuliner sudah penuh."
    )
    html = login(vendor_owner).get(_hub(event)).content.decode()
    assert "Kuota kuliner sudah penuh." in html


def test_it_sums_up_the_availability(login, officer, buyer, event):
    buyer.unavailable_slots.set(event.slots.all()[:3])
    response = login(officer).get(_hub(event))
    assert response.context["slot_counts"] == {"total": 10, "unavailable": 3}
    assert "3 dari 10 sesi berhalangan" in response.content.decode()


def test_it_shows_the_meeting_limit_and_how_much_is_used(
    login, officer, buyer, exhibitor, other_exhibitor, event
):
    Event.objects.filter(pk=event.pk).update(max_meetings_per_participant=5)
    meeting_create(buyer, exhibitor)
    meeting_create(buyer, other_exhibitor, status=MeetingStatus.DECLINED)
    html = login(officer).get(_hub(event)).content.decode()
    assert "1 dari 5" in html


# Suggestions --------------------------------------------------------------------------------------


def test_a_buyer_sees_the_suggested_products_with_reasons_and_a_request_button(
    login, officer, buyer, exhibitor, event
):
    _suggest(buyer, exhibitor, score=85, reasons=[Reason.KBLI_SAME, Reason.TIER_T1, Reason.HALAL])
    response = login(officer).get(_hub(event))
    html = response.content.decode()
    product = exhibitor.products.get()
    assert product.name in html
    assert exhibitor.vendor.name in html
    assert ">85<" in html
    for reason in (Reason.KBLI_SAME, Reason.TIER_T1, Reason.HALAL):
        assert str(reason.label) in html
    assert reverse("matching:meeting-request", args=[event.pk, exhibitor.pk]) in html
    assert f'name="need" value="{buyer.needs.get().pk}"' in html


def test_an_exhibitor_sees_which_buyer_need_matched_its_product(
    login, vendor_owner, buyer, exhibitor, event
):
    _suggest(buyer, exhibitor)
    html = login(vendor_owner).get(_hub(event)).content.decode()
    assert buyer.officer.user.full_name in html
    assert buyer.officer.opd.name in html
    assert "Kerupuk udang untuk konsumsi rapat" in html
    assert reverse("matching:meeting-request", args=[event.pk, buyer.pk]) in html


def test_an_exhibitor_reads_one_card_per_buyer_with_its_needs_and_products(
    login, vendor_owner, buyer, other_buyer, exhibitor, event
):
    second = ProductFactory(vendor=exhibitor.vendor, name="Kerupuk ikan tenggiri")
    TKDNCertificateFactory(vendor=exhibitor.vendor, products=[second])
    exhibitor.products.add(second)
    other_need = Need.objects.create(
        participant=buyer, description="Camilan rapat kerja tahunan", kbli="10792", fiscal_year=2027
    )
    first = _suggest(buyer, exhibitor, score=90)
    Suggestion.objects.create(
        need=buyer.needs.first(), exhibitor=exhibitor, product=second, score=70, reasons=[]
    )
    Suggestion.objects.create(
        need=other_need, exhibitor=exhibitor, product=second, score=60, reasons=[]
    )
    _suggest(other_buyer, exhibitor, score=50)
    response = login(vendor_owner).get(_hub(event))
    groups = response.context["suggestion_groups"]
    assert [g.buyer for g in groups] == [buyer, other_buyer]  # the best suggestion's first
    assert [(need, len(rows)) for need, rows in groups[0].needs] == [
        (first.need, 2),
        (other_need, 1),
    ]
    html = response.content.decode()
    assert html.count('<article class="card') == 2
    assert html.count(buyer.officer.user.full_name) == 1
    # One request per buyer, about the need of its best suggestion.
    request = reverse("matching:meeting-request", args=[event.pk, buyer.pk])
    assert html.count(request) == 1
    assert f'name="need" value="{first.need_id}"' in html


def test_a_suggestion_with_a_meeting_shows_its_state_instead_of_the_button(
    login, officer, buyer, exhibitor, event
):
    _suggest(buyer, exhibitor)
    meeting_create(buyer, exhibitor, status=MeetingStatus.PENDING)
    html = login(officer).get(_hub(event)).content.decode()
    assert reverse("matching:meeting-request", args=[event.pk, exhibitor.pk]) not in html
    assert "Menunggu jawaban" in html


def test_suggestions_of_exhibitors_who_left_are_hidden(login, officer, buyer, exhibitor, event):
    _suggest(buyer, exhibitor)
    Participant.objects.filter(pk=exhibitor.pk).update(status=ParticipantStatus.WITHDRAWN)
    response = login(officer).get(_hub(event))
    assert response.context["suggestions"] == []


def test_no_request_button_before_the_exhibitor_is_accepted(login, vendor_owner, buyer, event):
    waiting = exhibitor_create(
        event, member=vendor_owner.vendor_membership, status=ParticipantStatus.APPLIED
    )
    _suggest(buyer, waiting)
    html = login(vendor_owner).get(_hub(event)).content.decode()
    assert reverse("matching:meeting-request", args=[event.pk, buyer.pk]) not in html


# Requests and meetings ----------------------------------------------------------------------------


def test_an_incoming_request_can_be_accepted_or_declined(login, vendor_owner, buyer, exhibitor):
    meeting = meeting_create(
        buyer,
        exhibitor,
        status=MeetingStatus.PENDING,
        note="Mohon katalog harga.",
        expires_at=timezone.now() + timedelta(hours=20),
    )
    response = login(vendor_owner).get(_hub(exhibitor.event))
    html = response.content.decode()
    board = response.context["board"]
    assert board.incoming == [meeting]
    assert board.outgoing == []
    assert 'id="permintaan"' in html
    assert "Mohon katalog harga." in html
    assert reverse("matching:meeting-respond", args=[meeting.pk]) in html
    assert 'value="accept"' in html
    assert 'value="decline"' in html


def test_an_outgoing_request_can_be_withdrawn(login, officer, buyer, exhibitor, event):
    meeting = meeting_create(buyer, exhibitor, status=MeetingStatus.PENDING)
    response = login(officer).get(_hub(event))
    assert response.context["board"].outgoing == [meeting]
    html = response.content.decode()
    assert reverse("matching:meeting-withdraw", args=[meeting.pk]) in html
    assert reverse("matching:meeting-respond", args=[meeting.pk]) not in html


def test_a_request_from_the_other_side_is_incoming_for_the_buyer(
    login, officer, buyer, exhibitor, event
):
    meeting = _asked_by_exhibitor(buyer, exhibitor)
    assert login(officer).get(_hub(event)).context["board"].incoming == [meeting]


def test_slot_table_and_agenda_show_once_the_schedule_is_published(
    login, officer, buyer, exhibitor, event
):
    slot = event.slots.order_by("starts_at").first()
    meeting_create(buyer, exhibitor, slot=slot, table=7)
    client = login(officer)
    html = client.get(_hub(event)).content.decode()
    assert "Terjadwal" in html
    assert "terjadwal, diumumkan bersama agenda" in html
    assert jakarta(slot.starts_at) not in html and ">7<" not in html
    assert reverse("matching:agenda", args=[event.pk]) not in html
    _status(event, EventStatus.PUBLISHED)
    html = client.get(_hub(event)).content.decode()
    assert jakarta(slot.starts_at) in html and ">7<" in html
    assert reverse("matching:agenda", args=[event.pk]) in html


def test_an_accepted_meeting_not_yet_scheduled_says_so(login, officer, buyer, exhibitor, event):
    meeting_create(buyer, exhibitor)
    assert "belum dijadwalkan" in login(officer).get(_hub(event)).content.decode()


def test_closed_requests_are_history(login, officer, buyer, exhibitor, other_exhibitor, event):
    declined = meeting_create(
        buyer, exhibitor, status=MeetingStatus.DECLINED, response_note="Stok kosong bulan ini."
    )
    lapsed = meeting_create(
        buyer,
        other_exhibitor,
        status=MeetingStatus.PENDING,
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    response = login(officer).get(_hub(event))
    board = response.context["board"]
    assert set(board.history) == {declined, lapsed}
    assert board.outgoing == []
    html = response.content.decode()
    assert "Stok kosong bulan ini." in html
    assert "Kedaluwarsa" in html


# Queries ------------------------------------------------------------------------------------------


def _crowd(event, buyer, count: int) -> None:
    """`count` exhibitors, each suggested for the buyer's need and in a meeting with it."""
    statuses = [MeetingStatus.PENDING, MeetingStatus.ACCEPTED, MeetingStatus.DECLINED]
    slots = list(event.slots.order_by("starts_at"))
    for n in range(count):
        exhibitor = exhibitor_create(event)
        _suggest(buyer, exhibitor)
        status = statuses[n % 3]
        if status == MeetingStatus.ACCEPTED:
            meeting_create(buyer, exhibitor, slot=slots[n % len(slots)], table=n + 1)
        else:
            meeting_create(buyer, exhibitor, status=status)


@pytest.mark.parametrize("count", [1, 8])
def test_a_buyers_page_runs_a_fixed_number_of_queries(
    login, officer, buyer, event, django_assert_num_queries, count
):
    _crowd(event, buyer, count)
    buyer_create(event)  # another buyer: none of its rows show here
    client = login(officer)
    # 1 user with its officer seat, 2 the participation with event, officer and OPD,
    # 3 its meetings with slot, need and both sides, 4 its needs with their packages,
    # 5 suggestions with need and exhibitor, 6 their products, 7 the products' TKDN
    # certificates (and halal flag), 8 slot counts (the navbar's unread count comes with 1)
    with django_assert_num_queries(8):
        response = client.get(_hub(event))
    assert len(response.context["suggestions"]) == count


@pytest.mark.parametrize("count", [1, 8])
def test_an_exhibitors_page_runs_a_fixed_number_of_queries(
    login, vendor_owner, exhibitor, event, django_assert_num_queries, count
):
    for n in range(count):
        buyer = buyer_create(event)
        _suggest(buyer, exhibitor)
        meeting_create(
            buyer, exhibitor, status=[MeetingStatus.PENDING, MeetingStatus.DECLINED][n % 2]
        )
    client = login(vendor_owner)
    # 1 user with its vendor membership, 2 the participation with event and vendor,
    # 3 its meetings, 4 its products, 5 their TKDN certificates, 6 suggestions with need,
    # buyer, officer, OPD and product, 7 slot counts (the navbar's unread count comes with 1)
    with django_assert_num_queries(7):
        response = client.get(_hub(event))
    assert len(response.context["suggestions"]) == count


def test_requests_waiting_for_an_answer_are_announced_at_the_top(
    login, vendor_owner, buyer, exhibitor, event
):
    meeting_create(buyer, exhibitor, status=MeetingStatus.PENDING)
    html = login(vendor_owner).get(_hub(event)).content.decode()
    top = html.index("1 permintaan pertemuan menunggu jawaban Anda.")
    assert top < html.index('id="permintaan"')
