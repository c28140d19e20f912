"""Business-matching flows through the services: register, suggest, request, accept,
schedule, publish, check in, no-show, record outcome."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from matching import selectors, services
from matching.models import (
    CheckIn,
    Event,
    EventDay,
    FollowUp,
    Meeting,
    MeetingStatus,
    Need,
    Outcome,
    Participant,
    ParticipantStatus,
    RunStatus,
    Suggestion,
)
from matching.rules import EventStatus, Reason
from tests.factories import (
    HalalCertificateFactory,
    OfficerFactory,
    PackageFactory,
    ProductFactory,
    TKDNCertificateFactory,
    VendorMemberFactory,
)
from tests.matching.factories import buyer_create, event_create, exhibitor_create, meeting_create
from vendors.models import VendorStatus


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run the block and deliver what it queued on commit (mails go out after commit)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _status(event: Event, status: str) -> Event:
    Event.objects.filter(pk=event.pk).update(status=status)
    event.refresh_from_db()
    return event


class TestEventLifeCycle:
    def test_opening_registration_builds_the_slots(self, admin_user):
        event = event_create(status=EventStatus.DRAFT, days=1)
        event.slots.all().delete()
        services.event_move(event=event, target=EventStatus.REGISTRATION, by=admin_user)
        # 09:00-12:00, 30 minutes, break 10:00-10:30: 09:00 09:30 10:30 11:00 11:30.
        assert event.slots.count() == 5

    def test_an_event_without_days_cannot_open(self, admin_user):
        event = event_create(status=EventStatus.DRAFT, days=1)
        event.days.all().delete()
        with pytest.raises(
            ValidationError, match="Acara belum punya sesi pertemuan: isi hari acara dan jam"
        ) as error:
            services.event_move(event=event, target=EventStatus.REGISTRATION, by=admin_user)
        assert error.value.code == "no_slots"
        assert Event.objects.get(pk=event.pk).status == EventStatus.DRAFT

    def test_skipping_a_step_is_refused(self, event, admin_user):
        with pytest.raises(
            ValidationError, match="Acara berstatus Pendaftaran dibuka tidak dapat diubah"
        ) as error:
            services.event_move(event=event, target=EventStatus.RUNNING, by=admin_user)
        assert error.value.code == "wrong_transition"

    def test_rebuilding_slots_keeps_unavailability_on_unchanged_slots(self, event, buyer):
        first, second = event.slots.all()[:2]
        buyer.unavailable_slots.set([first, second])
        event.days.filter(day=event.days.last().day).delete()
        services.event_slots_rebuild(event=event)
        assert set(buyer.unavailable_slots.all()) == {first, second}
        assert event.slots.count() == 5

    def test_slots_cannot_change_once_meetings_are_seated(self, event, buyer, exhibitor):
        meeting_create(buyer, exhibitor, slot=event.slots.first(), table=1)
        with pytest.raises(
            ValidationError, match="Hari dan jam acara tidak dapat diubah lagi karena pertemuan"
        ):
            services.event_slots_rebuild(event=event)

    def test_publishing_mails_every_participant_their_agenda(
        self, event, buyer, exhibitor, admin_user, sent
    ):
        meeting_create(buyer, exhibitor, slot=event.slots.first(), table=3)
        event = _status(event, EventStatus.SCHEDULING)
        with sent():
            services.event_move(event=event, target=EventStatus.PUBLISHED, by=admin_user)
        assert {m.to[0] for m in mail.outbox} == {
            buyer.officer.user.email,
            exhibitor.vendor.members.get().user.email,
        }
        body = next(m.body for m in mail.outbox if m.to[0] == buyer.officer.user.email)
        assert exhibitor.vendor.name in body and "meja 3" in body
        assert Event.objects.get(pk=event.pk).published_at is not None

    def test_closing_expires_pending_requests(self, event, buyer, exhibitor, admin_user):
        pending = meeting_create(buyer, exhibitor, status=MeetingStatus.PENDING)
        event = _status(event, EventStatus.RUNNING)
        services.event_move(event=event, target=EventStatus.CLOSED, by=admin_user)
        pending.refresh_from_db()
        assert pending.status == MeetingStatus.EXPIRED


class TestExhibitors:
    def test_a_verified_vendor_applies_with_certified_products(self, event, vendor_owner):
        vendor = vendor_owner.vendor_membership.vendor
        certified = ProductFactory(vendor=vendor)
        TKDNCertificateFactory(vendor=vendor, products=[certified])
        uncertified = ProductFactory(vendor=vendor)
        participant = services.exhibitor_apply(
            event=event, vendor=vendor, by=vendor_owner, products=[certified, uncertified]
        )
        assert participant.status == ParticipantStatus.APPLIED
        assert list(participant.products.all()) == [certified]

    def test_only_uncertified_products_is_refused(self, event, vendor_owner):
        vendor = vendor_owner.vendor_membership.vendor
        with pytest.raises(
            ValidationError, match="Pilih paling sedikit satu produk Anda yang bersertifikat"
        ) as error:
            services.exhibitor_apply(
                event=event,
                vendor=vendor,
                by=vendor_owner,
                products=[ProductFactory(vendor=vendor)],
            )
        assert error.value.code == "no_certified_product"
        assert not Participant.objects.exists()

    def test_an_expired_certificate_does_not_count(self, event, vendor_owner):
        vendor = vendor_owner.vendor_membership.vendor
        item = ProductFactory(vendor=vendor)
        TKDNCertificateFactory(
            vendor=vendor,
            products=[item],
            issued_on=timezone.localdate() - timedelta(days=2000),
            expires_on=timezone.localdate() - timedelta(days=1),
        )
        assert not selectors.exhibitable_products(vendor=vendor).exists()

    def test_an_unverified_vendor_cannot_apply(self, event, vendor_owner):
        vendor = vendor_owner.vendor_membership.vendor
        vendor.status = VendorStatus.PENDING
        vendor.save()
        with pytest.raises(
            ValidationError, match="Hanya penyedia terverifikasi yang dapat ikut pameran"
        ) as error:
            services.exhibitor_apply(event=event, vendor=vendor, by=vendor_owner, products=[])
        assert error.value.code == "vendor_not_verified"

    def test_no_application_outside_the_registration_window(self, event, vendor_owner):
        Event.objects.filter(pk=event.pk).update(
            registration_closes_at=timezone.now() - timedelta(minutes=1),
            registration_opens_at=timezone.now() - timedelta(days=3),
        )
        event.refresh_from_db()
        with pytest.raises(
            ValidationError, match=r"Pendaftaran acara ini tidak sedang dibuka\. Lihat jadwal"
        ) as error:
            services.exhibitor_apply(
                event=event,
                vendor=vendor_owner.vendor_membership.vendor,
                by=vendor_owner,
                products=[],
            )
        assert error.value.code == "registration_closed"

    def test_accepting_up_to_capacity_numbers_booths(self, event, admin_user):
        Event.objects.filter(pk=event.pk).update(exhibitor_capacity=2)
        applied = [exhibitor_create(event, status=ParticipantStatus.APPLIED) for _ in range(3)]
        assert services.exhibitors_decide(participants=applied[:2], accept=True, by=admin_user) == 2
        assert [
            p.booth
            for p in Participant.objects.filter(pk__in=[a.pk for a in applied[:2]]).order_by("pk")
        ] == [1, 2]
        with pytest.raises(
            ValidationError, match=r"Kapasitas peserta pameran \(2\) sudah penuh"
        ) as error:
            services.exhibitors_decide(participants=applied[2:], accept=True, by=admin_user)
        assert error.value.code == "capacity"
        assert Participant.objects.get(pk=applied[2].pk).status == ParticipantStatus.APPLIED

    def test_acceptance_and_rejection_are_mailed(self, event, admin_user, sent):
        accepted = exhibitor_create(event, status=ParticipantStatus.APPLIED)
        rejected = exhibitor_create(event, status=ParticipantStatus.APPLIED)
        with sent():
            services.exhibitors_decide(participants=[accepted], accept=True, by=admin_user)
        with sent():
            services.exhibitors_decide(
                participants=[rejected], accept=False, by=admin_user, reason="Produk di luar tema."
            )
        assert "Diterima" in mail.outbox[0].subject
        assert "Produk di luar tema." in mail.outbox[1].body

    def test_rejection_needs_a_reason(self, event, admin_user):
        applied = exhibitor_create(event, status=ParticipantStatus.APPLIED)
        with pytest.raises(ValidationError, match="Tulis alasan penolakan"):
            services.exhibitors_decide(participants=[applied], accept=False, by=admin_user)
        assert Participant.objects.get(pk=applied.pk).status == ParticipantStatus.APPLIED


class TestBuyers:
    def test_an_officer_registers_and_is_accepted(self, event, officer):
        participant = services.buyer_register(event=event, officer=officer.officer, by=officer)
        assert participant.status == ParticipantStatus.ACCEPTED and participant.is_buyer

    def test_registering_twice_keeps_one_participation(self, event, officer):
        services.buyer_register(event=event, officer=officer.officer, by=officer)
        services.buyer_register(event=event, officer=officer.officer, by=officer)
        assert event.participants.count() == 1

    def test_a_need_linking_another_opds_package_is_refused(self, buyer, officer):
        need = buyer.needs.first()
        need.package = PackageFactory()
        with pytest.raises(ValidationError, match="Paket yang ditautkan harus paket OPD pembeli"):
            services.need_save(need=need, by=officer)

    def test_a_food_kbli_makes_the_need_food(self, buyer, officer):
        need = buyer.needs.first()
        need.kbli = "10792"
        services.need_save(need=need, by=officer)
        assert need.is_food

    def test_someone_elses_need_is_not_editable(self, buyer, other_officer):
        with pytest.raises(PermissionDenied, match=r"^$"):
            services.need_save(need=buyer.needs.first(), by=other_officer)


class TestSuggestions:
    def test_kbli_and_words_and_tiers_and_halal(self, event):
        buyer = buyer_create(
            event,
            description="Pengadaan kerupuk udang untuk konsumsi rapat",
            kbli="10792",
            is_food=True,
            estimated_budget=Decimal("100000"),
        )
        halal_kerupuk = exhibitor_create(event, name="Kerupuk Udang Sidoarjo")
        HalalCertificateFactory(
            vendor=halal_kerupuk.vendor, products=list(halal_kerupuk.products.all())
        )
        exhibitor_create(event, name="Kerupuk Bawang")  # no halal: not for a food need
        furniture = exhibitor_create(event, name="Meja rapat", kbli="31001", is_food=False)
        assert services.suggestions_compute(event_id=event.pk) == 1
        suggestion = Suggestion.objects.get()
        assert suggestion.exhibitor == halal_kerupuk
        assert suggestion.need.participant == buyer
        assert set(suggestion.reasons) >= {
            Reason.KBLI_SAME,
            Reason.TEXT,
            Reason.HALAL,
            Reason.BUDGET,
            Reason.TIER_T1,
            Reason.SMALL,
        }
        assert suggestion.text_rank > 0
        assert not Suggestion.objects.filter(exhibitor=furniture).exists()
        assert Event.objects.get(pk=event.pk).suggestions_computed_at is not None

    def test_words_in_indonesian_match_stemmed(self, event):
        buyer_create(event, description="Kursi kantor ergonomis", kbli="", is_food=False)
        chairs = exhibitor_create(
            event, name="Kursi Kerja", description="Kursi kantor dengan sandaran", kbli="31001"
        )
        services.suggestions_compute(event_id=event.pk)
        assert Suggestion.objects.get().exhibitor == chairs

    def test_a_shared_word_is_no_relation(self, event):
        # The demo's case: a teak school desk was suggested for batik school uniforms,
        # "uraian kebutuhan mirip dengan produk", for the one word "siswa".
        buyer_create(
            event,
            description="Seragam batik guru dan seragam sekolah siswa KJP",
            kbli="14111",
            is_food=False,
        )
        exhibitor_create(
            event,
            name="Meja belajar siswa kayu jati",
            description="Meja belajar siswa dari kayu jati",
            kbli="31001",
            is_food=False,
        )
        uniforms = exhibitor_create(
            event, name="Seragam batik ASN", description="Seragam batik", kbli="14111"
        )
        services.suggestions_compute(event_id=event.pk)
        assert [s.exhibitor for s in Suggestion.objects.all()] == [uniforms]

    def test_only_accepted_exhibitors_are_suggested(self, event, buyer):
        exhibitor_create(event, status=ParticipantStatus.APPLIED)
        assert services.suggestions_compute(event_id=event.pk) == 0

    def test_recomputing_replaces(self, event, buyer, exhibitor):
        services.suggestions_compute(event_id=event.pk)
        services.suggestions_compute(event_id=event.pk)
        assert Suggestion.objects.count() == 1


class TestRequests:
    def test_a_buyer_asks_and_the_exhibitor_accepts(
        self, buyer, exhibitor, officer, vendor_owner, sent
    ):
        with sent():
            meeting = services.meeting_request(
                requester=buyer,
                other=exhibitor,
                by=officer,
                note="Mohon bawa contoh.",
                need=buyer.needs.first(),
            )
        assert meeting.status == MeetingStatus.PENDING
        assert mail.outbox[-1].to == [vendor_owner.email]
        assert "Mohon bawa contoh." in mail.outbox[-1].body
        with sent():
            services.meeting_respond(meeting=meeting, by=vendor_owner, accept=True)
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.ACCEPTED
        assert mail.outbox[-1].to == [officer.email]

    def test_an_exhibitor_asks_and_the_buyer_declines(
        self, buyer, exhibitor, officer, vendor_staff
    ):
        meeting = services.meeting_request(requester=exhibitor, other=buyer, by=vendor_staff)
        services.meeting_respond(meeting=meeting, by=officer, accept=False, note="Belum perlu.")
        meeting.refresh_from_db()
        assert (meeting.status, meeting.response_note) == (MeetingStatus.DECLINED, "Belum perlu.")

    def test_the_requester_cannot_answer_its_own_request(self, buyer, exhibitor, officer):
        meeting = services.meeting_request(requester=buyer, other=exhibitor, by=officer)
        with pytest.raises(
            ValidationError, match="Permintaan ini menunggu jawaban pihak lain, bukan Anda"
        ) as error:
            services.meeting_respond(meeting=meeting, by=officer, accept=True)
        assert error.value.code == "not_your_turn"

    def test_an_outsider_cannot_answer(self, buyer, exhibitor, officer, outsider_vendor):
        meeting = services.meeting_request(requester=buyer, other=exhibitor, by=officer)
        with pytest.raises(PermissionDenied, match=r"^$"):
            services.meeting_respond(meeting=meeting, by=outsider_vendor, accept=True)

    def test_nobody_asks_on_someone_elses_behalf(self, buyer, exhibitor, other_officer):
        with pytest.raises(PermissionDenied, match=r"^$"):
            services.meeting_request(requester=buyer, other=exhibitor, by=other_officer)

    def test_one_request_per_pair(self, buyer, exhibitor, officer, vendor_owner):
        services.meeting_request(requester=buyer, other=exhibitor, by=officer)
        with pytest.raises(
            ValidationError, match="Pembeli dan peserta pameran ini sudah punya permintaan atau"
        ) as error:
            services.meeting_request(requester=exhibitor, other=buyer, by=vendor_owner)
        assert error.value.code == "pair_exists"

    def test_after_a_decline_the_pair_may_ask_again(self, buyer, exhibitor, officer, vendor_owner):
        first = services.meeting_request(requester=buyer, other=exhibitor, by=officer)
        services.meeting_respond(meeting=first, by=vendor_owner, accept=False)
        services.meeting_request(requester=buyer, other=exhibitor, by=officer)
        assert Meeting.objects.count() == 2

    def test_two_buyers_never_meet(self, buyer, other_buyer, officer):
        with pytest.raises(
            ValidationError, match="Pertemuan selalu antara pembeli dan peserta pameran"
        ) as error:
            services.meeting_request(requester=buyer, other=other_buyer, by=officer)
        assert error.value.code == "same_kind"

    def test_an_applied_exhibitor_cannot_be_asked_yet(self, event, buyer, officer):
        applied = exhibitor_create(event, status=ParticipantStatus.APPLIED)
        with pytest.raises(
            ValidationError, match="Peserta ini belum diterima di acara, jadi belum dapat"
        ) as error:
            services.meeting_request(requester=buyer, other=applied, by=officer)
        assert error.value.code == "not_accepted"

    def test_the_meeting_limit_holds(self, event, buyer, officer):
        Event.objects.filter(pk=event.pk).update(max_meetings_per_participant=2)
        for _ in range(2):
            services.meeting_request(requester=buyer, other=exhibitor_create(event), by=officer)
        with pytest.raises(
            ValidationError, match="sudah mencapai batas 2 pertemuan di acara ini"
        ) as error:
            services.meeting_request(requester=buyer, other=exhibitor_create(event), by=officer)
        assert error.value.code == "too_many_meetings"
        assert Meeting.objects.count() == 2

    def test_pending_requests_expire_and_both_sides_hear(self, buyer, exhibitor, officer, sent):
        meeting = services.meeting_request(requester=buyer, other=exhibitor, by=officer)
        mail.outbox.clear()
        later = timezone.now() + timedelta(hours=73)
        with sent():
            assert services.meetings_expire(now=later) == 1
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.EXPIRED
        assert len(mail.outbox) == 2

    def test_an_expired_request_cannot_be_accepted_before_the_job_runs(
        self, buyer, exhibitor, officer, vendor_owner
    ):
        meeting = services.meeting_request(requester=buyer, other=exhibitor, by=officer)
        later = timezone.now() + timedelta(hours=73)
        with (
            time_machine.travel(later),
            pytest.raises(
                ValidationError, match="Permintaan ini sudah dijawab atau tidak berlaku lagi"
            ) as error,
        ):
            services.meeting_respond(meeting=meeting, by=vendor_owner, accept=True)
        assert error.value.code == "not_pending"

    def test_withdrawing_frees_the_seat_and_tells_the_other_side(
        self, event, buyer, exhibitor, officer, vendor_owner, sent
    ):
        meeting = meeting_create(buyer, exhibitor, slot=event.slots.first(), table=1)
        with sent():
            services.meeting_withdraw(meeting=meeting, by=officer)
        meeting.refresh_from_db()
        assert (meeting.status, meeting.slot, meeting.table) == (
            MeetingStatus.WITHDRAWN,
            None,
            None,
        )
        assert [m.to for m in mail.outbox] == [[vendor_owner.email]]

    def test_admins_add_and_remove_meetings(self, buyer, exhibitor, admin_user, officer):
        meeting = services.meeting_admin_add(buyer=buyer, exhibitor=exhibitor, by=admin_user)
        assert meeting.status == MeetingStatus.ACCEPTED
        services.meeting_remove(meeting=meeting, by=admin_user)
        assert Meeting.objects.get().status == MeetingStatus.REMOVED
        with pytest.raises(PermissionDenied, match=r"^$"):
            services.meeting_admin_add(buyer=buyer, exhibitor=exhibitor, by=officer)


def _accepted_pairs(event, buyers: int, exhibitors: int) -> list[Meeting]:
    sellers = [exhibitor_create(event) for _ in range(exhibitors)]
    meetings = []
    for _ in range(buyers):
        participant = buyer_create(event)
        meetings += [meeting_create(participant, seller) for seller in sellers]
    return meetings


class TestScheduling:
    def test_every_meeting_is_seated_without_clashes(self, event, admin_user):
        # 5 slots; each participant has at most 4 meetings; 12 meetings at 3 tables.
        Event.objects.filter(pk=event.pk).update(tables=3)
        event = _status(event, EventStatus.SCHEDULING)
        event.days.last().delete()
        event.slots.filter(starts_at__date__gt=event.days.first().day).delete()
        _accepted_pairs(event, buyers=3, exhibitors=4)
        run = services.schedule_request(event=event, by=admin_user)
        run = services.schedule_execute(run_id=run.pk)
        assert (run.status, run.requests, run.placed, run.upper_bound) == (
            RunStatus.DONE,
            12,
            12,
            12,
        )
        seated = list(Meeting.objects.filter(slot__isnull=False))
        assert len(seated) == 12
        for key in ("buyer_id", "exhibitor_id"):
            pairs = [(getattr(m, key), m.slot_id) for m in seated]
            assert len(pairs) == len(set(pairs))
        assert len({(m.slot_id, m.table) for m in seated}) == 12
        assert all(1 <= m.table <= 3 for m in seated)

    def test_unavailability_is_respected_and_reasons_kept(self, event, admin_user):
        event = _status(event, EventStatus.SCHEDULING)
        (meeting,) = _accepted_pairs(event, buyers=1, exhibitors=1)
        meeting.buyer.unavailable_slots.set(event.slots.all())
        run = services.schedule_execute(
            run_id=services.schedule_request(event=event, by=admin_user).pk
        )
        meeting.refresh_from_db()
        assert meeting.slot is None and meeting.unscheduled_reason
        assert run.unscheduled == {str(meeting.pk): meeting.unscheduled_reason}
        assert run.upper_bound == 0

    def test_booths_replace_tables(self, event, admin_user):
        Event.objects.filter(pk=event.pk).update(booth_per_exhibitor=True, tables=1)
        event = _status(event, EventStatus.SCHEDULING)
        meetings = _accepted_pairs(event, buyers=2, exhibitors=2)
        services.schedule_execute(run_id=services.schedule_request(event=event, by=admin_user).pk)
        for meeting in Meeting.objects.select_related("exhibitor"):
            assert meeting.table == meeting.exhibitor.booth
        assert Meeting.objects.filter(slot__isnull=False).count() == len(meetings)

    def test_a_rerun_during_the_event_keeps_the_past_and_locked(self, event, admin_user):
        event = _status(event, EventStatus.RUNNING)
        slots = list(event.slots.all())
        buyer = buyer_create(event)
        sellers = [exhibitor_create(event) for _ in range(3)]
        past = meeting_create(buyer, sellers[0], slot=slots[0], table=1)
        locked = meeting_create(buyer, sellers[1], slot=slots[4], table=2, locked=True)
        waiting = meeting_create(buyer, sellers[2])
        run = services.schedule_request(event=event, by=admin_user)
        services.schedule_execute(run_id=run.pk, now=slots[1].starts_at + timedelta(minutes=1))
        past.refresh_from_db()
        locked.refresh_from_db()
        waiting.refresh_from_db()
        assert (past.slot, past.table) == (slots[0], 1)
        assert (locked.slot, locked.table) == (slots[4], 2)
        assert waiting.slot in slots[2:] and waiting.slot != slots[4]

    def test_keep_current_only_places_waiting_meetings(self, event, admin_user):
        event = _status(event, EventStatus.SCHEDULING)
        buyer = buyer_create(event)
        sellers = [exhibitor_create(event) for _ in range(2)]
        slots = list(event.slots.all())
        seated = meeting_create(buyer, sellers[0], slot=slots[3], table=7)
        waiting = meeting_create(buyer, sellers[1])
        run = services.schedule_request(event=event, by=admin_user, keep_current=True)
        services.schedule_execute(run_id=run.pk)
        seated.refresh_from_db()
        waiting.refresh_from_db()
        assert (seated.slot, seated.table) == (slots[3], 7)
        assert waiting.slot is not None and waiting.slot != slots[3]

    def test_scheduling_is_for_admins_in_the_right_status(self, event, admin_user, officer):
        with pytest.raises(
            ValidationError, match="Penjadwalan hanya dapat dijalankan saat acara berstatus"
        ):
            services.schedule_request(event=event, by=admin_user)
        with pytest.raises(PermissionDenied, match=r"^$"):
            services.schedule_request(event=_status(event, EventStatus.SCHEDULING), by=officer)

    def test_a_finished_run_is_not_run_again(self, event, admin_user):
        event = _status(event, EventStatus.SCHEDULING)
        run = services.schedule_request(event=event, by=admin_user)
        first = services.schedule_execute(run_id=run.pk)
        again = services.schedule_execute(run_id=run.pk)
        assert again.finished_at == first.finished_at


@pytest.fixture
def running(event, buyer, exhibitor):
    """The event's first day, 09:00 Jakarta; one meeting in the first slot at table 1."""
    event = _status(event, EventStatus.RUNNING)
    slot = event.slots.first()
    meeting = meeting_create(buyer, exhibitor, slot=slot, table=1)
    with time_machine.travel(slot.starts_at - timedelta(minutes=30), tick=False):
        yield meeting


