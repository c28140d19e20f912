"""A business-matching event from registration to outcome in a real browser, as the README
tells it: a Dinas PPKUKM admin (enrolling their authenticator at the first sign-in) opens
registration; a verified vendor applies to exhibit on a phone; an OPD officer registers as
a buyer and writes a need; the admin accepts the exhibitor in Django admin; the buyer asks
for a meeting and the exhibitor accepts; the admin runs the scheduler (on a real Celery
worker, its page following the run until it reloads with the result), publishes the
agendas and starts the event; on the day the admin checks both in at the door and the
buyer records the outcome, which the event's figures then show.

The clock is the event's: the test runs on the day before the event at 07:00 WIB until the
event starts, then moves to 09:05 on the event day, five minutes into the first meeting."""

import re
from base64 import b32encode
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from matching.models import Event, Meeting, MeetingStatus, Participant, ParticipantStatus
from matching.rules import EventStatus
from tests import factories
from tests.e2e.browser import login
from tests.matching.factories import event_create
from tests.otp import totp_now

pytestmark = pytest.mark.django_db(transaction=True)

JAKARTA = ZoneInfo("Asia/Jakarta")
EVENT = "Business Matching P3DN Batch XV"
VENDOR = "CV Kerupuk Udang Sari Laut"
PRODUCT = "Kerupuk Udang Premium Sari Laut"
BUYER = "Siti Rahmawati"
OPD = "RSUD Tarakan"
NEED = "Kerupuk udang untuk konsumsi pasien rawat inap"


def test_an_event_runs_from_registration_to_a_recorded_outcome(journey, worker):
    event_day = timezone.localdate() + timedelta(days=2)
    day_before = datetime.combine(event_day - timedelta(days=1), time(7), JAKARTA)
    with time_machine.travel(day_before, tick=True) as clock:
        event, admin, vendor_user, officer_user = _cast(event_day)

        staff = journey.open()
        _admin_enrols_and_opens_registration(journey, staff, admin, event)

        vendor = journey.open(phone=True)
        _vendor_applies_to_exhibit(journey, vendor, vendor_user, event)

        officer = journey.open()
        _officer_registers_as_buyer(journey, officer, officer_user, event)

        _admin_accepts_the_exhibitor(journey, staff, event)
        _buyer_requests_and_exhibitor_accepts(journey, officer, vendor, event)
        _admin_schedules_publishes_and_starts(journey, staff, vendor, event)

        clock.move_to(datetime.combine(event_day, time(9, 5), JAKARTA))
        _admin_checks_both_in(journey, staff, event)
        _buyer_records_the_outcome(journey, officer, event)
        _the_figures_show_it(journey, staff, event)
    journey.finish()


def _cast(event_day):
    event = event_create(
        status=EventStatus.DRAFT,
        days=1,
        first_day=event_day,
        tables=2,
        name=EVENT,
        venue="Balai Kota DKI Jakarta, Blok G",
    )
    admin = factories.AdminFactory(email="panitia@contoh.id", full_name="Ratna Sari")
    member = factories.VendorMemberFactory(vendor__name=VENDOR, user__email="sarilaut@contoh.id")
    product = factories.ProductFactory(vendor=member.vendor, name=PRODUCT, kbli="10792")
    factories.TKDNCertificateFactory(vendor=member.vendor, products=[product])
    officer = factories.OfficerFactory(
        user__email="siti.rsud@contoh.id",
        user__full_name=BUYER,
        opd__name=OPD,
        opd__short_name="RSUD-T",
    )
    return event, admin, member.user, officer.user


# --- Registration ---------------------------------------------------------------------------


def _admin_enrols_and_opens_registration(journey, page, admin, event) -> None:
    login(
        journey, page, admin.email, factories.PASSWORD, next_path=f"/temu-bisnis/{event.pk}/kelola/"
    )
    # No authenticator yet: the first sign-in enrols one (its key is on the page).
    assert "/akun/masuk/autentikator/" in page.url, page.url
    journey.step(page, "admin-enrols-authenticator")
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    secret = page.locator("main").inner_text()
    assert _grouped_base32(device.bin_key) in secret
    page.locator("#id_token").fill(totp_now(device))
    page.get_by_role("button", name="Konfirmasi dan masuk").click()
    expect(page.locator("h1")).to_contain_text(EVENT)
    journey.step(page, "event-dashboard-draft")
    page.get_by_role("button", name="Lanjut ke: Pendaftaran dibuka").click()
    expect(page.locator("main")).to_contain_text("Status acara sekarang: Pendaftaran dibuka.")
    journey.step(page, "registration-open")


