"""Demo business-matching events, made through the real services:

* Batch XIII, running (yesterday, today and tomorrow at Balai Kota): six exhibitors and six
  OPD buyers with their needs, suggestions computed, requests accepted, declined and still
  pending, one meeting added by the admin, a schedule run, and yesterday's meetings held
  (with statements of interest, one linked to a package the exhibitor won) or missed.
* Batch XIV, registration open: exhibitors waiting for a decision and one buyer.

Only what a real event does over weeks is compressed: the registration window is moved into
the past afterwards, and yesterday's check-ins and outcomes are recorded with yesterday's
times. Loading twice changes nothing."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from matching import selectors, services
from matching.models import (
    Event,
    EventBreak,
    EventDay,
    FollowUp,
    Meeting,
    Need,
    Participant,
    ScheduleRun,
)
from matching.rules import EventStatus
from procurement.models import Package

DOMAIN = "demo.p3dn.id"
RUNNING_EVENT = "Business Matching P3DN Batch XIII 2026"
OPEN_EVENT = "Business Matching P3DN Batch XIV 2026"


@dataclass(frozen=True)
class DemoNeed:
    officer: str  # email local part
    description: str
    kbli: str
    budget: int
    package: str = ""  # RUP code of a demo package of the officer's OPD


NEEDS = [
    DemoNeed(
        "ppk.disdik",
        "Meja dan kursi belajar siswa SD negeri, kayu jati, untuk 30 sekolah",
        "31001",
        1_200_000_000,
        "48210001",
    ),
    DemoNeed(
        "pptk.disdik", "Seragam batik guru dan seragam sekolah siswa KJP", "14111", 600_000_000
    ),
    DemoNeed(
        "ppk.dinkes",
        "Tempat tidur pasien dan kursi roda untuk puskesmas kecamatan",
        "32502",
        2_500_000_000,
        "48210004",
    ),
    DemoNeed("ppk.tarakan", "Kursi roda dan tempat tidur pasien rawat inap", "32502", 900_000_000),
    DemoNeed(
        "ppk.pasarminggu",
        "Makanan bergizi untuk pasien rawat inap: tempe, tahu dan kerupuk udang",
        "10792",
        150_000_000,
    ),
    DemoNeed(
        "ppk.ppkukm",
        "Konsumsi temu bisnis: olahan tempe dan kerupuk udang",
        "10792",
        120_000_000,
        "48210003",
    ),
]

EXHIBITORS = ["mebel", "batik", "tahu", "alkes", "udang", "tas"]

# (requester, other side, answer): answer "accept", "decline" or "" (still pending). The
# buyer is an officer's email local part, the exhibitor a vendor key of seeding.demo.
REQUESTS = [
    ("ppk.disdik", "mebel", "accept"),
    ("ppk.dinkes", "alkes", "accept"),
    ("ppk.ppkukm", "tahu", "accept"),
    ("ppk.pasarminggu", "udang", "accept"),
    ("pptk.disdik", "batik", "accept"),
    ("ppk.tarakan", "alkes", "accept"),
    ("tas", "pptk.disdik", "accept"),
    ("batik", "ppk.disdik", "accept"),
    ("ppk.ppkukm", "udang", "accept"),
    ("mebel", "ppk.tarakan", "decline"),
    ("ppk.disdik", "tas", "accept"),
    ("udang", "ppk.tarakan", "accept"),
    ("ppk.dinkes", "mebel", "accept"),
    ("tahu", "ppk.disdik", "accept"),
    ("ppk.pasarminggu", "tahu", ""),
    ("ppk.dinkes", "tas", ""),
]

# Yesterday's meetings, agreed for fixed times (slot index of the day, table) and locked;
# the scheduler places the others from today on.
YESTERDAY = {
    ("ppk.disdik", "mebel"): (0, 1),
    ("ppk.dinkes", "alkes"): (0, 2),
    ("ppk.ppkukm", "tahu"): (0, 3),
    ("ppk.pasarminggu", "udang"): (1, 1),
    ("pptk.disdik", "batik"): (1, 2),
    ("ppk.tarakan", "alkes"): (2, 1),
}
ABSENT_YESTERDAY = "ppk.tarakan"
NOT_YET_IN_TODAY = "ppk.ppkukm"  # the no-show job marks this buyer's missed meetings

# What came of yesterday's meetings: (interest, value, follow-up, package or order).
OUTCOMES = {
    ("ppk.disdik", "mebel"): (True, 1_150_000_000, FollowUp.PACKAGE, "48210001"),
    ("ppk.dinkes", "alkes"): (True, 2_175_000_000, FollowUp.PACKAGE, "48210004"),
    ("ppk.ppkukm", "tahu"): (True, 40_000_000, FollowUp.PACKAGE, "48210003"),
    ("ppk.pasarminggu", "udang"): (True, 68_000_000, FollowUp.CATALOGUE, "EKAT-2026-000731"),
    ("pptk.disdik", "batik"): (False, None, FollowUp.NONE, ""),
}

OPEN_EVENT_APPLICANTS = ["kemasan", "seragam", "lidahbuaya"]


def _user(local: str) -> User:
    return User.objects.select_related("officer__opd", "vendor_membership__vendor").get(
        email=f"{local}@{DOMAIN}"
    )


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), timezone.get_current_timezone())


def _event(
    name: str, *, venue: str, days: list[date], admin: User, registration_days: int
) -> Event:
    now = timezone.now()
    event = Event.objects.create(
        name=name,
        venue=venue,
        description=(
            "Temu bisnis antara pejabat pengadaan OPD, RSUD dan BUMD dengan produsen dalam "
            "negeri bersertifikat TKDN, dengan pameran produk UMKM."
        ),
        registration_opens_at=now - timedelta(days=2),
        registration_closes_at=now + timedelta(days=registration_days),
        slot_minutes=30,
        tables=8,
        exhibitor_capacity=24,
        created_by=admin,
    )
    for day in days:
        EventDay.objects.create(event=event, day=day, starts=time(9), ends=time(15))
    EventBreak.objects.create(event=event, label="Ishoma", starts=time(12), ends=time(13))
    return services.event_move(event=event, target=EventStatus.REGISTRATION, by=admin)


def _exhibit(event: Event, key: str) -> Participant:
    owner = _user(key)
    vendor = owner.vendor_membership.vendor
    products = list(selectors.exhibitable_products(vendor=vendor))
    return services.exhibitor_apply(
        event=event,
        vendor=vendor,
        by=owner,
        products=products,
        note=f"Kami membawa contoh {products[0].name.lower()} ke stan.",
    )


def _buyer(event: Event, demo: DemoNeed, today: date) -> Participant:
    user = _user(demo.officer)
    participant = services.buyer_register(event=event, officer=user.officer, by=user)
    package = (
        Package.objects.filter(opd=user.officer.opd, rup_code=demo.package).first()
        if demo.package
        else None
    )
    services.need_save(
        need=Need(
            participant=participant,
            description=demo.description,
            kbli=demo.kbli,
            estimated_budget=Decimal(demo.budget),
            fiscal_year=today.year,
            package=package,
        ),
        by=user,
    )
    return participant


def load() -> None:
    admin = User.objects.get(email=f"admin@{DOMAIN}")
    today = timezone.localdate()
    if not Event.objects.filter(name=RUNNING_EVENT).exists():
        _running_event(admin, today)
    if not Event.objects.filter(name=OPEN_EVENT).exists():
        _open_event(admin, today)


def _running_event(admin: User, today: date) -> None:
    yesterday = today - timedelta(days=1)
    event = _event(
        RUNNING_EVENT,
        venue="Balai Kota DKI Jakarta, Blok G",
        days=[yesterday, today, today + timedelta(days=1)],
        admin=admin,
        registration_days=1,
    )
    exhibitors = {key: _exhibit(event, key) for key in EXHIBITORS}
    services.exhibitors_decide(participants=list(exhibitors.values()), accept=True, by=admin)
    for participant in exhibitors.values():
        participant.refresh_from_db()
    buyers = {demo.officer: _buyer(event, demo, today) for demo in NEEDS}
    services.suggestions_compute(event_id=event.pk)

    meetings: dict[tuple[str, str], Meeting] = {}
    for requester, other, answer in REQUESTS:
        buyer_side = requester in buyers
        buyer = buyers[requester if buyer_side else other]
        exhibitor = exhibitors[other if buyer_side else requester]
        meeting = services.meeting_request(
            requester=buyer if buyer_side else exhibitor,
            other=exhibitor if buyer_side else buyer,
            by=_user(requester),
            note="Kami ingin membahas spesifikasi, harga dan jadwal pengiriman.",
            need=buyer.needs.first() if buyer_side else None,
        )
        if answer:
            meeting = services.meeting_respond(
                meeting=meeting,
                by=_user(other),
                accept=answer == "accept",
                note="" if answer == "accept" else "Kebutuhan kami sudah terpenuhi tahun ini.",
            )
        key = (requester, other) if buyer_side else (other, requester)
        meetings[key] = meeting
    meetings[("ppk.tarakan", "tahu")] = services.meeting_admin_add(
        buyer=buyers["ppk.tarakan"],
        exhibitor=exhibitors["tahu"],
        by=admin,
        note="Disepakati lewat telepon dengan Dinas PPKUKM.",
    )

    event = services.event_move(event=event, target=EventStatus.SCHEDULING, by=admin)
    first_slots = list(
        event.slots.filter(starts_at__gte=_at(yesterday, 0), starts_at__lt=_at(today, 0))
    )
    for pair, (slot_index, table) in YESTERDAY.items():
        # Agreed for a fixed time, as an admin locks it in the admin.
        Meeting.objects.filter(pk=meetings[pair].pk).update(
            slot=first_slots[slot_index], table=table, locked=True
        )
    run = services.schedule_request(event=event, by=admin, keep_current=False)
    # Here and now, as a worker would, after yesterday's sessions.
    services.schedule_execute(run_id=run.pk, now=_at(yesterday, 15, 30))
    ScheduleRun.objects.filter(pk=run.pk).update(
        requested_at=_at(yesterday, 15, 30),
        started_at=_at(yesterday, 15, 30),
        finished_at=_at(yesterday, 15, 31),
    )
    event = services.event_move(event=event, target=EventStatus.PUBLISHED, by=admin)
    event = services.event_move(event=event, target=EventStatus.RUNNING, by=admin)
    Event.objects.filter(pk=event.pk).update(
        registration_opens_at=_at(today - timedelta(days=30), 8),
        registration_closes_at=_at(today - timedelta(days=7), 17),
        published_at=_at(today - timedelta(days=5), 10),
    )

    # Fresh rows: the ones in hand still carry the event as it was at registration.
    fresh = Participant.objects.select_related("event").in_bulk(
        [p.pk for p in [*buyers.values(), *exhibitors.values()]]
    )
    everyone = [(key, fresh[p.pk]) for key, p in [*buyers.items(), *exhibitors.items()]]
    for key, participant in everyone:
        if key != ABSENT_YESTERDAY:
            services.check_in(participant=participant, by=admin, now=_at(yesterday, 8, 45))
    services.no_shows_mark(now=_at(yesterday, 15, 30))
    for pair, (interest, value, follow_up, ref) in OUTCOMES.items():
        meeting = Meeting.objects.select_related("slot").get(pk=meetings[pair].pk)
        buyer_user = _user(pair[0])
        services.outcome_record(
            meeting=meeting,
            by=buyer_user,
            held=True,
            interest=interest,
            estimated_value=Decimal(value) if value else None,
            products=list(meeting.exhibitor.products.all()),
            notes="Penyedia akan mengirim contoh produk dan penawaran harga.",
            follow_up=follow_up,
            catalogue_order_ref=ref if follow_up == FollowUp.CATALOGUE else "",
            package=Package.objects.filter(opd=buyer_user.officer.opd, rup_code=ref).first()
            if follow_up == FollowUp.PACKAGE
            else None,
            now=meeting.slot.ends_at,
        )
    this_morning = min(timezone.now(), _at(today, 8, 45))
    for key, participant in everyone:
        if key != NOT_YET_IN_TODAY:
            services.check_in(participant=participant, by=admin, now=this_morning)


def _open_event(admin: User, today: date) -> None:
    first = today + timedelta(days=30)
    event = _event(
        OPEN_EVENT,
        venue="Kantor Wali Kota Jakarta Timur",
        days=[first, first + timedelta(days=1)],
        admin=admin,
        registration_days=21,
    )
    for key in OPEN_EVENT_APPLICANTS:
        _exhibit(event, key)
    _buyer(
        event,
        DemoNeed(
            "ppk.binamarga", "Seragam lapangan dan sepatu kerja petugas PPSU", "14111", 350_000_000
        ),
        today,
    )
