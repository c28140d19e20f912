"""The event day through its pages: agendas (screen, print, calendar), outcomes, the
check-in desk, the hall's table sheet, and an admin's view of any participant's agenda."""

from datetime import timedelta
from decimal import Decimal

import icalendar
import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from matching import services
from matching.forms_event_day import (
    CATALOGUE_REF_REQUIRED,
    DAY_UNKNOWN,
    INTEREST_REQUIRED,
    PACKAGE_REQUIRED,
    PARTICIPANT_UNKNOWN,
    VALUE_WITHOUT_INTEREST,
)
from matching.models import (
    CheckIn,
    Event,
    FollowUp,
    Meeting,
    MeetingStatus,
    Outcome,
    Participant,
)
from matching.rules import EventStatus
from matching.views import event_day
from tests import factories
from tests.matching.factories import buyer_create, event_create, exhibitor_create, meeting_create

# --- Helpers -------------------------------------------------------------------------------


def _move(event: Event, status: str) -> Event:
    """Put the event in a status directly (the life cycle has its own tests)."""
    Event.objects.filter(pk=event.pk).update(status=status)
    event.refresh_from_db()
    return event


def _slots(event: Event) -> list:
    return list(event.slots.order_by("starts_at"))


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


@pytest.fixture
def meeting(buyer, exhibitor):
    """buyer and exhibitor meet in the event's first slot at table 2."""
    return meeting_create(buyer, exhibitor, slot=_slots(buyer.event)[0], table=2)


@pytest.fixture
def published(event):
    return _move(event, EventStatus.PUBLISHED)


@pytest.fixture
def no_role_user(db):
    return factories.UserFactory()


def _agenda_url(event: Event) -> str:
    return reverse("matching:agenda", args=[event.pk])


def _ics_url(event: Event) -> str:
    return reverse("matching:agenda-ics", args=[event.pk])


def _outcome_url(meeting: Meeting) -> str:
    return reverse("matching:outcome", args=[meeting.pk])


def _desk_url(event: Event) -> str:
    return reverse("matching:checkin-desk", args=[event.pk])


def _sheet_url(event: Event) -> str:
    return reverse("matching:table-sheet", args=[event.pk])


def _participant_agenda_url(participant) -> str:
    return reverse("matching:participant-agenda", args=[participant.event_id, participant.pk])


def _started(meeting: Meeting, minutes: int = 1):
    """Travel to `minutes` after the meeting's slot began."""
    return time_machine.travel(meeting.slot.starts_at + timedelta(minutes=minutes), tick=False)


# --- Who gets in ---------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_the_login_page(client, meeting):
    event = meeting.event
    for url in (
        _agenda_url(event),
        _ics_url(event),
        _outcome_url(meeting),
        _desk_url(event),
        _sheet_url(event),
        _participant_agenda_url(meeting.buyer),
    ):
        assert _is_login_redirect(client.get(url)), url
    assert _is_login_redirect(client.post(_desk_url(event), {"participant": meeting.buyer_id}))
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("who", ["vendor_owner", "officer", "no_role_user"])
def test_it_keeps_the_admin_pages_to_admins(request, login, meeting, who):
    client = login(request.getfixturevalue(who))
    event = meeting.event
    for url in (_desk_url(event), _sheet_url(event), _participant_agenda_url(meeting.buyer)):
        assert client.get(url).status_code == 403, url
    assert client.post(_desk_url(event), {"participant": meeting.buyer_id}).status_code == 403
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("who", ["admin_user", "outsider_vendor", "other_officer", "no_role_user"])
def test_the_agenda_and_calendar_are_404_for_anyone_not_taking_part(
    request, login, published, meeting, who
):
    client = login(request.getfixturevalue(who))
    assert client.get(_agenda_url(published)).status_code == 404
    assert client.get(_ics_url(published)).status_code == 404


def test_the_agenda_of_another_event_is_404(login, meeting):
    other = _move(event_create(name="Batch XII"), EventStatus.PUBLISHED)
    client = login(meeting.buyer.officer.user)
    assert client.get(_agenda_url(other)).status_code == 404


# --- The agenda ----------------------------------------------------------------------------