def _grouped_base32(key: bytes) -> str:
    secret = b32encode(key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _vendor_applies_to_exhibit(journey, page, user, event) -> None:
    login(journey, page, user.email, factories.PASSWORD)
    journey.step(page, "vendor-home")
    page.goto(journey.url("/temu-bisnis/"))
    journey.step(page, "events")
    page.get_by_role("link", name=EVENT).click()
    journey.step(page, "vendor-event")
    page.get_by_role("link", name="Daftar sebagai peserta pameran").click()
    journey.step(page, "exhibitor-apply")
    page.get_by_label(PRODUCT).check()
    page.locator("textarea[name=note]").fill("Stan dekat pintu masuk bila bisa.")
    page.get_by_role("button", name="Kirim pendaftaran").click()
    expect(page.locator("main")).to_contain_text("Pendaftaran pameran terkirim.")
    expect(page.locator("main")).to_contain_text("Menunggu keputusan")
    journey.step(page, "exhibitor-applied")


def _officer_registers_as_buyer(journey, page, user, event) -> None:
    login(journey, page, user.email, factories.PASSWORD)
    journey.step(page, "officer-home")
    page.goto(journey.url(f"/temu-bisnis/{event.pk}/"))
    journey.step(page, "officer-event")
    page.get_by_role("button", name="Daftar sebagai pembeli").click()
    expect(page.locator("main")).to_contain_text("Anda terdaftar sebagai pembeli.")
    journey.step(page, "need-form")
    page.locator("#id_description").fill(NEED)
    page.locator("#id_kbli").fill("10792")
    page.locator("#id_estimated_budget").fill("150.000.000")
    page.get_by_role("button", name="Simpan kebutuhan").click()
    expect(page.locator("main")).to_contain_text("Kebutuhan disimpan.")
    expect(page.locator("main")).to_contain_text(NEED)
    journey.step(page, "buyer-participation")


def _admin_accepts_the_exhibitor(journey, page, event) -> None:
    page.goto(journey.url(f"/admin/matching/participant/?event__id__exact={event.pk}"))
    journey.step(page, "admin-participants")
    page.locator("#result_list tr").filter(has_text=VENDOR).locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label="Terima sebagai peserta pameran")
    page.locator("button[name=index]").click()
    expect(page.locator(".messagelist")).to_contain_text("Diterima: 1 data.")
    journey.step(page, "admin-exhibitor-accepted")
    exhibitor = Participant.objects.get(event=event, vendor__name=VENDOR)
    assert (exhibitor.status, exhibitor.booth) == (ParticipantStatus.ACCEPTED, 1)


# --- Meeting request and answer -------------------------------------------------------------------


def _buyer_requests_and_exhibitor_accepts(journey, officer, vendor, event) -> None:
    officer.goto(journey.url(f"/temu-bisnis/{event.pk}/peserta/"))
    journey.step(officer, "buyer-exhibitors")
    row = officer.locator("tr, .card, li").filter(has_text=VENDOR).last
    expect(row).to_contain_text(PRODUCT)
    row.locator("input[name=note]").fill("Kami butuh 2 ton per tahun untuk dapur RSUD.")
    row.get_by_role("button", name="Minta pertemuan").click()
    expect(officer.locator("main")).to_contain_text(f"Permintaan pertemuan dikirim ke {VENDOR}.")
    journey.step(officer, "meeting-requested")

    vendor.goto(journey.url(f"/temu-bisnis/{event.pk}/ikut/"))
    journey.step(vendor, "exhibitor-incoming-request")
    incoming = vendor.locator("form").filter(has=vendor.get_by_role("button", name="Setujui"))
    expect(incoming).to_have_count(1)
    incoming.get_by_role("button", name="Setujui").click()
    expect(vendor.locator("main")).to_contain_text("Permintaan disetujui.")
    journey.step(vendor, "exhibitor-accepted-request")
    assert Meeting.objects.get(event=event).status == MeetingStatus.ACCEPTED


# --- Schedule, publish, start ------------------------------------------------------------------