class TestAtTheEvent:
    def test_check_in_once_a_day(self, running, admin_user):
        first = services.check_in(participant=running.buyer, by=admin_user)
        again = services.check_in(participant=running.buyer, by=admin_user)
        assert first == again and CheckIn.objects.count() == 1

    def test_check_in_only_on_event_days(self, running, admin_user):
        EventDay.objects.filter(event=running.event).update(starts=time(9))
        earlier = timezone.now() - timedelta(days=3)
        with (
            time_machine.travel(earlier, tick=False),
            pytest.raises(
                ValidationError, match="Hari ini bukan hari acara; kehadiran dicatat pada hari"
            ) as error,
        ):
            services.check_in(participant=running.buyer, by=admin_user)
        assert error.value.code == "not_event_day"

    def test_check_in_is_for_admins(self, running, officer):
        with pytest.raises(PermissionDenied, match=r"^$"):
            services.check_in(participant=running.buyer, by=officer)

    def test_no_show_five_minutes_after_the_start(self, running, admin_user, sent):
        services.check_in(participant=running.buyer, by=admin_user)
        start = running.slot.starts_at
        assert services.no_shows_mark(now=start + timedelta(minutes=4, seconds=59)) == []
        with sent():
            assert services.no_shows_mark(now=start + timedelta(minutes=5)) == [running.pk]
        running.refresh_from_db()
        assert running.status == MeetingStatus.NO_SHOW
        assert running.exhibitor.vendor.name in mail.outbox[0].body

    def test_both_present_is_not_a_no_show(self, running, admin_user):
        services.check_in(participant=running.buyer, by=admin_user)
        services.check_in(participant=running.exhibitor, by=admin_user)
        assert services.no_shows_mark(now=running.slot.starts_at + timedelta(minutes=10)) == []

    def test_a_no_show_frees_the_table_for_another_meeting(self, running, event, admin_user):
        services.no_shows_mark(now=running.slot.starts_at + timedelta(minutes=5))
        other = meeting_create(
            buyer_create(event), exhibitor_create(event), slot=running.slot, table=1
        )
        assert other.pk

    def test_the_buyer_records_the_outcome(self, running, officer):
        package = PackageFactory(opd=officer.officer.opd)
        product = running.exhibitor.products.get()
        with time_machine.travel(running.slot.starts_at + timedelta(minutes=20), tick=False):
            outcome = services.outcome_record(
                meeting=running,
                by=officer,
                held=True,
                interest=True,
                estimated_value=Decimal("150000000"),
                products=[product, ProductFactory()],
                follow_up=FollowUp.PACKAGE,
                package=package,
            )
        running.refresh_from_db()
        assert running.status == MeetingStatus.HELD
        assert (outcome.estimated_value, outcome.package) == (Decimal("150000000"), package)
        assert list(outcome.products.all()) == [product]

    def test_no_outcome_before_the_slot_starts(self, running, officer):
        with pytest.raises(
            ValidationError, match="Hasil pertemuan dapat dicatat setelah sesinya dimulai"
        ) as error:
            services.outcome_record(meeting=running, by=officer, held=True)
        assert error.value.code == "not_started"

    def test_the_exhibitor_and_other_buyers_do_not_record(
        self, running, vendor_owner, other_officer
    ):
        for user in (vendor_owner, other_officer):
            with pytest.raises(PermissionDenied, match=r"^$"):
                services.outcome_record(meeting=running, by=user, held=True)

    def test_a_package_of_another_opd_is_refused(self, running, officer):
        during = running.slot.starts_at + timedelta(minutes=20)
        with (
            time_machine.travel(during, tick=False),
            pytest.raises(ValidationError, match="Paket yang ditautkan harus paket OPD pembeli"),
        ):
            services.outcome_record(
                meeting=running,
                by=officer,
                held=True,
                interest=True,
                follow_up=FollowUp.PACKAGE,
                package=PackageFactory(),
            )
        assert not Outcome.objects.exists()
        assert Meeting.objects.get(pk=running.pk).status == MeetingStatus.ACCEPTED

    def test_a_catalogue_follow_up_needs_its_reference(self, running, officer):
        during = running.slot.starts_at + timedelta(minutes=20)
        with (
            time_machine.travel(during, tick=False),
            pytest.raises(ValidationError, match="outcome_catalogue_has_ref"),
        ):
            services.outcome_record(
                meeting=running,
                by=officer,
                held=True,
                interest=True,
                follow_up=FollowUp.CATALOGUE,
            )
        assert not Outcome.objects.exists()

    def test_an_admin_corrects_a_no_show_to_held(self, running, admin_user):
        services.no_shows_mark(now=running.slot.starts_at + timedelta(minutes=5))
        with time_machine.travel(running.slot.starts_at + timedelta(minutes=20), tick=False):
            services.outcome_record(meeting=running, by=admin_user, held=True, interest=False)
        assert Meeting.objects.get(pk=running.pk).status == MeetingStatus.HELD