def test_a_buyer_reads_the_exhibitor_and_its_products_with_tkdn(login, officer, published, meeting):
    response = login(officer).get(_agenda_url(published))
    assert response.status_code == 200
    html = response.content.decode()
    exhibitor = meeting.exhibitor
    product = exhibitor.products.get()
    assert exhibitor.vendor.name in html
    assert f"{product.name} (TKDN 45,50%)" in html
    assert "09:00-09:30 WIB" in html
    assert "Meja 2" in html
    assert "Terjadwal" in html
    assert reverse("matching:agenda-ics", args=[published.pk]) in html
    [day] = response.context["agenda_days"]
    assert day.day == meeting.slot.starts_at.astimezone(timezone.get_default_timezone()).date()
    # Before the event runs there is no outcome to record.
    assert _outcome_url(meeting) not in html


def test_an_exhibitor_member_reads_the_buyer_opd_position_and_need(
    login, vendor_staff, published, meeting
):
    response = login(vendor_staff).get(_agenda_url(published))
    html = response.content.decode()
    officer = meeting.buyer.officer
    assert officer.user.full_name in html
    assert officer.opd.name in html
    assert "PPK (Pejabat Pembuat Komitmen)" in html
    assert "Kerupuk udang untuk konsumsi rapat" in html
    assert "Stan" not in response.context["agenda_days"][0].rows[0].place


def test_an_agenda_holds_only_the_participants_own_seated_meetings(
    login, officer, published, buyer, exhibitor, other_buyer, other_exhibitor
):
    slots = _slots(published)
    mine = meeting_create(buyer, exhibitor, slot=slots[0], table=1)
    meeting_create(other_buyer, exhibitor, slot=slots[1], table=1)
    gone = meeting_create(buyer, other_exhibitor, slot=slots[2], table=2)
    Meeting.objects.filter(pk=gone.pk).update(status=MeetingStatus.NO_SHOW)
    meeting_create(buyer, other_exhibitor, status=MeetingStatus.PENDING)
    response = login(officer).get(_agenda_url(published))
    rows = [row for day in response.context["agenda_days"] for row in day.rows]
    assert [(r.meeting.pk, r.status_label) for r in rows] == [
        (mine.pk, "Terjadwal"),
        (gone.pk, "Tidak hadir"),
    ]


def test_it_says_so_while_the_schedule_is_not_published(login, officer, event, meeting):
    _move(event, EventStatus.SCHEDULING)
    response = login(officer).get(_agenda_url(event))
    html = response.content.decode()
    assert response.status_code == 200
    assert str(event_day.AGENDA_NOT_PUBLISHED) in html
    assert meeting.exhibitor.vendor.name not in html
    assert response.context["agenda_days"] == []
    assert _ics_url(event) not in html


def test_a_buyer_gets_the_outcome_link_once_the_slot_began_while_running(
    login, officer, vendor_owner, published, meeting
):
    _move(published, EventStatus.RUNNING)
    with time_machine.travel(meeting.slot.starts_at - timedelta(minutes=1), tick=False):
        html = login(officer).get(_agenda_url(published)).content.decode()
        assert _outcome_url(meeting) not in html
    with _started(meeting):
        html = login(officer).get(_agenda_url(published)).content.decode()
        assert _outcome_url(meeting) in html
        assert "Catat hasil" in html
        # The exhibitor sees the meeting but records nothing.
        html = login(vendor_owner).get(_agenda_url(published)).content.decode()
        assert _outcome_url(meeting) not in html


def test_the_agenda_prints_with_its_header_and_no_buttons(login, officer, published, meeting):
    html = login(officer).get(_agenda_url(published)).content.decode()
    assert "css/print.css" in html
    assert '<header class="print-header mb-3">' in html
    assert "Balai Kota DKI Jakarta" in html
    assert meeting.buyer.officer.user.full_name in html
    assert 'class="d-flex flex-wrap gap-2 mb-3 d-print-none"' in html
    assert 'class="table table-sm align-middle table-cards"' in html


def _seat_many(event: Event, buyer, count: int) -> None:
    """`count` meetings for the buyer, each with a new exhibitor, in successive slots."""
    for slot in _slots(event)[:count]:
        meeting_create(buyer, exhibitor_create(event), slot=slot, table=1)


@pytest.mark.parametrize("count", [1, 5])
def test_a_buyers_agenda_runs_a_fixed_number_of_queries(
    login, officer, published, buyer, django_assert_num_queries, count
):
    _seat_many(published, buyer, count)
    client = login(officer)
    # 1 user (with its officer and vendor membership), 2 the participant with its event,
    # 3 the meetings with both sides, their slot, need and outcome, 4 the exhibitors'
    # products, 5 their valid TKDN certificates (the navbar's unread count comes with 1).
    with django_assert_num_queries(5):
        response = client.get(_agenda_url(published))
    assert sum(len(day.rows) for day in response.context["agenda_days"]) == count


