"""Pure matching rules: the event life cycle, time slots, suggestion scores."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from matching import rules
from matching.rules import Break, DayHours, EventStatus, NeedFacts, ProductFacts, Reason
from vendors.rules import Tier

JAKARTA = ZoneInfo("Asia/Jakarta")
DAY = date(2026, 12, 7)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hour, minute), JAKARTA)


class TestSlots:
    def test_one_slot_every_length_until_the_day_ends(self):
        slots = rules.slot_times(
            [DayHours(DAY, time(9), time(11))], minutes=30, breaks=[], tz=JAKARTA
        )
        assert slots == [
            (at(9), at(9, 30)),
            (at(9, 30), at(10)),
            (at(10), at(10, 30)),
            (at(10, 30), at(11)),
        ]

    def test_no_slot_runs_past_the_end_of_the_day(self):
        slots = rules.slot_times(
            [DayHours(DAY, time(9), time(10, 20))], minutes=30, breaks=[], tz=JAKARTA
        )
        assert slots[-1] == (at(9, 30), at(10))

    def test_a_slot_overlapping_a_break_moves_after_it(self):
        slots = rules.slot_times(
            [DayHours(DAY, time(9), time(13))],
            minutes=45,
            breaks=[Break(time(11, 30), time(12, 15))],
            tz=JAKARTA,
        )
        starts = [s.strftime("%H:%M") for s, _ in slots]
        # 9:00, 9:45, 10:30 fit; 11:15 would overlap the break: next slot at 12:15.
        assert starts == ["09:00", "09:45", "10:30", "12:15"]

    def test_a_slot_ending_exactly_when_the_break_starts_is_kept(self):
        slots = rules.slot_times(
            [DayHours(DAY, time(9), time(11))],
            minutes=30,
            breaks=[Break(time(10), time(10, 30))],
            tz=JAKARTA,
        )
        assert [s.strftime("%H:%M") for s, _ in slots] == ["09:00", "09:30", "10:30"]

    def test_days_in_date_order_whatever_the_input_order(self):
        later = date(2026, 12, 8)
        slots = rules.slot_times(
            [DayHours(later, time(9), time(9, 30)), DayHours(DAY, time(9), time(9, 30))],
            minutes=30,
            breaks=[],
            tz=JAKARTA,
        )
        assert [s for s, _ in slots] == [at(9), at(9, day=later)]

    def test_times_are_aware_in_jakarta(self):
        ((start, _),) = rules.slot_times(
            [DayHours(DAY, time(9), time(9, 30))], minutes=30, breaks=[], tz=JAKARTA
        )
        assert start.utcoffset().total_seconds() == 7 * 3600

    def test_a_meeting_lasts_at_least_a_minute(self):
        with pytest.raises(ValueError, match="A meeting lasts at least one minute"):
            rules.slot_times([DayHours(DAY, time(9), time(10))], minutes=0, breaks=[], tz=JAKARTA)


class TestLifeCycle:
    @pytest.mark.parametrize(
        "current,target",
        [
            (EventStatus.DRAFT, EventStatus.REGISTRATION),
            (EventStatus.REGISTRATION, EventStatus.SCHEDULING),
            (EventStatus.SCHEDULING, EventStatus.PUBLISHED),
            (EventStatus.PUBLISHED, EventStatus.RUNNING),
            (EventStatus.RUNNING, EventStatus.CLOSED),
            (EventStatus.PUBLISHED, EventStatus.SCHEDULING),
        ],
    )
    def test_allowed(self, current, target):
        assert rules.can_move(current, target)

    @pytest.mark.parametrize(
        "current,target",
        [
            (EventStatus.DRAFT, EventStatus.PUBLISHED),
            (EventStatus.REGISTRATION, EventStatus.RUNNING),
            (EventStatus.CLOSED, EventStatus.RUNNING),
            (EventStatus.RUNNING, EventStatus.DRAFT),
            (EventStatus.DRAFT, EventStatus.DRAFT),
        ],
    )
    def test_refused(self, current, target):
        assert not rules.can_move(current, target)

    def test_every_status_has_its_moves(self):
        assert set(rules.EVENT_TRANSITIONS) == set(EventStatus.values)


def product(**changes) -> ProductFacts:
    facts = {
        "kbli": "10792",
        "unit_price": Decimal("85000"),
        "tier": Tier.T1,
        "small_business": True,
        "halal": True,
        "text_rank": 0.0,
    }
    return ProductFacts(**{**facts, **changes})


NEED = NeedFacts(kbli="10792", is_food=False, budget=Decimal("100000"))


class TestMatch:
    def test_every_reason_counts(self):
        found = rules.match(NEED, product(text_rank=0.1))
        assert found.reasons == (
            Reason.KBLI_SAME,
            Reason.TEXT,
            Reason.TIER_T1,
            Reason.SMALL,
            Reason.BUDGET,
        )
        assert found.score == 40 + 10 + 20 + 10 + 5

    def test_same_kbli_division_scores_less_than_same_code(self):
        same = rules.match(NEED, product())
        group = rules.match(NEED, product(kbli="10711"))
        assert Reason.KBLI_GROUP in group.reasons
        assert group.score == same.score - 40 + 15

    def test_unrelated_product_is_not_suggested(self):
        assert rules.match(NEED, product(kbli="31001")) is None

    def test_shared_words_alone_are_enough(self):
        found = rules.match(NEED, product(kbli="31001", text_rank=0.06))
        assert found.reasons[0] == Reason.TEXT
        assert found.score == 6 + 20 + 10 + 5

    def test_a_chance_shared_word_is_no_relation(self):
        # A school desk beside a need for school uniforms ("siswa"): ranked 0.0087 on the
        # demo data, below the threshold, and the KBLI division differs.
        assert rules.match(NEED, product(kbli="31001", text_rank=0.0087)) is None
        assert rules.match(NEED, product(kbli="31001", text_rank=rules.TEXT_RANK_MIN)) is not None

    def test_a_related_pair_with_a_weak_text_rank_is_not_said_to_be_alike(self):
        found = rules.match(NEED, product(text_rank=rules.TEXT_RANK_MIN / 2))
        assert Reason.KBLI_SAME in found.reasons
        assert Reason.TEXT not in found.reasons

    def test_text_points_are_capped(self):
        found = rules.match(
            NEED,
            product(
                kbli="31001",
                text_rank=5.0,
                tier=Tier.T4,
                small_business=False,
                unit_price=Decimal("1e9"),
            ),
        )
        assert found.score == rules.TEXT_POINTS

    def test_food_needs_only_get_halal_products(self):
        food = NeedFacts(kbli="10792", is_food=True, budget=None)
        assert rules.match(food, product(halal=False)) is None
        assert Reason.HALAL in rules.match(food, product(halal=True)).reasons

    def test_halal_is_not_a_reason_outside_food(self):
        assert Reason.HALAL not in rules.match(NEED, product(halal=True)).reasons

    def test_price_at_budget_is_within(self):
        assert Reason.BUDGET in rules.match(NEED, product(unit_price=Decimal("100000"))).reasons
        assert (
            Reason.BUDGET not in rules.match(NEED, product(unit_price=Decimal("100000.01"))).reasons
        )

    def test_no_budget_no_budget_reason(self):
        need = NeedFacts(kbli="10792", is_food=False, budget=None)
        assert Reason.BUDGET not in rules.match(need, product()).reasons

    @pytest.mark.parametrize("tier,reason", [(Tier.T2, Reason.TIER_T2), (Tier.T3, Reason.TIER_T3)])
    def test_lower_tiers(self, tier, reason):
        assert reason in rules.match(NEED, product(tier=tier)).reasons

    def test_uncertified_products_get_no_tier_reason(self):
        reasons = rules.match(NEED, product(tier=Tier.T4)).reasons
        assert not {Reason.TIER_T1, Reason.TIER_T2, Reason.TIER_T3} & set(reasons)

    def test_food_kbli(self):
        assert rules.is_food_kbli("10792") and rules.is_food_kbli("56101")
        assert not rules.is_food_kbli("31001")


def test_best_matches_keeps_the_highest_scores_in_input_order_on_ties():
    a, b, c = rules.Match(10, ()), rules.Match(30, ()), rules.Match(10, ())
    picked = rules.best_matches([("a", a), ("b", b), ("c", c)], limit=2)
    assert [key for key, _ in picked] == ["b", "a"]


# --- A meeting's phase -------------------------------------------------------------------------

_START = datetime(2026, 12, 8, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
_END = _START + timedelta(minutes=30)


@pytest.mark.parametrize(
    ("status", "slotted", "now", "phase"),
    [
        ("accepted", False, _START, rules.MeetingPhase.AGREED),
        ("accepted", True, _START - timedelta(seconds=1), rules.MeetingPhase.UPCOMING),
        ("accepted", True, _START, rules.MeetingPhase.UNDERWAY),
        ("accepted", True, _END - timedelta(seconds=1), rules.MeetingPhase.UNDERWAY),
        ("accepted", True, _END, rules.MeetingPhase.AWAITING_OUTCOME),
        ("held", True, _END + timedelta(days=1), rules.MeetingPhase.HELD),
        ("no_show", True, _END, rules.MeetingPhase.NO_SHOW),
        ("withdrawn", False, _START, None),
        ("pending", False, _START, None),
    ],
)
def test_a_meeting_reads_by_its_status_and_its_slot(status, slotted, now, phase):
    starts_at, ends_at = (_START, _END) if slotted else (None, None)
    assert rules.meeting_phase(status=status, starts_at=starts_at, ends_at=ends_at, now=now) == (
        phase
    )


@pytest.mark.parametrize(
    ("status", "starts_at", "now", "allowed"),
    [
        ("pending", None, _START, True),
        ("accepted", None, _END, True),
        ("accepted", _START, _START - timedelta(seconds=1), True),
        ("accepted", _START, _START, False),
        ("accepted", _START, _END + timedelta(hours=1), False),
        ("held", _START, _START - timedelta(hours=1), False),
        ("no_show", _START, _END, False),
    ],
)
def test_a_meeting_is_called_off_only_before_its_slot_begins(status, starts_at, now, allowed):
    assert rules.meeting_can_withdraw(status=status, starts_at=starts_at, now=now) is allowed
