"""Running an event as a Dinas PPKUKM admin: the dashboard and its workbook, the status
buttons, suggestions, and the scheduler's runs."""

import io
from collections import Counter
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from matching import selectors, services
from matching.models import Event, Meeting, MeetingStatus, RunStatus, ScheduleRun, Suggestion
from matching.rules import EventStatus
from matching.views import manage
from p3dn_portal.lib.confirm import CONFIRMED
from tests.matching.factories import buyer_create, event_create, exhibitor_create, meeting_create
from tests.matching.test_selectors import EXPECTED, hand_built_event
from tests.spreadsheets import FORMULA, assert_kept_as_text

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _urls(event, run) -> dict[str, str]:
    return {
        "manage": reverse("matching:manage", args=[event.pk]),
        "manage-xlsx": reverse("matching:manage-xlsx", args=[event.pk]),
        "schedule": reverse("matching:schedule", args=[event.pk]),
        "schedule-run": reverse("matching:schedule-run", args=[event.pk, run.pk]),
        "event-move": reverse("matching:event-move", args=[event.pk]),
        "suggestions-run": reverse("matching:suggestions-run", args=[event.pk]),
    }


GETS = ["manage", "manage-xlsx", "schedule", "schedule-run"]
POSTS = ["event-move", "suggestions-run", "schedule"]


@pytest.fixture
def run(event, admin_user):
    return ScheduleRun.objects.create(event=event, requested_by=admin_user)