@pytest.mark.parametrize("count", [1, 5])
def test_an_exhibitors_agenda_runs_a_fixed_number_of_queries(
    login, vendor_owner, published, exhibitor, django_assert_num_queries, count
):
    for slot in _slots(published)[:count]:
        meeting_create(buyer_create(published), exhibitor, slot=slot, table=1)
    client = login(vendor_owner)
    # 1 user (with its officer and vendor membership), 2 the participant with its event,
    # 3 the meetings with both sides, their slot, need and outcome, 4 the buyers'
    # needs (the navbar's unread count comes with 1).
    with django_assert_num_queries(4):
        response = client.get(_agenda_url(published))
    assert sum(len(day.rows) for day in response.context["agenda_days"]) == count


# --- The calendar file ---------------------------------------------------------------------


def test_the_calendar_has_one_event_per_scheduled_meeting(
    login, officer, settings, published, buyer, exhibitor, other_exhibitor
):
    settings.SITE_URL = "https://p3dn.jakarta.go.id"
    slots = _slots(published)
    first = meeting_create(buyer, exhibitor, slot=slots[0], table=2, note="Bawa katalog.")
    missed = meeting_create(buyer, other_exhibitor, slot=slots[6], table=1)
    Meeting.objects.filter(pk=missed.pk).update(status=MeetingStatus.NO_SHOW)
    response = login(officer).get(_ics_url(published))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="agenda-business-matching-p3dn-batch-xi.ics"'
    )
    calendar = icalendar.Calendar.from_ical(response.content)
    [entry] = calendar.walk("VEVENT")
    assert str(entry["UID"]) == f"temu-bisnis-pertemuan-{first.pk}@p3dn.jakarta.go.id"
    assert entry.decoded("DTSTART") == slots[0].starts_at
    assert entry.decoded("DTSTART").utcoffset() == timedelta(0)
    assert entry.decoded("DTEND") == slots[0].ends_at
    assert str(entry["LOCATION"]) == "Balai Kota DKI Jakarta, Meja 2"
    assert str(entry["SUMMARY"]) == (
        f"Temu bisnis: {exhibitor.vendor.name} (Business Matching P3DN Batch XI)"
    )
    description = str(entry["DESCRIPTION"])
    assert f"{exhibitor.products.get().name} (TKDN 45,50%)" in description
    assert "Pesan: Bawa katalog." in description


def test_the_calendar_keeps_its_uids_across_downloads(login, officer, published, meeting):
    client = login(officer)
    uids = [
        [
            str(e["UID"])
            for e in icalendar.Calendar.from_ical(client.get(_ics_url(published)).content).walk(
                "VEVENT"
            )
        ]
        for _ in range(2)
    ]
    assert uids[0] == uids[1] and str(meeting.pk) in uids[0][0]


def test_an_exhibitors_calendar_describes_the_buyer_and_need(
    login, vendor_owner, published, meeting
):
    response = login(vendor_owner).get(_ics_url(published))
    [entry] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    officer = meeting.buyer.officer
    assert officer.user.full_name in str(entry["SUMMARY"])
    assert officer.opd.name in str(entry["DESCRIPTION"])
    assert "Kerupuk udang untuk konsumsi rapat" in str(entry["DESCRIPTION"])


def test_there_is_no_calendar_before_the_schedule_is_published(login, officer, event, meeting):
    response = login(officer).get(_ics_url(event))
    assert response.status_code == 302
    assert response.url == _agenda_url(event)
    assert _messages(response) == [str(event_day.AGENDA_NOT_PUBLISHED)]


# --- Outcomes ------------------------------------------------------------------------------


@pytest.fixture
def running(published):
    return _move(published, EventStatus.RUNNING)


@pytest.fixture
def package(officer):
    return factories.PackageFactory(opd=officer.officer.opd, title="Pengadaan makanan rapat")


def _outcome_post(**fields) -> dict:
    data = {
        "held": "held",
        "interest": "yes",
        "estimated_value": "",
        "notes": "",
        "follow_up": FollowUp.NONE,
        "catalogue_order_ref": "",
        "package": "",
    }
    data.update(fields)
    return data


