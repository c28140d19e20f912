"""Django admin for business matching, as a Dinas PPKUKM admin uses it: events with their
days and breaks, exhibitors accepted or rejected, meetings added, removed, locked and
reopened, and the read-only records, all through matching.services."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from matching import admin as matching_admin
from matching import services
from matching.models import (
    CheckIn,
    Event,
    Meeting,
    MeetingStatus,
    Outcome,
    Participant,
    ParticipantStatus,
    RequestedBy,
    ScheduleRun,
    Suggestion,
)
from matching.rules import EventStatus
from tests import factories
from tests.matching.factories import buyer_create, event_create, exhibitor_create, meeting_create

pytestmark = pytest.mark.django_db


def _url(model: str, view: str, *args) -> str:
    return reverse(f"admin:matching_{model}_{view}", args=args)


def _action(client, model: str, action: str, objects, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], **extra}
    return client.post(_url(model, "changelist"), data, follow=True)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def admin_client(login, admin_user):
    return login(admin_user)


@pytest.fixture
def one_of_each(event, buyer, exhibitor, admin_user):
    slot = event.slots.first()
    meeting = meeting_create(buyer, exhibitor, slot=slot, table=1, status=MeetingStatus.HELD)
    outcome = Outcome.objects.create(
        meeting=meeting, interest=True, estimated_value=Decimal("15000000"), recorded_by=admin_user
    )
    suggestion = Suggestion.objects.create(
        need=buyer.needs.get(),
        exhibitor=exhibitor,
        product=exhibitor.products.get(),
        score=60,
        reasons=["kbli_same", "small"],
    )
    run = ScheduleRun.objects.create(event=event, requested_by=admin_user)
    checkin = CheckIn.objects.create(participant=buyer, day=slot.starts_at.date(), by=admin_user)
    return {
        "event": event,
        "participant": buyer,
        "meeting": meeting,
        "outcome": outcome,
        "suggestion": suggestion,
        "schedulerun": run,
        "checkin": checkin,
    }


MODELS = ["event", "participant", "meeting", "outcome", "suggestion", "schedulerun", "checkin"]


# Pages and access ---------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_it_renders_each_changelist_and_change_page(admin_client, one_of_each, model):
    response = admin_client.get(_url(model, "changelist"))
    assert response.status_code == 200
    assert one_of_each[model] in set(response.context["cl"].result_list)
    assert admin_client.get(_url(model, "change", one_of_each[model].pk)).status_code == 200


@pytest.mark.parametrize("model", ["event", "participant", "meeting", "outcome"])
def test_it_renders_the_history_pages(admin_client, one_of_each, model):
    assert admin_client.get(_url(model, "history", one_of_each[model].pk)).status_code == 200


@pytest.mark.parametrize(
    "model", ["participant", "outcome", "suggestion", "schedulerun", "checkin"]
)
def test_records_made_in_the_portal_are_not_added_here(admin_client, model):
    assert admin_client.get(_url(model, "add")).status_code == 403


@pytest.mark.parametrize("cast", ["vendor_owner", "officer"])
def test_it_keeps_vendors_and_officers_out(request, login, cast):
    client = login(request.getfixturevalue(cast))
    response = client.get(_url("event", "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_participants_and_meetings_are_never_deleted_here(admin_client, one_of_each):
    for model in ("participant", "meeting"):
        assert admin_client.get(_url(model, "delete", one_of_each[model].pk)).status_code == 403


# Events -------------------------------------------------------------------------------------


def _event_form(**overrides) -> dict:
    now = timezone.localtime()
    day = (now + timedelta(days=20)).date()
    data = {
        "name": "Business Matching P3DN Batch XIV",
        "venue": "Balai Kota DKI Jakarta",
        "description": "",
        "registration_opens_at_0": now.strftime("%Y-%m-%d"),
        "registration_opens_at_1": "08:00:00",
        "registration_closes_at_0": (now + timedelta(days=10)).strftime("%Y-%m-%d"),
        "registration_closes_at_1": "17:00:00",
        "slot_minutes": "30",
        "tables": "10",
        "exhibitor_capacity": "24",
        "max_meetings_per_participant": "12",
        "request_expiry_hours": "72",
        "days-TOTAL_FORMS": "2",
        "days-INITIAL_FORMS": "0",
        "days-0-day": day.isoformat(),
        "days-0-starts": "09:00",
        "days-0-ends": "12:00",
        "days-1-day": (day + timedelta(days=1)).isoformat(),
        "days-1-starts": "09:00",
        "days-1-ends": "12:00",
        "breaks-TOTAL_FORMS": "1",
        "breaks-INITIAL_FORMS": "0",
        "breaks-0-label": "Ishoma",
        "breaks-0-starts": "10:00",
        "breaks-0-ends": "10:30",
    }
    data.update(overrides)
    return data


def test_an_admin_creates_an_event_with_days_and_breaks_and_gets_its_slots(
    admin_client, admin_user
):
    response = admin_client.post(_url("event", "add"), _event_form(), follow=True)
    assert response.status_code == 200
    event = Event.objects.get(name="Business Matching P3DN Batch XIV")
    assert event.status == EventStatus.DRAFT
    assert event.created_by == admin_user
    # 09:00-12:00 with a break 10:00-10:30: 09:00, 09:30, 10:30, 11:00, 11:30 on two days.
    assert event.slots.count() == 10
    assert str(matching_admin.SLOTS_REBUILT.format(count=10)) in _messages(response)


def _change_form(event: Event, **overrides) -> dict:
    local = timezone.localtime
    data = {
        "name": event.name,
        "venue": event.venue,
        "description": event.description,
        "registration_opens_at_0": local(event.registration_opens_at).strftime("%Y-%m-%d"),
        "registration_opens_at_1": local(event.registration_opens_at).strftime("%H:%M:%S"),
        "registration_closes_at_0": local(event.registration_closes_at).strftime("%Y-%m-%d"),
        "registration_closes_at_1": local(event.registration_closes_at).strftime("%H:%M:%S"),
        "slot_minutes": str(event.slot_minutes),
        "tables": str(event.tables),
        "exhibitor_capacity": str(event.exhibitor_capacity),
        "max_meetings_per_participant": str(event.max_meetings_per_participant),
        "request_expiry_hours": str(event.request_expiry_hours),
        "days-TOTAL_FORMS": str(event.days.count()),
        "days-INITIAL_FORMS": str(event.days.count()),
        "breaks-TOTAL_FORMS": str(event.breaks.count()),
        "breaks-INITIAL_FORMS": str(event.breaks.count()),
    }
    for n, day in enumerate(event.days.all()):
        data.update(
            {
                f"days-{n}-id": str(day.pk),
                f"days-{n}-event": str(event.pk),
                f"days-{n}-day": day.day.isoformat(),
                f"days-{n}-starts": day.starts.strftime("%H:%M"),
                f"days-{n}-ends": day.ends.strftime("%H:%M"),
            }
        )
    for n, pause in enumerate(event.breaks.all()):
        data.update(
            {
                f"breaks-{n}-id": str(pause.pk),
                f"breaks-{n}-event": str(event.pk),
                f"breaks-{n}-label": pause.label,
                f"breaks-{n}-starts": pause.starts.strftime("%H:%M"),
                f"breaks-{n}-ends": pause.ends.strftime("%H:%M"),
            }
        )
    data.update(overrides)
    return data


def test_longer_meetings_rebuild_the_slots_during_registration(admin_client, event):
    assert event.slots.count() == 10
    response = admin_client.post(
        _url("event", "change", event.pk), _change_form(event, slot_minutes="60"), follow=True
    )
    assert response.status_code == 200
    # 09:00-10:00, then 10:30-11:30 (11:30-12:30 would run past noon): two a day.
    assert event.slots.count() == 4
    event.refresh_from_db()
    assert event.slot_minutes == 60


def test_a_day_change_is_refused_whole_once_meetings_sit_in_slots(
    admin_client, event, buyer, exhibitor
):
    meeting_create(buyer, exhibitor, slot=event.slots.first(), table=1)
    slots = set(event.slots.values_list("pk", flat=True))
    response = admin_client.post(
        _url("event", "change", event.pk),
        _change_form(event, **{"days-0-ends": "15:00"}),
        follow=True,
    )
    assert _messages(response) == [str(services.SLOTS_LOCKED)]
    assert event.days.first().ends == time(12)  # rolled back with the refusal
    assert set(event.slots.values_list("pk", flat=True)) == slots


def test_days_and_meeting_length_are_read_only_once_scheduling(admin_client):
    event = event_create(status=EventStatus.SCHEDULING)
    response = admin_client.get(_url("event", "change", event.pk))
    form = response.context["adminform"].form
    assert "slot_minutes" not in form.fields
    assert "status" not in form.fields
    for inline in response.context["inline_admin_formsets"]:
        assert not inline.has_change_permission
        assert not inline.has_add_permission


def test_the_event_list_links_to_the_pages_where_it_is_run(admin_client, event, buyer, exhibitor):
    response = admin_client.get(_url("event", "changelist"))
    html = response.content.decode()
    for name in ("manage", "schedule", "checkin-desk", "table-sheet"):
        assert reverse(f"matching:{name}", args=[event.pk]) in html
    listed = response.context["cl"].result_list[0]
    assert (listed.exhibitor_count, listed.buyer_count, listed.meeting_count) == (1, 1, 0)
    assert listed.first_day_at == event.days.first().day


def test_an_action_moves_the_event_through_the_service(admin_client, event):
    response = _action(admin_client, "event", "move_to_scheduling", [event])
    event.refresh_from_db()
    assert event.status == EventStatus.SCHEDULING
    assert len(_messages(response)) == 1


def test_a_wrong_move_is_reported_and_changes_nothing(admin_client, event):
    response = _action(admin_client, "event", "move_to_running", [event])
    event.refresh_from_db()
    assert event.status == EventStatus.REGISTRATION
    reason = services.WRONG_TRANSITION.format(
        current=EventStatus.REGISTRATION.label, target=EventStatus.RUNNING.label
    )
    assert _messages(response) == [
        str(matching_admin.SKIPPED.format(count=1, names=event.name, reason=reason))
    ]


def test_only_a_draft_event_may_be_deleted(admin_client, event):
    assert admin_client.get(_url("event", "delete", event.pk)).status_code == 403
    draft = event_create(status=EventStatus.DRAFT, name="Draf")
    assert admin_client.get(_url("event", "delete", draft.pk)).status_code == 200


# Participants -------------------------------------------------------------------------------


def test_accepting_exhibitors_gives_them_booths_and_tells_them(
    admin_client, event, buyer, django_capture_on_commit_callbacks
):
    applied = [exhibitor_create(event, status=ParticipantStatus.APPLIED) for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(admin_client, "participant", "accept_selected", [*applied, buyer])
    for participant in applied:
        participant.refresh_from_db()
        assert participant.status == ParticipantStatus.ACCEPTED
        assert participant.booth is not None
    messages = _messages(response)
    assert messages[0] == str(matching_admin.DONE_COUNT.format(action="Diterima", count=2))
    assert str(matching_admin.NOT_AN_EXHIBITOR) in messages[1]


def test_accepting_beyond_capacity_accepts_none_of_the_selection(admin_client):
    event = event_create(exhibitor_capacity=1)
    applied = [exhibitor_create(event, status=ParticipantStatus.APPLIED) for _ in range(2)]
    response = _action(admin_client, "participant", "accept_selected", applied)
    assert _messages(response) == [str(services.CAPACITY_FULL.format(capacity=1))]
    assert not Participant.objects.filter(status=ParticipantStatus.ACCEPTED).exists()


def test_rejecting_asks_for_a_reason_first(admin_client, event):
    applied = exhibitor_create(event, status=ParticipantStatus.APPLIED)
    response = _action(admin_client, "participant", "reject_with_reason", [applied])
    assert response.templates[0].name == "admin/matching/reject_with_reason.html"
    assert applied.vendor.name in response.content.decode()
    applied.refresh_from_db()
    assert applied.status == ParticipantStatus.APPLIED


def test_rejecting_without_a_reason_shows_the_form_again(admin_client, event):
    applied = exhibitor_create(event, status=ParticipantStatus.APPLIED)
    response = _action(
        admin_client, "participant", "reject_with_reason", [applied], apply="1", reason=" "
    )
    assert response.context["form"].errors == {"reason": ["Tulis alasan penolakan."]}
    applied.refresh_from_db()
    assert applied.status == ParticipantStatus.APPLIED


def test_rejecting_with_a_reason_records_it(
    admin_client, event, exhibitor, django_capture_on_commit_callbacks
):
    applied = exhibitor_create(event, status=ParticipantStatus.APPLIED)
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(
            admin_client,
            "participant",
            "reject_with_reason",
            [applied, exhibitor],
            apply="1",
            reason="Produk belum sesuai tema pangan.",
        )
    applied.refresh_from_db()
    exhibitor.refresh_from_db()
    assert applied.status == ParticipantStatus.REJECTED
    assert applied.rejection_reason == "Produk belum sesuai tema pangan."
    assert exhibitor.status == ParticipantStatus.ACCEPTED  # not waiting: left alone
    assert _messages(response) == [str(matching_admin.DONE_COUNT.format(action="Ditolak", count=1))]


def test_rejecting_with_nothing_waiting_changes_nothing(admin_client, exhibitor):
    response = _action(admin_client, "participant", "reject_with_reason", [exhibitor])
    assert _messages(response) == [str(matching_admin.NOTHING_TO_REJECT)]


def test_withdrawing_a_participant_removes_its_meetings(admin_client, buyer, exhibitor):
    meeting = meeting_create(buyer, exhibitor)
    _action(admin_client, "participant", "withdraw_selected", [exhibitor])
    exhibitor.refresh_from_db()
    meeting.refresh_from_db()
    assert exhibitor.status == ParticipantStatus.WITHDRAWN
    assert meeting.status == MeetingStatus.REMOVED


def test_participants_are_searched_by_vendor_officer_and_opd(admin_client, buyer, exhibitor):
    url = _url("participant", "changelist")
    found = admin_client.get(url, {"q": exhibitor.vendor.name}).context["cl"].result_list
    assert list(found) == [exhibitor]
    found = admin_client.get(url, {"q": buyer.officer.opd.name}).context["cl"].result_list
    assert list(found) == [buyer]
    found = admin_client.get(url, {"kind__exact": "buyer"}).context["cl"].result_list
    assert list(found) == [buyer]


@pytest.mark.parametrize("rows", [2, 12])
def test_the_participant_list_runs_a_fixed_number_of_queries(
    admin_client, event, django_assert_num_queries, rows
):
    for _ in range(rows // 2):
        buyer_create(event)
        exhibitor_create(event)
    # 1 user, 2-3 the user's own and group permissions, 4 events (filter),
    # 5 OPDs (filter), 6 count of the filtered list (up to a limit; never of all rows),
    # 7 the page joined with its events, vendors, officers, users and OPDs.
    with django_assert_num_queries(7):
        response = admin_client.get(_url("participant", "changelist"))
    assert len(response.context["cl"].result_list) == rows


# Meetings -----------------------------------------------------------------------------------


def test_the_add_form_offers_only_accepted_participants(admin_client, event, buyer, exhibitor):
    waiting = exhibitor_create(event, status=ParticipantStatus.APPLIED)
    form = admin_client.get(_url("meeting", "add")).context["adminform"].form
    assert list(form.fields["buyer"].queryset) == [buyer]
    assert list(form.fields["exhibitor"].queryset) == [exhibitor]
    assert waiting not in form.fields["exhibitor"].queryset


def test_an_admin_adds_a_meeting_through_the_service(
    admin_client, admin_user, buyer, exhibitor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            _url("meeting", "add"),
            {"buyer": buyer.pk, "exhibitor": exhibitor.pk, "note": "Lewat telepon", "priority": 3},
            follow=True,
        )
    meeting = Meeting.objects.get()
    assert (meeting.status, meeting.requested_by) == (MeetingStatus.ACCEPTED, RequestedBy.ADMIN)
    assert (meeting.requested_by_user, meeting.priority) == (admin_user, 3)
    assert meeting.event_id == buyer.event_id
    assert response.redirect_chain[-1][0] == _url("meeting", "change", meeting.pk)
    assert str(matching_admin.MEETING_ADDED.format(meeting=meeting)) in _messages(response)


def test_adding_a_pair_that_already_meets_is_refused_and_keeps_the_choice(
    admin_client, buyer, exhibitor
):
    meeting_create(buyer, exhibitor, status=MeetingStatus.PENDING)
    response = admin_client.post(
        _url("meeting", "add"),
        {"buyer": buyer.pk, "exhibitor": exhibitor.pk, "note": "", "priority": 1},
        follow=True,
    )
    assert Meeting.objects.count() == 1
    assert _messages(response) == [str(services.PAIR_EXISTS)]
    form = response.context["adminform"].form
    assert form.initial["buyer"] == str(buyer.pk)
    assert form.initial["exhibitor"] == str(exhibitor.pk)


def test_a_meeting_across_two_events_is_refused_by_the_form(admin_client, buyer):
    other = event_create(name="Batch lain")
    stranger = exhibitor_create(other)
    response = admin_client.post(
        _url("meeting", "add"),
        {"buyer": buyer.pk, "exhibitor": stranger.pk, "note": "", "priority": 1},
    )
    assert response.status_code == 200
    assert str(matching_admin.TWO_EVENTS) in response.context["adminform"].form.non_field_errors()
    assert not Meeting.objects.exists()


def test_removing_takes_the_meeting_off_both_agendas(admin_client, event, buyer, exhibitor):
    meeting = meeting_create(buyer, exhibitor, slot=event.slots.first(), table=1)
    held = meeting_create(
        buyer_create(event), exhibitor, status=MeetingStatus.HELD, slot=event.slots.last()
    )
    response = _action(admin_client, "meeting", "remove_selected", [meeting, held])
    meeting.refresh_from_db()
    held.refresh_from_db()
    assert (meeting.status, meeting.slot, meeting.table) == (MeetingStatus.REMOVED, None, None)
    assert held.status == MeetingStatus.HELD
    messages = _messages(response)
    assert messages[0] == str(
        matching_admin.DONE_COUNT.format(action="Dihapus dari agenda", count=1)
    )
    assert str(services.NOT_PENDING) in messages[1]


def test_only_seated_meetings_are_locked(admin_client, event, buyer, exhibitor, other_buyer):
    seated = meeting_create(buyer, exhibitor, slot=event.slots.first(), table=1)
    waiting = meeting_create(other_buyer, exhibitor)
    response = _action(admin_client, "meeting", "lock_selected", [seated, waiting])
    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert seated.locked and not waiting.locked
    assert str(services.LOCK_NOT_SEATED) in _messages(response)[1]
    _action(admin_client, "meeting", "unlock_selected", [seated])
    seated.refresh_from_db()
    assert not seated.locked


def test_a_no_show_is_reopened_for_the_scheduler(admin_client, event, buyer, exhibitor):
    Event.objects.filter(pk=event.pk).update(status=EventStatus.RUNNING)
    missed = meeting_create(
        buyer, exhibitor, status=MeetingStatus.NO_SHOW, slot=event.slots.first(), locked=True
    )
    response = _action(admin_client, "meeting", "reopen_selected", [missed])
    missed.refresh_from_db()
    assert (missed.status, missed.slot, missed.table, missed.locked) == (
        MeetingStatus.ACCEPTED,
        None,
        None,
        False,
    )
    assert len(_messages(response)) == 1


def test_only_no_shows_are_reopened(admin_client, event, buyer, exhibitor):
    Event.objects.filter(pk=event.pk).update(status=EventStatus.RUNNING)
    held = meeting_create(buyer, exhibitor, status=MeetingStatus.HELD, slot=event.slots.first())
    response = _action(admin_client, "meeting", "reopen_selected", [held])
    held.refresh_from_db()
    assert held.status == MeetingStatus.HELD
    assert str(services.REOPEN_NOT_NO_SHOW) in _messages(response)[0]


def test_a_no_show_is_not_reopened_when_the_pair_meets_again(admin_client, event, buyer, exhibitor):
    Event.objects.filter(pk=event.pk).update(status=EventStatus.RUNNING)
    missed = meeting_create(
        buyer, exhibitor, status=MeetingStatus.NO_SHOW, slot=event.slots.first()
    )
    meeting_create(buyer, exhibitor)
    response = _action(admin_client, "meeting", "reopen_selected", [missed])
    missed.refresh_from_db()
    assert missed.status == MeetingStatus.NO_SHOW
    assert str(services.REOPEN_PAIR_TAKEN) in _messages(response)[0]


def test_the_change_form_lets_only_the_priority_change(admin_client, buyer, exhibitor):
    meeting = meeting_create(buyer, exhibitor)
    form = admin_client.get(_url("meeting", "change", meeting.pk)).context["adminform"].form
    assert list(form.fields) == ["priority"]


def test_the_meeting_list_says_why_a_meeting_has_no_slot(admin_client, buyer, exhibitor):
    meeting_create(buyer, exhibitor, unscheduled_reason="no_table")
    response = admin_client.get(_url("meeting", "changelist"), {"belum_terjadwal": "ya"})
    assert len(response.context["cl"].result_list) == 1
    assert "Semua meja sudah terpakai" in response.content.decode()


@pytest.mark.parametrize("rows", [2, 12])
def test_the_meeting_list_runs_a_fixed_number_of_queries(
    admin_client, event, django_assert_num_queries, rows
):
    slots = list(event.slots.all())
    for n in range(rows):
        meeting_create(buyer_create(event), exhibitor_create(event), slot=slots[n % 10], table=n)
    # 1 user, 2-3 the user's own and group permissions, 4 events (filter),
    # 5 count of the filtered list (up to a limit; never of all rows), 6 the page joined
    # with its event and slot, 7 its buyers with their officers, users and OPDs,
    # 8 its exhibitors with their vendors.
    with django_assert_num_queries(8):
        response = admin_client.get(_url("meeting", "changelist"))
    assert len(response.context["cl"].result_list) == rows
    html = response.content.decode()
    meeting = Meeting.objects.select_related("buyer__officer__user", "exhibitor__vendor").first()
    assert meeting.buyer.officer.user.full_name in html
    assert meeting.exhibitor.vendor.name in html


def _meetings_found(client, term: str) -> set:
    return set(client.get(_url("meeting", "changelist"), {"q": term}).context["cl"].result_list)


def test_meetings_are_searched_by_officer_opd_vendor_and_message(
    admin_client, event, buyer, exhibitor
):
    other_buyer, other_exhibitor = buyer_create(event), exhibitor_create(event)
    meeting = meeting_create(buyer, exhibitor, note="Mohon contoh anyaman rotan")
    other = meeting_create(other_buyer, other_exhibitor, note="")
    officer = buyer.officer
    assert _meetings_found(admin_client, officer.user.full_name) == {meeting}
    assert _meetings_found(admin_client, exhibitor.vendor.name) == {meeting}
    assert _meetings_found(admin_client, "ANYAMAN") == {meeting}
    assert meeting in _meetings_found(admin_client, officer.opd.name)
    assert other in _meetings_found(admin_client, other_exhibitor.vendor.name)
    assert _meetings_found(admin_client, "tidak ada yang cocok") == set()


@pytest.mark.parametrize("rows", [2, 12])
def test_a_meeting_search_runs_a_fixed_number_of_queries(
    admin_client, event, django_assert_num_queries, rows
):
    for _ in range(rows):
        meeting_create(buyer_create(event), exhibitor_create(event), note="Bahas seragam")
    # 1 user, 2-3 the user's own and group permissions, 4 events (filter), 5 the
    # participants whose officer's name holds the term, 6 those whose OPD's name or short
    # name does (one table, one query), 7 those whose vendor's name does, 8 count of the
    # meetings found (up to a limit), 9 the page joined with its event and slot, 10 its
    # buyers, 11 its exhibitors.
    with django_assert_num_queries(11):
        response = admin_client.get(_url("meeting", "changelist"), {"q": "seragam"})
    assert len(response.context["cl"].result_list) == rows


# Read-only records --------------------------------------------------------------------------


def test_suggestions_show_their_reasons_in_words(admin_client, one_of_each):
    html = admin_client.get(_url("suggestion", "changelist")).content.decode()
    assert "KBLI sama; usaha mikro atau kecil" in html


def test_an_outcome_shows_its_value_and_only_its_notes_may_change(admin_client, one_of_each):
    outcome = one_of_each["outcome"]
    assert "Rp15.000.000" in admin_client.get(_url("outcome", "changelist")).content.decode()
    form = admin_client.get(_url("outcome", "change", outcome.pk)).context["adminform"].form
    assert list(form.fields) == ["notes"]


def test_a_mistaken_check_in_may_be_deleted(admin_client, one_of_each):
    checkin = one_of_each["checkin"]
    response = admin_client.post(_url("checkin", "delete", checkin.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not CheckIn.objects.filter(pk=checkin.pk).exists()


def test_a_run_links_to_its_page(admin_client, one_of_each):
    run = one_of_each["schedulerun"]
    html = admin_client.get(_url("schedulerun", "changelist")).content.decode()
    assert reverse("matching:schedule-run", args=[run.event_id, run.pk]) in html


def test_the_admin_of_the_vendor_register_is_not_affected(admin_client):
    # The matching admin imports the vendors' history admin; both must still load.
    factories.VendorFactory()
    assert admin_client.get(reverse("admin:vendors_vendor_changelist")).status_code == 200