def test_a_withdrawing_participant_calls_off_its_meetings(event, buyer, exhibitor, officer):
    meeting = meeting_create(buyer, exhibitor)
    services.participant_withdraw(participant=buyer, by=officer)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.WITHDRAWN
    assert Participant.objects.get(pk=buyer.pk).status == ParticipantStatus.WITHDRAWN


def test_a_vendor_member_acts_for_its_company(event, exhibitor, buyer, vendor_staff, officer):
    meeting = services.meeting_request(requester=buyer, other=exhibitor, by=officer)
    services.meeting_respond(meeting=meeting, by=vendor_staff, accept=True)
    assert Meeting.objects.get().status == MeetingStatus.ACCEPTED


def test_officer_of_the_buyer_only(event, buyer):
    stranger = OfficerFactory(opd=buyer.officer.opd).user
    with pytest.raises(PermissionDenied, match=r"^$"):
        services.need_save(need=buyer.needs.first(), by=stranger)


def test_member_factory_is_verified():
    assert VendorMemberFactory.build().vendor.status == VendorStatus.VERIFIED


def test_stale_schedule_runs_go_back_to_the_queue(event, admin_user):
    event = _status(event, EventStatus.SCHEDULING)
    meeting = meeting_create(buyer_create(event), exhibitor_create(event))
    run = services.schedule_request(event=event, by=admin_user)  # broker "down": never sent
    assert services.schedule_runs_requeue() == []  # not stale yet
    later = timezone.now() + timedelta(minutes=3)
    assert services.schedule_runs_requeue(now=later) == [run.pk]  # tasks run eagerly here
    run.refresh_from_db()
    meeting.refresh_from_db()
    assert run.status == RunStatus.DONE and meeting.slot is not None