def test_a_vendor_cannot_record_an_outcome(login, vendor_owner, running, meeting):
    client = login(vendor_owner)
    with _started(meeting):
        assert client.get(_outcome_url(meeting)).status_code == 403
        assert client.post(_outcome_url(meeting), _outcome_post()).status_code == 403
    assert not Outcome.objects.exists()


def test_another_buyer_gets_404_for_a_meeting_not_theirs(
    login, other_officer, other_buyer, running, meeting
):
    client = login(other_officer)
    with _started(meeting):
        assert client.get(_outcome_url(meeting)).status_code == 404
        assert client.post(_outcome_url(meeting), _outcome_post()).status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.ACCEPTED
    assert not Outcome.objects.exists()


def test_a_user_without_a_role_cannot_record_an_outcome(login, no_role_user, running, meeting):
    with _started(meeting):
        assert login(no_role_user).get(_outcome_url(meeting)).status_code == 403


def test_the_outcome_page_explains_before_the_event_runs(login, officer, published, meeting):
    response = login(officer).get(_outcome_url(meeting))
    assert response.status_code == 200
    assert response.context["outcome_form"] is None
    assert str(services.NOT_ATTENDANCE_TIME) in response.content.decode()


def test_an_outcome_posted_before_the_slot_begins_is_refused(login, officer, running, meeting):
    client = login(officer)
    with time_machine.travel(meeting.slot.starts_at - timedelta(minutes=10), tick=False):
        assert client.get(_outcome_url(meeting)).context["outcome_form"] is None
        response = client.post(_outcome_url(meeting), _outcome_post())
    assert response.status_code == 200
    assert response.context["outcome_form"].non_field_errors() == [
        str(services.MEETING_NOT_STARTED)
    ]
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.ACCEPTED
    assert not Outcome.objects.exists()


def test_a_buyer_records_a_statement_of_interest_with_a_package(
    login, officer, running, meeting, package
):
    product = meeting.exhibitor.products.get()
    client = login(officer)
    with _started(meeting, minutes=20):
        form = client.get(_outcome_url(meeting)).context["outcome_form"]
        assert list(form.fields["package"].queryset) == [package]
        assert form.fields["products"].label_from_instance(product) == (
            f"{product.name} (TKDN 45,50%)"
        )
        response = client.post(
            _outcome_url(meeting),
            _outcome_post(
                estimated_value="Rp 150.000.000",
                products=[product.pk],
                notes="Minta contoh 5 kg.",
                follow_up=FollowUp.PACKAGE,
                package=package.pk,
            ),
        )
    assert response.status_code == 302
    assert response.url == _agenda_url(running)
    outcome = Outcome.objects.get(meeting=meeting)
    assert outcome.interest is True
    assert outcome.estimated_value == Decimal("150000000")
    assert list(outcome.products.all()) == [product]
    assert outcome.notes == "Minta contoh 5 kg."
    assert (outcome.follow_up, outcome.package) == (FollowUp.PACKAGE, package)
    assert outcome.recorded_by == officer
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert _messages(response) == [
        event_day.OUTCOME_SAVED.format(other=meeting.exhibitor.vendor.name)
    ]


def test_a_recorded_outcome_comes_back_in_the_form_and_can_be_changed(
    login, officer, running, meeting
):
    client = login(officer)
    with _started(meeting):
        client.post(
            _outcome_url(meeting),
            _outcome_post(follow_up=FollowUp.CATALOGUE, catalogue_order_ref=" EK-2024-001 "),
        )
        form = client.get(_outcome_url(meeting)).context["outcome_form"]
        assert form.initial["catalogue_order_ref"] == "EK-2024-001"
        assert form.initial["interest"] == "yes"
        client.post(_outcome_url(meeting), _outcome_post(interest="no"))
    outcome = Outcome.objects.get(meeting=meeting)
    assert (outcome.interest, outcome.follow_up, outcome.catalogue_order_ref) == (
        False,
        FollowUp.NONE,
        "",
    )
    html = client.get(_agenda_url(running)).content.decode()
    assert "Tidak menyatakan minat" in html


