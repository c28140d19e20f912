"""Business matching (temu bisnis) rules as pure functions: the event's life cycle, its
time slots, and how well a product answers a buyer's need. No ORM, no I/O."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vendors.rules import Tier

NO_SHOW_GRACE = timedelta(minutes=5)


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    REGISTRATION = "registration", _("Pendaftaran dibuka")
    SCHEDULING = "scheduling", _("Penjadwalan")
    PUBLISHED = "published", _("Jadwal diumumkan")
    RUNNING = "running", _("Berlangsung")
    CLOSED = "closed", pgettext_lazy("status acara", "Selesai")


# status -> the statuses it may move to, in the order the admin meets them.
EVENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    EventStatus.DRAFT: (EventStatus.REGISTRATION,),
    EventStatus.REGISTRATION: (EventStatus.SCHEDULING, EventStatus.DRAFT),
    EventStatus.SCHEDULING: (EventStatus.PUBLISHED, EventStatus.REGISTRATION),
    EventStatus.PUBLISHED: (EventStatus.RUNNING, EventStatus.SCHEDULING),
    EventStatus.RUNNING: (EventStatus.CLOSED,),
    EventStatus.CLOSED: (),
}

# Participants may register (exhibitors apply, buyers sign up) in these statuses.
REGISTRATION_STATES = frozenset({EventStatus.REGISTRATION})
# Meetings may be requested and answered until the event closes.
REQUEST_STATES = frozenset(
    {EventStatus.REGISTRATION, EventStatus.SCHEDULING, EventStatus.PUBLISHED, EventStatus.RUNNING}
)
# The scheduler may run while scheduling, and again during the event for waiting requests.
SCHEDULE_STATES = frozenset({EventStatus.SCHEDULING, EventStatus.PUBLISHED, EventStatus.RUNNING})
# Participants see their agendas once the schedule is published.
AGENDA_STATES = frozenset({EventStatus.PUBLISHED, EventStatus.RUNNING, EventStatus.CLOSED})
# Check-in and outcomes happen at the event.
ATTENDANCE_STATES = frozenset({EventStatus.RUNNING, EventStatus.CLOSED})


def can_move(current: str, target: str) -> bool:
    return target in EVENT_TRANSITIONS.get(current, ())


# --- Time slots -------------------------------------------------------------------------


@dataclass(frozen=True)
class DayHours:
    day: date
    starts: time
    ends: time


@dataclass(frozen=True)
class Break:
    starts: time
    ends: time


def slot_times(
    days: Iterable[DayHours], *, minutes: int, breaks: Iterable[Break], tz: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """The meeting slots of an event, in order: each day from its start, one slot every
    `minutes`, a slot overlapping a break moved to the break's end, none running past the
    day's end. Times are local to the venue (`tz`) and returned aware."""
    if minutes < 1:
        raise ValueError("A meeting lasts at least one minute.")
    length = timedelta(minutes=minutes)
    breaks = sorted(breaks, key=lambda b: b.starts)
    result = []
    for day in sorted(days, key=lambda d: d.day):
        start = datetime.combine(day.day, day.starts, tz)
        end_of_day = datetime.combine(day.day, day.ends, tz)
        while start + length <= end_of_day:
            clash = next(
                (
                    b
                    for b in breaks
                    if start < datetime.combine(day.day, b.ends, tz)
                    and datetime.combine(day.day, b.starts, tz) < start + length
                ),
                None,
            )
            if clash is not None:
                start = datetime.combine(day.day, clash.ends, tz)
                continue
            result.append((start, start + length))
            start += length
    return result


# --- A meeting's phase ---------------------------------------------------------------------


class MeetingPhase(models.TextChoices):
    """How an agreed meeting reads to its participants: its status and where its slot is
    in time (a meeting whose slot is over is no longer simply "agreed")."""

    AGREED = "agreed", _("Disetujui")
    UPCOMING = "upcoming", _("Terjadwal")
    UNDERWAY = "underway", _("Sedang berlangsung")
    AWAITING_OUTCOME = "awaiting_outcome", _("Sesi selesai, menunggu hasil")
    HELD = "held", _("Terlaksana")
    NO_SHOW = "no_show", _("Tidak hadir")


def meeting_phase(
    *, status: str, starts_at: datetime | None, ends_at: datetime | None, now: datetime
) -> MeetingPhase | None:
    """The phase of an agreed, held or no-show meeting (None for any other status): an
    accepted meeting without a slot is agreed, then upcoming, underway while its slot runs,
    and waiting for its outcome once the slot is over."""
    if status == "held":
        return MeetingPhase.HELD
    if status == "no_show":
        return MeetingPhase.NO_SHOW
    if status != "accepted":
        return None
    if starts_at is None or ends_at is None:
        return MeetingPhase.AGREED
    if now < starts_at:
        return MeetingPhase.UPCOMING
    if now < ends_at:
        return MeetingPhase.UNDERWAY
    return MeetingPhase.AWAITING_OUTCOME