class TestGuards:
    def test_availability_is_fixed_once_the_event_runs(self, event, buyer, officer):
        _status(event, EventStatus.RUNNING)
        with pytest.raises(
            ValidationError, match="Ketersediaan tidak dapat diubah lagi setelah jadwal"
        ) as error:
            services.unavailability_set(participant=buyer, slots=event.slots.all(), by=officer)
        assert error.value.code == "availability_locked"
        assert not buyer.unavailable_slots.exists()

    def test_no_withdrawing_after_the_event_closed(self, event, buyer, exhibitor, officer):
        meeting = meeting_create(buyer, exhibitor)
        _status(event, EventStatus.CLOSED)
        with pytest.raises(
            ValidationError, match="Acara sudah selesai; tidak ada lagi yang dapat diubah"
        ):
            services.meeting_withdraw(meeting=meeting, by=officer)
        with pytest.raises(
            ValidationError, match="Acara sudah selesai; tidak ada lagi yang dapat diubah"
        ):
            services.participant_withdraw(participant=buyer, by=officer)
        assert Meeting.objects.get().status == MeetingStatus.ACCEPTED

    def test_withdrawing_twice_is_refused(self, buyer, officer):
        services.participant_withdraw(participant=buyer, by=officer)
        with pytest.raises(
            ValidationError, match="Anda sudah tidak terdaftar di acara ini"
        ) as error:
            services.participant_withdraw(participant=buyer, by=officer)
        assert error.value.code == "not_participating"

    def test_lapsed_requests_do_not_count_against_the_limit(self, event, buyer, officer):
        Event.objects.filter(pk=event.pk).update(max_meetings_per_participant=1)
        services.meeting_request(requester=buyer, other=exhibitor_create(event), by=officer)
        with time_machine.travel(timezone.now() + timedelta(hours=73)):
            services.meeting_request(requester=buyer, other=exhibitor_create(event), by=officer)
        assert Meeting.objects.count() == 2