@pytest.mark.parametrize(
    ("fields", "field", "error"),
    [
        ({"interest": ""}, "interest", INTEREST_REQUIRED),
        (
            {"interest": "no", "estimated_value": "5.000.000"},
            "estimated_value",
            VALUE_WITHOUT_INTEREST,
        ),
        ({"estimated_value": "lima juta"}, "estimated_value", "Tulis angka saja"),
        ({"estimated_value": "-5"}, "estimated_value", "0"),
        ({"follow_up": FollowUp.CATALOGUE}, "catalogue_order_ref", CATALOGUE_REF_REQUIRED),
        ({"follow_up": FollowUp.PACKAGE}, "package", PACKAGE_REQUIRED),
        ({"held": "maybe"}, "held", "maybe"),
        ({"follow_up": "gift"}, "follow_up", "gift"),
    ],
)
def test_bad_outcome_input_is_explained_and_nothing_saved(
    login, officer, running, meeting, fields, field, error
):
    with _started(meeting):
        response = login(officer).post(_outcome_url(meeting), _outcome_post(**fields))
    assert response.status_code == 200
    assert str(error) in " ".join(response.context["outcome_form"].errors[field])
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.ACCEPTED
    assert not Outcome.objects.exists()


def test_a_package_of_another_opd_cannot_be_linked(login, officer, running, meeting):
    foreign = factories.PackageFactory()
    with _started(meeting):
        response = login(officer).post(
            _outcome_url(meeting), _outcome_post(follow_up=FollowUp.PACKAGE, package=foreign.pk)
        )
    assert response.status_code == 200
    assert response.context["outcome_form"].errors["package"]
    assert not Outcome.objects.exists()


def test_products_of_another_exhibitor_are_not_offered(
    login, officer, running, meeting, other_exhibitor
):
    foreign = other_exhibitor.products.get()
    with _started(meeting):
        response = login(officer).post(_outcome_url(meeting), _outcome_post(products=[foreign.pk]))
    assert "products" in response.context["outcome_form"].errors
    assert not Outcome.objects.exists()


def test_a_buyer_records_a_no_show_and_the_rest_is_ignored(login, officer, running, meeting):
    with _started(meeting):
        response = login(officer).post(
            _outcome_url(meeting), _outcome_post(held="no_show", interest="", estimated_value="x")
        )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.NO_SHOW
    assert not Outcome.objects.exists()
    assert _messages(response) == [
        event_day.NO_SHOW_SAVED.format(other=meeting.exhibitor.vendor.name)
    ]


def test_only_an_admin_corrects_a_no_show(login, officer, admin_user, running, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.NO_SHOW)
    with _started(meeting):
        response = login(officer).get(_outcome_url(meeting))
        assert response.context["outcome_form"] is None
        assert str(services.MEETING_NO_SHOW) in response.content.decode()
        response = login(admin_user).post(_outcome_url(meeting), _outcome_post(interest="no"))
    assert response.status_code == 302
    assert response.url == _participant_agenda_url(meeting.buyer)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert Outcome.objects.get(meeting=meeting).recorded_by == admin_user


# --- The check-in desk ---------------------------------------------------------------------


def _first_day(event: Event):
    return event.days.order_by("day").first().day


def _on_first_day(event: Event):
    """Travel to 08:00 on the first event day, an hour before the first meetings."""
    return time_machine.travel(_slots(event)[0].starts_at - timedelta(hours=1), tick=False)


def test_the_desk_says_so_when_the_event_is_not_running(login, admin_user, published, buyer):
    client = login(admin_user)
    with _on_first_day(published):
        response = client.get(_desk_url(published))
        assert response.context["desk_problem"] == services.CHECKIN_NOT_RUNNING
        assert str(services.CHECKIN_NOT_RUNNING) in response.content.decode()
        response = client.post(_desk_url(published), {"participant": buyer.pk})
    assert _messages(response) == [str(services.CHECKIN_NOT_RUNNING)]
    assert not CheckIn.objects.exists()


def test_the_desk_says_so_when_today_is_not_an_event_day(login, admin_user, running, buyer):
    client = login(admin_user)
    response = client.get(_desk_url(running))
    assert response.context["desk_problem"] == services.NOT_EVENT_DAY
    response = client.post(_desk_url(running), {"participant": buyer.pk})
    assert _messages(response) == [str(services.NOT_EVENT_DAY)]
    assert not CheckIn.objects.exists()