def _admin_schedules_publishes_and_starts(journey, page, vendor, event) -> None:
    dashboard = journey.url(f"/temu-bisnis/{event.pk}/kelola/")
    page.goto(dashboard)
    journey.step(page, "dashboard-registration")
    page.get_by_role("button", name="Lanjut ke: Penjadwalan").click()
    expect(page.locator("main")).to_contain_text("Status acara sekarang: Penjadwalan.")
    journey.step(page, "dashboard-scheduling")

    page.goto(journey.url(f"/temu-bisnis/{event.pk}/kelola/jadwal/"))
    journey.step(page, "schedule")
    # Another change of the event holds its row (as an admin saving its days would): the
    # run waits on the worker, and its page follows it until the row is let go.
    with transaction.atomic():
        Event.objects.select_for_update(no_key=True).get(pk=event.pk)
        page.get_by_role("button", name="Jalankan penjadwalan").click()
        progress = page.get_by_role("progressbar", name="Kemajuan penjadwalan")
        expect(progress).to_be_visible()
        with page.expect_response(re.compile(r"/kelola/jadwal/\d+/$")) as polled:
            pass
        assert polled.value.ok
        expect(page.locator(".run-status")).to_contain_text("Berjalan")
        journey.step(page, "schedule-run-progress")
    # Done: the page reloads itself with the figures.
    expect(page.locator("[data-figure=placed]")).to_have_text("1 dari 1", timeout=30_000)
    expect(progress).to_have_count(0)
    journey.step(page, "schedule-run")
    meeting = Meeting.objects.select_related("slot").get(event=event)
    assert meeting.slot is not None and meeting.table == 1
    assert timezone.localtime(meeting.slot.starts_at).time() == time(9)

    page.goto(dashboard)
    page.get_by_role("button", name="Lanjut ke: Jadwal diumumkan").click()
    expect(page.locator("h1")).to_have_text("Umumkan jadwal?")
    journey.step(page, "publish-asked")
    page.get_by_role("button", name="Ya, umumkan jadwal").click()
    expect(page.locator("main")).to_contain_text("Status acara sekarang: Jadwal diumumkan.")
    journey.step(page, "schedule-published")

    vendor.goto(journey.url(f"/temu-bisnis/{event.pk}/agenda/"))
    journey.step(vendor, "exhibitor-agenda")
    agenda = vendor.locator("main")
    expect(agenda).to_contain_text("09:00")
    expect(agenda).to_contain_text(OPD)

    page.get_by_role("button", name="Lanjut ke: Berlangsung").click()
    expect(page.locator("main")).to_contain_text("Status acara sekarang: Berlangsung.")
    journey.step(page, "event-running")


# --- The event day -------------------------------------------------------------------------------


def _admin_checks_both_in(journey, page, event) -> None:
    page.goto(journey.url(f"/temu-bisnis/{event.pk}/kelola/hadir/"))
    journey.step(page, "checkin-desk")
    for name in (VENDOR, BUYER):
        row = page.locator("#desk-results tr").filter(has_text=name)
        row.get_by_role("button", name="Catat hadir").click()
        expect(row.locator(".badge")).to_contain_text("Hadir 09:0")
    journey.step(page, "both-checked-in")


def _buyer_records_the_outcome(journey, page, event) -> None:
    page.goto(journey.url(f"/temu-bisnis/{event.pk}/agenda/"))
    journey.step(page, "buyer-agenda-event-day")
    page.get_by_role("link", name="Catat hasil").click()
    journey.step(page, "outcome-form")
    page.get_by_label("Terlaksana").check()
    page.get_by_label("Ya, pembeli menyatakan minat").check()
    page.get_by_label("Perkiraan nilai (Rp)").fill("150.000.000")
    page.get_by_label(PRODUCT, exact=False).check()
    page.get_by_label("Catatan").fill("Contoh produk diuji di dapur RSUD bulan depan.")
    page.get_by_role("button", name="Simpan hasil").click()
    expect(page.locator("main")).to_contain_text(f"Hasil pertemuan dengan {VENDOR} tersimpan.")
    journey.step(page, "outcome-recorded")
    meeting = Meeting.objects.select_related("outcome").get(event=event)
    assert meeting.status == MeetingStatus.HELD
    assert meeting.outcome.interest is True
    assert meeting.outcome.estimated_value == Decimal("150000000")


def _the_figures_show_it(journey, page, event) -> None:
    page.goto(journey.url(f"/temu-bisnis/{event.pk}/kelola/"))
    main = page.locator("main")
    expect(main).to_contain_text("Rp150.000.000")
    journey.step(page, "dashboard-figures")