class TestLateArrival:
    def test_arriving_within_the_slot_revives_the_no_show(self, running, admin_user):
        services.check_in(participant=running.buyer, by=admin_user)
        start = running.slot.starts_at
        services.no_shows_mark(now=start + timedelta(minutes=5))
        services.check_in(
            participant=running.exhibitor, by=admin_user, now=start + timedelta(minutes=8)
        )
        running.refresh_from_db()
        assert running.status == MeetingStatus.ACCEPTED

    def test_arriving_after_the_slot_does_not(self, running, admin_user):
        services.check_in(participant=running.buyer, by=admin_user)
        services.no_shows_mark(now=running.slot.starts_at + timedelta(minutes=5))
        services.check_in(participant=running.exhibitor, by=admin_user, now=running.slot.ends_at)
        assert Meeting.objects.get(pk=running.pk).status == MeetingStatus.NO_SHOW

    def test_not_when_the_table_was_given_away(self, running, event, admin_user):
        services.check_in(participant=running.buyer, by=admin_user)
        start = running.slot.starts_at
        services.no_shows_mark(now=start + timedelta(minutes=5))
        meeting_create(buyer_create(event), exhibitor_create(event), slot=running.slot, table=1)
        services.check_in(
            participant=running.exhibitor, by=admin_user, now=start + timedelta(minutes=8)
        )
        assert Meeting.objects.get(pk=running.pk).status == MeetingStatus.NO_SHOW