def test_the_admin_checks_a_participant_in_once_a_day(login, admin_user, running, buyer):
    client = login(admin_user)
    with _on_first_day(running):
        response = client.post(
            _desk_url(running), {"participant": buyer.pk, "q": "Uji"}, follow=True
        )
        assert response.redirect_chain == [(f"{_desk_url(running)}?q=Uji", 302)]
        checkin = CheckIn.objects.get()
        assert (checkin.participant, checkin.day, checkin.by) == (
            buyer,
            _first_day(running),
            admin_user,
        )
        assert _messages(response) == [event_day.CHECKED_IN.format(name=buyer.name, time="08:00")]
    with time_machine.travel(checkin.at + timedelta(minutes=30), tick=False):
        response = client.post(_desk_url(running), {"participant": buyer.pk}, follow=True)
        assert _messages(response) == [
            event_day.ALREADY_CHECKED_IN.format(name=buyer.name, time="08:00")
        ]
        assert CheckIn.objects.count() == 1
        html = client.get(_desk_url(running)).content.decode()
    assert "Hadir 08:00" in html
    assert "Sudah hadir hari ini: 1 (1 pembeli, 0 peserta pameran)" in html


@pytest.mark.parametrize("value", ["", "abc", "999999"])
def test_an_unknown_participant_is_explained_and_nothing_saved(login, admin_user, running, value):
    with _on_first_day(running):
        response = login(admin_user).post(_desk_url(running), {"participant": value})
    assert _messages(response) == [str(PARTICIPANT_UNKNOWN)]
    assert not CheckIn.objects.exists()


def test_a_participant_of_another_event_or_not_accepted_cannot_be_checked_in(
    login, admin_user, running
):
    other = exhibitor_create(_move(event_create(name="Batch XII"), EventStatus.RUNNING))
    waiting = exhibitor_create(running, status="applied")
    client = login(admin_user)
    with _on_first_day(running):
        for participant in (other, waiting):
            response = client.post(_desk_url(running), {"participant": participant.pk}, follow=True)
            assert _messages(response) == [str(PARTICIPANT_UNKNOWN)]
    assert not CheckIn.objects.exists()


def test_the_desk_searches_by_name_vendor_opd_and_booth(
    login, admin_user, running, buyer, exhibitor, other_buyer
):
    client = login(admin_user)

    def found(q):
        return [p.pk for p in client.get(_desk_url(running), {"q": q}).context["desk_page"]]

    assert found(buyer.officer.user.full_name[:6]) == [buyer.pk]
    assert found(exhibitor.vendor.name) == [exhibitor.pk]
    assert found(other_buyer.officer.opd.short_name) == [other_buyer.pk]
    # A number finds the booth (and any name that happens to contain it: factory names are
    # numbered, so the booth gets a number no name here contains).
    Participant.objects.filter(pk=exhibitor.pk).update(booth=7_531)
    assert found("7531") == [exhibitor.pk]
    assert found("tidak ada yang begini") == []
    assert set(found("")) == {buyer.pk, exhibitor.pk, other_buyer.pk}


def test_the_desk_lists_those_with_meetings_today_or_not_yet_arrived(
    login, admin_user, running, meeting, other_buyer
):
    client = login(admin_user)
    with _on_first_day(running):
        services.check_in(participant=meeting.buyer, by=admin_user)

        def listed(show):
            page = client.get(_desk_url(running), {"show": show}).context["desk_page"]
            return {p.pk for p in page}

        assert listed("today") == {meeting.buyer_id, meeting.exhibitor_id}
        assert listed("absent") == {meeting.exhibitor_id, other_buyer.pk}
        assert listed("nonsense") == {meeting.buyer_id, meeting.exhibitor_id, other_buyer.pk}


def test_the_desk_shows_todays_meetings_per_participant(login, admin_user, running, meeting):
    with _on_first_day(running):
        page = login(admin_user).get(_desk_url(running)).context["desk_page"]
    counts = {p.pk: (p.meetings_today, p.first_meeting_at) for p in page}
    assert counts[meeting.buyer_id] == (1, meeting.slot.starts_at)
    assert counts[meeting.exhibitor_id] == (1, meeting.slot.starts_at)