# Who gets in -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", GETS)
def test_it_sends_anonymous_visitors_to_the_login_page(client, event, run, name):
    url = _urls(event, run)[name]
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", POSTS)
def test_anonymous_posts_change_nothing(client, event, run, name):
    response = client.post(_urls(event, run)[name], {"target": "scheduling"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    event.refresh_from_db()
    assert event.status == EventStatus.REGISTRATION
    assert ScheduleRun.objects.count() == 1


@pytest.mark.parametrize("who", ["vendor_owner", "officer"])
@pytest.mark.parametrize("name", GETS)
def test_vendors_and_officers_are_refused_the_pages(login, request, event, run, who, name):
    client = login(request.getfixturevalue(who))
    assert client.get(_urls(event, run)[name]).status_code == 403


@pytest.mark.parametrize("who", ["vendor_owner", "officer"])
@pytest.mark.parametrize("name", POSTS)
def test_vendors_and_officers_cannot_act(login, request, event, run, who, name):
    client = login(request.getfixturevalue(who))
    with_target = {"target": EventStatus.SCHEDULING}
    assert client.post(_urls(event, run)[name], with_target).status_code == 403
    event.refresh_from_db()
    assert event.status == EventStatus.REGISTRATION
    assert event.suggestions_computed_at is None
    assert ScheduleRun.objects.count() == 1


def test_an_unknown_event_is_not_found(login, admin_user):
    client = login(admin_user)
    assert client.get(reverse("matching:manage", args=[999999])).status_code == 404
    assert client.post(reverse("matching:event-move", args=[999999])).status_code == 404


def test_a_run_of_another_event_is_not_found(login, admin_user, run):
    other = event_create(name="Batch lain")
    client = login(admin_user)
    url = reverse("matching:schedule-run", args=[other.pk, run.pk])
    assert client.get(url).status_code == 404


def test_the_actions_accept_posts_only(login, admin_user, event):
    client = login(admin_user)
    assert client.get(reverse("matching:event-move", args=[event.pk])).status_code == 405
    assert client.get(reverse("matching:suggestions-run", args=[event.pk])).status_code == 405


# The dashboard -----------------------------------------------------------------------------


@pytest.fixture
def built():
    return hand_built_event()


def test_the_dashboard_shows_the_figures_counted_by_hand(login, admin_user, built):
    response = login(admin_user).get(reverse("matching:manage", args=[built.event.pk]))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert {key: getattr(figures, key) for key in EXPECTED} == EXPECTED
    html = response.content.decode()
    assert 'data-figure="requested">12<' in html
    assert 'data-figure="awarded">1<' in html
    assert 'data-figure="exhibitors_accepted">3<' in html
    assert "Rp130.000.001" in html  # 130,000,000.50 rounded half up to the rupiah
    assert [row.name for row in response.context["opd_rows"]] == ["Dinas A", "Dinas B"]
    assert "Dinas A" in html and built.e1.vendor.name in html


def test_the_dashboard_offers_the_moves_of_the_current_status(login, admin_user, built):
    response = login(admin_user).get(reverse("matching:manage", args=[built.event.pk]))
    assert response.context["transitions"] == [
        {"value": "closed", "label": EventStatus.CLOSED.label, "forward": True}
    ]
    html = response.content.decode()
    assert 'name="target" value="closed"' in html
    for name in ("checkin-desk", "table-sheet", "schedule", "manage-xlsx"):
        assert reverse(f"matching:{name}", args=[built.event.pk]) in html
    assert reverse("admin:matching_meeting_changelist") in html


def test_going_back_is_offered_as_a_secondary_move(login, admin_user, event):
    response = login(admin_user).get(reverse("matching:manage", args=[event.pk]))
    assert response.context["transitions"] == [
        {"value": "scheduling", "label": EventStatus.SCHEDULING.label, "forward": True},
        {"value": "draft", "label": EventStatus.DRAFT.label, "forward": False},
    ]


def _grow(event, n: int) -> None:
    """n more buyers of their own OPD and n more exhibitors, each pair with a meeting."""
    for _ in range(n):
        meeting_create(buyer_create(event), exhibitor_create(event), status=MeetingStatus.PENDING)


@pytest.mark.parametrize("extra", [0, 8])
def test_the_dashboard_runs_a_fixed_number_of_queries(
    login, admin_user, built, django_assert_num_queries, extra
):
    _grow(built.event, extra)
    client = login(admin_user)
    url = reverse("matching:manage", args=[built.event.pk])
    # 1 user, 2 event, 3 figures: participants, 4 figures: meetings,
    # 5 buyers per OPD, 6 meetings per OPD, 7 accepted exhibitors, 8 meetings per exhibitor,
    # 9 the latest schedule run, 10 the event's days (the navbar's unread count comes with 1).
    with django_assert_num_queries(10):
        response = client.get(url)
    assert response.context["figures"].requested == 12 + extra


# The workbook ------------------------------------------------------------------------------


def _sheet_rows(sheet) -> list[tuple]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_workbook_has_the_dashboards_figures(login, admin_user, built):
    client = login(admin_user)
    dashboard = client.get(reverse("matching:manage", args=[built.event.pk])).context["figures"]
    response = client.get(reverse("matching:manage-xlsx", args=[built.event.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == manage.XLSX
    assert response["Content-Disposition"].startswith('attachment; filename="temu-bisnis-')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Ringkasan", "Pertemuan", "Peserta"]
    summary = book["Ringkasan"]
    labels = {row.label: row.value for row in dashboard.summary_rows()}
    found = {}
    for label, value, *_rest in _sheet_rows(summary)[5 : 5 + len(labels)]:
        found[label] = value
    assert found == {
        label: (float(value) if isinstance(value, Decimal) else value)
        for label, value in labels.items()
    }
    value_row = next(r for r in summary.iter_rows(min_row=6) if r[0].value.startswith("Nilai"))
    assert value_row[1].number_format == '"Rp"#,##0'


def test_the_workbook_lists_every_meeting_with_its_outcome(login, admin_user, built):
    response = login(admin_user).get(reverse("matching:manage-xlsx", args=[built.event.pk]))
    book = load_workbook(io.BytesIO(response.content))
    rows = _sheet_rows(book["Pertemuan"])
    header, body = rows[0], [r for r in rows[1:] if any(r)]
    assert header[0] == "Sesi (WIB)" and header[-1] == "Dimenangkan peserta pameran"
    assert len(body) == 12
    m1 = built.meetings["m1"]
    first = body[0]
    assert first[0].strftime("%H:%M") == "09:00"  # Jakarta time, as on the agenda
    assert first[2] == m1.buyer.officer.user.full_name
    assert first[3] == "Dinas A"
    assert first[4] == m1.exhibitor.vendor.name
    awarded = [r for r in body if r[-1] == "Ya"]
    assert len(awarded) == 1 and awarded[0][8] == 100000000
    assert sum(r[8] or 0 for r in body) == pytest.approx(130000000.50)
    assert Counter(r[5] for r in body)[MeetingStatus.HELD.label] == 4


def test_the_workbook_lists_the_participants(login, admin_user, built):
    response = login(admin_user).get(reverse("matching:manage-xlsx", args=[built.event.pk]))
    rows = _sheet_rows(load_workbook(io.BytesIO(response.content))["Peserta"])
    body = [r for r in rows[1:] if any(r)]
    assert len(body) == built.event.participants.count() == 9
    names = {r[1] for r in body}
    assert built.e1.vendor.name in names and built.b1.name in names


# Moving the event --------------------------------------------------------------------------


def test_it_moves_the_event_forward(login, admin_user, event):
    client = login(admin_user)
    response = client.post(
        reverse("matching:event-move", args=[event.pk]), {"target": "scheduling"}, follow=True
    )
    event.refresh_from_db()
    assert event.status == EventStatus.SCHEDULING
    assert _messages(response) == [
        str(manage.EVENT_MOVED.format(status=EventStatus.SCHEDULING.label))
    ]


def test_publishing_mails_the_agendas(
    login, admin_user, event, buyer, exhibitor, django_capture_on_commit_callbacks
):
    event.status = EventStatus.SCHEDULING
    event.save(update_fields=["status"])
    client = login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("matching:event-move", args=[event.pk]),
            {"target": "published"} | CONFIRMED,
            follow=True,
        )
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    assert event.published_at is not None
    assert str(manage.AGENDAS_SENT) in _messages(response)
    recipients = {address for message in mail.outbox for address in message.to}
    assert buyer.officer.user.email in recipients


def test_closing_the_event_asks_first_and_says_what_will_happen(login, admin_user, event):
    Event.objects.filter(pk=event.pk).update(status=EventStatus.RUNNING)
    client = login(admin_user)
    url = reverse("matching:event-move", args=[event.pk])
    html = client.post(url, {"target": "closed"}).content.decode()
    for text in (
        manage.ASK_CLOSE_EVENT,
        manage.ASK_CLOSE_EVENT_REQUESTS,
        manage.ASK_CLOSE_EVENT_FINAL,
    ):
        assert str(text) in html
    assert 'name="target" value="closed"' in html and 'name="konfirmasi" value="ya"' in html
    assert Event.objects.get(pk=event.pk).status == EventStatus.RUNNING
    client.post(url, {"target": "closed"} | CONFIRMED)
    assert Event.objects.get(pk=event.pk).status == EventStatus.CLOSED


@pytest.mark.parametrize("target", ["", "terbang", "DRAFT"])
def test_an_unknown_target_changes_nothing(login, admin_user, event, target):
    response = login(admin_user).post(
        reverse("matching:event-move", args=[event.pk]), {"target": target}, follow=True
    )
    event.refresh_from_db()
    assert event.status == EventStatus.REGISTRATION
    assert _messages(response) == [str(manage.UNKNOWN_TARGET)]


def test_a_move_the_life_cycle_does_not_allow_changes_nothing(login, admin_user, event):
    response = login(admin_user).post(
        reverse("matching:event-move", args=[event.pk]), {"target": "running"}, follow=True
    )
    event.refresh_from_db()
    assert event.status == EventStatus.REGISTRATION
    assert _messages(response) == [
        str(
            services.WRONG_TRANSITION.format(
                current=EventStatus.REGISTRATION.label, target=EventStatus.RUNNING.label
            )
        )
    ]
    assert escape(_messages(response)[0]) in response.content.decode()


# Suggestions -------------------------------------------------------------------------------


def test_it_computes_the_suggestions(
    login, admin_user, event, buyer, exhibitor, django_capture_on_commit_callbacks
):
    client = login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matching:suggestions-run", args=[event.pk]), follow=True)
    event.refresh_from_db()
    assert event.suggestions_computed_at is not None
    assert Suggestion.objects.filter(need__participant=buyer, exhibitor=exhibitor).exists()
    assert _messages(response) == [str(manage.SUGGESTIONS_QUEUED)]


def test_suggestions_are_not_computed_for_a_draft(
    login, admin_user, django_capture_on_commit_callbacks
):
    draft = event_create(status=EventStatus.DRAFT)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = login(admin_user).post(
            reverse("matching:suggestions-run", args=[draft.pk]), follow=True
        )
    assert callbacks == []
    draft.refresh_from_db()
    assert draft.suggestions_computed_at is None
    assert _messages(response) == [
        str(manage.SUGGESTIONS_NOT_NOW.format(status=EventStatus.DRAFT.label))
    ]


# Scheduling --------------------------------------------------------------------------------


@pytest.fixture
def scheduling_event(db):
    """Three buyers and three exhibitors who all agreed to meet: nine meetings, two tables."""
    event = event_create(status=EventStatus.SCHEDULING, tables=2)
    buyers = [buyer_create(event) for _ in range(3)]
    exhibitors = [exhibitor_create(event) for _ in range(3)]
    for b in buyers:
        for e in exhibitors:
            meeting_create(b, e)
    return event


def test_the_scheduler_seats_every_agreed_meeting_without_double_booking(
    login, admin_user, scheduling_event, django_capture_on_commit_callbacks
):
    client = login(admin_user)
    url = reverse("matching:schedule", args=[scheduling_event.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"keep_current": ""})
    run = ScheduleRun.objects.get(event=scheduling_event)
    assert response.status_code == 302
    assert response.url == reverse("matching:schedule-run", args=[scheduling_event.pk, run.pk])
    assert run.status == RunStatus.DONE
    assert run.keep_current is False
    assert (run.requests, run.placed) == (9, 9)
    assert run.requested_by == admin_user
    meetings = list(Meeting.objects.filter(event=scheduling_event))
    assert all(m.slot_id and m.table in (1, 2) for m in meetings)
    for side in ("buyer_id", "exhibitor_id"):
        assert len({(m.slot_id, getattr(m, side)) for m in meetings}) == 9
    assert len({(m.slot_id, m.table) for m in meetings}) == 9
    page = client.get(response.url)
    assert page.context["left_out"] == []
    assert 'data-figure="placed">9 dari 9<' in page.content.decode()


def test_keeping_the_current_schedule_is_recorded_on_the_run(
    login, admin_user, scheduling_event, django_capture_on_commit_callbacks
):
    client = login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("matching:schedule", args=[scheduling_event.pk]), {"keep_current": "1"})
    assert ScheduleRun.objects.get(event=scheduling_event).keep_current is True


def test_the_scheduler_is_refused_before_the_scheduling_step(
    login, admin_user, event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(admin_user).post(
            reverse("matching:schedule", args=[event.pk]), {"keep_current": "1"}, follow=True
        )
    assert not ScheduleRun.objects.filter(event=event).exists()
    assert _messages(response) == [str(services.NOT_SCHEDULABLE)]


def test_the_schedule_page_says_why_meetings_have_no_slot(login, admin_user, built):
    ScheduleRun.objects.create(
        event=built.event,
        requested_by=admin_user,
        status=RunStatus.DONE,
        requests=3,
        placed=2,
        upper_bound=2,
        unscheduled={str(built.meetings["m12"].pk): "buyer_full"},
    )
    response = login(admin_user).get(reverse("matching:schedule", args=[built.event.pk]))
    assert response.status_code == 200
    reason = str(selectors.UNSCHEDULED_REASONS["buyer_full"])
    assert response.context["unscheduled"] == [(built.meetings["m12"], reason)]
    html = response.content.decode()
    assert escape(reason) in html
    assert "menempatkan 2 dari 3 pertemuan" in html
    assert "Paling banyak 2 pertemuan dapat ditempatkan oleh jadwal mana pun" in html
    assert 'data-figure="unscheduled">1<' in html


def test_the_run_page_lists_the_left_out_meetings_with_reasons(login, admin_user, built):
    run = ScheduleRun.objects.create(
        event=built.event,
        requested_by=admin_user,
        status=RunStatus.DONE,
        requests=1,
        unscheduled={str(built.meetings["m12"].pk): "no_slots_left"},
    )
    response = login(admin_user).get(
        reverse("matching:schedule-run", args=[built.event.pk, run.pk])
    )
    assert escape(str(selectors.UNSCHEDULED_REASONS["no_slots_left"])) in (
        response.content.decode()
    )


def test_a_pending_run_is_polled_by_htmx_until_it_is_done(login, admin_user, event, run):
    client = login(admin_user)
    url = reverse("matching:schedule-run", args=[event.pk, run.pk])
    page = client.get(url).content.decode()
    assert f'hx-get="{url}"' in page
    assert 'hx-get="' in client.get(reverse("matching:schedule", args=[event.pk])).content.decode()
    partial = client.get(url, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in partial.content.decode()
    assert "HX-Refresh" not in partial
    run.status = RunStatus.DONE
    run.save(update_fields=["status"])
    done = client.get(url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    assert "hx-get" not in done.content.decode()


def test_a_vendor_name_like_a_formula_stays_text_in_the_event_workbook(login, admin_user, built):
    vendor = built.e1.vendor
    type(vendor).objects.filter(pk=vendor.pk).update(name=FORMULA)
    response = login(admin_user).get(reverse("matching:manage-xlsx", args=[built.event.pk]))
    assert response.status_code == 200
    assert_kept_as_text(response.content)