def meeting_can_withdraw(*, status: str, starts_at: datetime | None, now: datetime) -> bool:
    """A request, or an agreed meeting whose slot has not begun, may be called off; once
    the slot begins the meeting is held or missed, and only its outcome is left to record."""
    if status not in ("pending", "accepted"):
        return False
    return starts_at is None or now < starts_at


# --- Suggestions --------------------------------------------------------------------------

# Two-digit KBLI divisions whose products are food or drink: halal matters (UU 33/2014).
FOOD_KBLI_DIVISIONS = frozenset({"10", "11", "56"})


def is_food_kbli(kbli: str) -> bool:
    return kbli[:2] in FOOD_KBLI_DIVISIONS


class Reason(models.TextChoices):
    KBLI_SAME = "kbli_same", _("KBLI sama")
    KBLI_GROUP = "kbli_group", _("golongan pokok KBLI sama")
    TEXT = "text", _("uraian kebutuhan mirip dengan produk")
    TIER_T1 = "tier_t1", _("TKDN ≥ 25%, TKDN + BMP ≥ 40% (prioritas pertama)")
    TIER_T2 = "tier_t2", _("TKDN ≥ 25%")
    TIER_T3 = "tier_t3", _("bersertifikat TKDN di bawah 25%")
    SMALL = "small", _("usaha mikro atau kecil")
    HALAL = "halal", _("bersertifikat halal untuk kebutuhan pangan")
    BUDGET = "budget", _("harga satuan dalam anggaran")


# Points per reason; text similarity adds up to TEXT_POINTS in proportion to its rank.
REASON_POINTS = {
    Reason.KBLI_SAME: 40,
    Reason.KBLI_GROUP: 15,
    Reason.TIER_T1: 20,
    Reason.TIER_T2: 15,
    Reason.TIER_T3: 5,
    Reason.SMALL: 10,
    Reason.HALAL: 10,
    Reason.BUDGET: 5,
}
TEXT_POINTS = 25
# The text rank (Postgres ts_rank of the need's words, any of them, in the product) from which
# a need and a product read as alike. Measured on the demo data (seed_demo, 69 need x product
# pairs): pairs with no KBLI relation ranked at most 0.0122 (a desk for "siswa" beside a need
# for school uniforms, 0.0087; words such as "untuk", "pasien", "siswa" shared by chance),
# pairs of the same KBLI from 0.0061 to 0.0304. From 0.015 no unrelated pair is suggested,
# and a related pair whose descriptions barely share a word is not said to be alike.
TEXT_RANK_MIN = 0.015
TIER_REASON = {Tier.T1: Reason.TIER_T1, Tier.T2: Reason.TIER_T2, Tier.T3: Reason.TIER_T3}


@dataclass(frozen=True)
class NeedFacts:
    kbli: str
    is_food: bool
    budget: Decimal | None


@dataclass(frozen=True)
class ProductFacts:
    kbli: str
    unit_price: Decimal
    tier: Tier
    small_business: bool
    halal: bool
    text_rank: float  # Postgres ts_rank of the need's words in the product, 0 when none


@dataclass(frozen=True)
class Match:
    score: int
    reasons: tuple[str, ...]


def match(need: NeedFacts, product: ProductFacts) -> Match | None:
    """How well a certified product answers a buyer's need, with the reasons; None when it
    does not: a suggestion needs a real relation (the same KBLI, or the same KBLI division,
    or descriptions alike from TEXT_RANK_MIN), and a food need a halal product."""
    if need.is_food and not product.halal:
        return None
    reasons: list[str] = []
    score = 0
    if need.kbli and need.kbli == product.kbli:
        reasons.append(Reason.KBLI_SAME)
    elif need.kbli and need.kbli[:2] == product.kbli[:2]:
        reasons.append(Reason.KBLI_GROUP)
    if product.text_rank >= TEXT_RANK_MIN:
        reasons.append(Reason.TEXT)
        score += min(TEXT_POINTS, max(1, round(product.text_rank * 100)))
    if not reasons:
        return None
    if product.tier in TIER_REASON:
        reasons.append(TIER_REASON[product.tier])
    if product.small_business:
        reasons.append(Reason.SMALL)
    if need.is_food and product.halal:
        reasons.append(Reason.HALAL)
    if need.budget is not None and product.unit_price <= need.budget:
        reasons.append(Reason.BUDGET)
    score += sum(REASON_POINTS.get(r, 0) for r in reasons)
    return Match(score=score, reasons=tuple(reasons))


def best_matches(candidates: Sequence[tuple[object, Match]], *, limit: int) -> list:
    """The `limit` best (key, match) pairs, highest score first; ties keep the input order."""
    ranked = sorted(enumerate(candidates), key=lambda ic: (-ic[1][1].score, ic[0]))
    return [candidate for _, candidate in ranked[:limit]]