def test_with_htmx_the_desk_answers_with_its_results_only(login, admin_user, running, buyer):
    client = login(admin_user)
    with _on_first_day(running):
        response = client.post(
            _desk_url(running), {"participant": buyer.pk}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "<html" not in html
        assert "tercatat hadir" in html
        assert CheckIn.objects.count() == 1
        response = client.get(_desk_url(running), {"q": "xyz"}, headers={"HX-Request": "true"})
    assert "<html" not in response.content.decode()
    assert response.templates[0].name == "matching/agenda/checkin_results.html"
    assert "HX-Request" in response["Vary"]


def test_htmx_restoring_history_gets_the_whole_desk(login, admin_user, running):
    response = login(admin_user).get(
        _desk_url(running), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert response.templates[0].name == "matching/agenda/checkin_desk.html"


@pytest.mark.parametrize("count", [2, 8])
def test_the_desk_runs_a_fixed_number_of_queries(
    login, admin_user, running, django_assert_num_queries, count
):
    buyers = [buyer_create(running) for _ in range(count)]
    exhibitors = [exhibitor_create(running) for _ in range(count)]
    for n, slot in enumerate(_slots(running)[:count]):
        meeting_create(buyers[n], exhibitors[n], slot=slot, table=1)
    client = login(admin_user)
    with _on_first_day(running):
        for participant in buyers:
            services.check_in(participant=participant, by=admin_user)
        # 1 user, 2 the event, 3 its days, 4 count of the matching participants,
        # 5 the page of them with today's check-in and meetings (subqueries),
        # 6 today's check-in counts, 7 the latest check-ins with their participants
        # (the navbar's unread count comes with 1).
        with django_assert_num_queries(7):
            response = client.get(_desk_url(running))
    assert len(response.context["desk_page"]) == 2 * count
    assert len(response.context["desk_recent"]) == count


# --- The table sheet -----------------------------------------------------------------------


def test_the_sheet_puts_each_meeting_at_its_slot_and_table(
    login, admin_user, running, buyer, exhibitor, other_buyer, other_exhibitor
):
    slots = _slots(running)
    meeting_create(buyer, exhibitor, slot=slots[0], table=2)
    meeting_create(other_buyer, other_exhibitor, slot=slots[1], table=10)
    removed = meeting_create(buyer, other_exhibitor, slot=slots[2], table=1)
    Meeting.objects.filter(pk=removed.pk).update(status=MeetingStatus.NO_SHOW)
    response = login(admin_user).get(_sheet_url(running))
    assert response.status_code == 200
    sheet = response.context["sheet"]
    assert response.context["sheet_day"] == _first_day(running)
    assert [p.label for p in sheet.places] == [f"Meja {n}" for n in range(1, 11)]
    assert [row.time for row in sheet.rows] == [
        "09:00-09:30 WIB",
        "09:30-10:00 WIB",
        "10:30-11:00 WIB",
        "11:00-11:30 WIB",
        "11:30-12:00 WIB",
    ]
    assert sheet.rows[0].cells[1].buyer == buyer.name
    assert sheet.rows[0].cells[1].exhibitor == exhibitor.vendor.name
    assert sheet.rows[1].cells[9].buyer == other_buyer.name
    assert sheet.rows[2].cells == [None] * 10
    assert sheet.meetings == 2
    html = response.content.decode()
    assert 'class="print-landscape"' in html
    assert buyer.name in html


def test_the_sheet_shows_the_chosen_day(login, admin_user, running, buyer, exhibitor):
    slots = _slots(running)
    meeting_create(buyer, exhibitor, slot=slots[5], table=4)
    second = running.days.order_by("day")[1].day
    response = login(admin_user).get(_sheet_url(running), {"day": second.isoformat()})
    assert response.context["sheet_day"] == second
    assert response.context["sheet"].rows[0].cells[3].buyer == buyer.name


@pytest.mark.parametrize("value", ["kemarin", "2001-01-01", ""])
def test_a_bad_day_is_explained_and_the_first_day_shown(login, admin_user, running, value):
    response = login(admin_user).get(_sheet_url(running), {"day": value})
    assert response.status_code == 200
    assert response.context["day_form"].errors["day"] == [str(DAY_UNKNOWN)]
    assert response.context["sheet_day"] == _first_day(running)


def test_with_meetings_at_booths_the_sheet_has_a_column_per_booth(
    login, admin_user, running, buyer, exhibitor, other_exhibitor
):
    Event.objects.filter(pk=running.pk).update(booth_per_exhibitor=True)
    meeting_create(buyer, other_exhibitor, slot=_slots(running)[0], table=other_exhibitor.booth)
    sheet = login(admin_user).get(_sheet_url(running)).context["sheet"]
    assert [(p.label, p.exhibitor) for p in sheet.places] == [
        ("Stan 1", exhibitor.vendor.name),
        ("Stan 2", other_exhibitor.vendor.name),
    ]
    assert sheet.rows[0].cells[1].buyer == buyer.name


def test_an_event_without_days_has_no_sheet(login, admin_user):
    event = event_create(days=0)
    response = login(admin_user).get(_sheet_url(event))
    assert response.status_code == 200
    assert response.context["sheet"] is None
    assert _messages(response) == [str(event_day.NO_EVENT_DAYS)]


@pytest.mark.parametrize("count", [2, 8])
def test_the_sheet_runs_a_fixed_number_of_queries(
    login, admin_user, running, django_assert_num_queries, count
):
    for n, slot in enumerate(_slots(running)[:count]):
        meeting_create(buyer_create(running), exhibitor_create(running), slot=slot, table=n + 1)
    client = login(admin_user)
    day = _first_day(running).isoformat()
    # 1 user, 2 the event, 3 its days, 4 the day's slots, 5 the day's seated
    # meetings with both sides (the navbar's unread count comes with 1).
    with django_assert_num_queries(5):
        response = client.get(_sheet_url(running), {"day": day})
    assert response.context["sheet"].meetings == min(count, 5)


# --- An admin's view of a participant's agenda ---------------------------------------------


def test_an_admin_reads_any_participants_agenda(login, admin_user, running, meeting):
    client = login(admin_user)
    with _started(meeting):
        response = client.get(_participant_agenda_url(meeting.exhibitor))
        html = response.content.decode()
        assert meeting.buyer.officer.user.full_name in html
        # An admin records outcomes from either side's agenda.
        assert response.context["outcome_open"] == {meeting.pk}
        response = client.get(_participant_agenda_url(meeting.buyer))
    html = response.content.decode()
    assert meeting.exhibitor.vendor.name in html
    assert _outcome_url(meeting) in html
    assert _ics_url(running) not in html
    assert reverse("matching:table-sheet", args=[running.pk]) in html


def test_an_admin_reads_an_agenda_before_it_is_published(login, admin_user, event, meeting):
    _move(event, EventStatus.SCHEDULING)
    response = login(admin_user).get(_participant_agenda_url(meeting.buyer))
    html = response.content.decode()
    assert str(event_day.AGENDA_NOT_PUBLISHED_ADMIN) in html
    assert meeting.exhibitor.vendor.name in html


def test_a_participant_of_another_event_is_404_for_the_admin(login, admin_user, meeting):
    other = _move(event_create(name="Batch XII"), EventStatus.PUBLISHED)
    url = reverse("matching:participant-agenda", args=[other.pk, meeting.buyer_id])
    assert login(admin_user).get(url).status_code == 404


# --- No-shows, end to end ----------------------------------------------------------------


def test_a_meeting_whose_exhibitor_never_arrives_becomes_a_no_show(
    login, admin_user, officer, running, meeting
):
    admin = login(admin_user)
    with _started(meeting, minutes=-30):
        admin.post(_desk_url(running), {"participant": meeting.buyer_id})
    assert CheckIn.objects.filter(participant=meeting.buyer).exists()
    with _started(meeting, minutes=4):
        assert services.no_shows_mark() == []
    with _started(meeting, minutes=6):
        assert services.no_shows_mark() == [meeting.pk]
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.NO_SHOW
        html = login(officer).get(_agenda_url(running)).content.decode()
        assert "Tidak hadir" in html
        # The buyer can no longer record it; the admin can correct it.
        assert _outcome_url(meeting) not in html
        html = login(admin_user).get(_participant_agenda_url(meeting.buyer)).content.decode()
        assert _outcome_url(meeting) in html
        response = login(admin_user).post(_outcome_url(meeting), _outcome_post(interest="no"))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD


def test_a_meeting_both_sides_arrived_for_stays_on_the_agenda(login, admin_user, running, meeting):
    admin = login(admin_user)
    with _started(meeting, minutes=-30):
        for participant in (meeting.buyer, meeting.exhibitor):
            admin.post(_desk_url(running), {"participant": participant.pk})
    with _started(meeting, minutes=6):
        assert services.no_shows_mark() == []
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.ACCEPTED


def test_a_held_meeting_offers_the_buyer_a_package_from_it(db, login):
    event = event_create(status=EventStatus.RUNNING)
    buyer = buyer_create(event)
    meeting = meeting_create(
        buyer, exhibitor_create(event), slot=event.slots.first(), table=1, status="held"
    )
    link = reverse("matching:meeting-package", args=[meeting.pk])
    with time_machine.travel(meeting.slot.starts_at + timedelta(minutes=40)):
        page = login(buyer.officer.user).get(_outcome_url(meeting))
    assert link in page.content.decode()