class TestAfterPublication:
    def test_a_no_show_keeps_its_outcome_to_bring_back(self, running, officer, admin_user):
        during = running.slot.starts_at + timedelta(minutes=20)
        with time_machine.travel(during, tick=False):
            services.outcome_record(
                meeting=running,
                by=officer,
                held=True,
                interest=True,
                estimated_value=Decimal("5000000"),
            )
            services.outcome_record(meeting=running, by=officer, held=False)
            assert Outcome.objects.get().estimated_value == Decimal("5000000")
            services.outcome_record(
                meeting=running,
                by=admin_user,
                held=True,
                interest=True,
                estimated_value=Decimal("5000000"),
            )
        assert Meeting.objects.get(pk=running.pk).status == MeetingStatus.HELD

    def test_bulk_accept_leaves_rejected_and_withdrawn_alone(self, event, admin_user):
        rejected = exhibitor_create(event, status=ParticipantStatus.APPLIED)
        services.exhibitors_decide(
            participants=[rejected], accept=False, by=admin_user, reason="Di luar tema."
        )
        withdrawn = exhibitor_create(event, status=ParticipantStatus.WITHDRAWN)
        waiting = exhibitor_create(event, status=ParticipantStatus.APPLIED)
        decided = services.exhibitors_decide(
            participants=[rejected, withdrawn, waiting], accept=True, by=admin_user
        )
        assert decided == 1
        statuses = dict(Participant.objects.values_list("pk", "status"))
        assert statuses == {
            rejected.pk: ParticipantStatus.REJECTED,
            withdrawn.pk: ParticipantStatus.WITHDRAWN,
            waiting.pk: ParticipantStatus.ACCEPTED,
        }

    def test_a_rerun_mails_only_those_whose_agenda_changed(self, event, admin_user, sent):
        event = _status(event, EventStatus.PUBLISHED)
        buyer = buyer_create(event)
        seated_exhibitor, waiting_exhibitor = exhibitor_create(event), exhibitor_create(event)
        meeting_create(buyer, seated_exhibitor, slot=event.slots.first(), table=1)
        meeting_create(buyer_create(event), waiting_exhibitor)
        run = services.schedule_request(event=event, by=admin_user, keep_current=True)
        mail.outbox.clear()
        with sent():
            services.schedule_execute(run_id=run.pk)
        told = {m.to[0] for m in mail.outbox}
        assert waiting_exhibitor.vendor.members.get().user.email in told
        assert seated_exhibitor.vendor.members.get().user.email not in told
        assert buyer.officer.user.email not in told

    def test_availability_is_fixed_once_published(self, event, buyer, officer):
        _status(event, EventStatus.PUBLISHED)
        with pytest.raises(
            ValidationError, match="Ketersediaan tidak dapat diubah lagi setelah jadwal"
        ):
            services.unavailability_set(participant=buyer, slots=event.slots.all(), by=officer)


class TestEventSettings:
    def test_tables_cannot_shrink_under_seated_meetings(self, event, buyer, exhibitor):
        meeting_create(buyer, exhibitor, slot=event.slots.first(), table=4)
        event.tables = 3
        with pytest.raises(ValidationError, match="Sudah ada pertemuan terjadwal di meja") as error:
            event.full_clean()
        assert "tables" in error.value.message_dict
        event.tables = 4
        event.full_clean()

    def test_tables_cannot_become_booths_once_seated(self, event, buyer, exhibitor):
        meeting_create(buyer, exhibitor, slot=event.slots.first(), table=1)
        event.booth_per_exhibitor = True
        with pytest.raises(
            ValidationError, match="Pertemuan sudah dijadwalkan di meja atau stan; cara ini"
        ) as error:
            event.full_clean()
        assert "booth_per_exhibitor" in error.value.message_dict

    def test_zero_tables_is_a_field_error(self, event):
        event.tables = 0
        with pytest.raises(
            ValidationError, match="Pastikan nilai ini lebih besar dari atau sama dengan"
        ) as error:
            event.full_clean()
        assert "tables" in error.value.message_dict


def test_saving_a_need_suggests_for_it_alone(
    event, buyer, exhibitor, other_buyer, officer, django_capture_on_commit_callbacks
):
    Need.objects.update(is_food=True)
    services.suggestions_compute(event_id=event.pk)  # food needs, no halal product: none
    assert not Suggestion.objects.exists()
    event.refresh_from_db()
    computed_at = event.suggestions_computed_at
    HalalCertificateFactory(vendor=exhibitor.vendor, products=list(exhibitor.products.all()))
    others = Suggestion.objects.filter(need__participant=other_buyer).count()
    need = buyer.needs.get()
    need.description = "Kerupuk udang premium untuk jamuan tamu"
    with django_capture_on_commit_callbacks(execute=True):
        services.need_save(need=need, by=officer)
    assert Suggestion.objects.filter(need=need, exhibitor=exhibitor).exists()
    assert Suggestion.objects.filter(need__participant=other_buyer).count() == others
    assert Event.objects.get(pk=event.pk).suggestions_computed_at == computed_at


def test_an_admin_taking_a_participant_out_removes_its_meetings(
    event, buyer, exhibitor, admin_user
):
    meeting = meeting_create(buyer, exhibitor)
    services.participant_withdraw(participant=exhibitor, by=admin_user)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.REMOVED
