"""The business-matching timetable: hand-made cases with known answers, and properties that
must hold for any requests (hypothesis), every result checked by an independent validity
check and, on tiny cases, against the best possible count found by exhaustive search."""

from collections import Counter
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import scheduling
from matching.scheduling import (
    REASON_BUYER_FULL,
    REASON_CROWDED_OUT,
    REASON_LOCK_CONFLICT,
    REASON_LOCK_INVALID,
    REASON_LOCK_UNAVAILABLE,
    REASON_NO_COMMON_SLOT,
    REASON_NO_TABLE,
    REASON_SELF,
    REASON_SELLER_FULL,
    REASONS,
    MeetingRequest,
    ScheduleResult,
    schedule,
)

LOCK_REASONS = {REASON_LOCK_CONFLICT, REASON_LOCK_INVALID, REASON_LOCK_UNAVAILABLE}


def requests_of(*pairs: tuple[str, str], priorities: dict[int, int] | None = None):
    """Requests r0, r1, ... for (buyer, seller) pairs."""
    priorities = priorities or {}
    return [MeetingRequest(f"r{n}", b, s, priorities.get(n, 1)) for n, (b, s) in enumerate(pairs)]


def assert_valid(requests, result: ScheduleResult, *, slots, tables, unavailable=None, locked=None):
    """Every constraint, checked from scratch, and every reason true. Buyers and sellers are
    separate namespaces."""
    unavailable = unavailable or {}
    locked = locked or {}
    by_id = {r.id: r for r in requests}
    assert set(result.assigned) | set(result.unscheduled) == set(by_id)
    assert not set(result.assigned) & set(result.unscheduled)
    busy: set[tuple] = set()
    for rid, (slot, table) in result.assigned.items():
        request = by_id[rid]
        assert request.buyer != request.seller
        assert 0 <= slot < slots and 1 <= table <= tables
        assert slot not in unavailable.get(request.buyer, set())
        assert slot not in unavailable.get(request.seller, set())
        for key in (("buyer", request.buyer), ("seller", request.seller), ("table", table)):
            assert (*key, slot) not in busy, f"{key} twice in slot {slot}"
            busy.add((*key, slot))
    load = Counter(slot for slot, _ in result.assigned.values())
    for rid, reason in result.unscheduled.items():
        request = by_id[rid]
        assert (reason == REASON_SELF) == (request.buyer == request.seller)
        if reason in LOCK_REASONS:
            assert rid in locked
        elif reason != REASON_SELF:
            assert reason == true_reason(request, busy, load, slots, tables, unavailable)
    for rid, where in locked.items():
        if rid in result.assigned:
            assert result.assigned[rid] == tuple(where), f"lock of {rid} moved"
        elif rid in by_id:
            assert result.unscheduled[rid] in LOCK_REASONS | {REASON_SELF}
    assert len(result.assigned) <= result.upper_bound


def true_reason(request, busy, load, slots, tables, unavailable) -> str:
    """Why a request has no place in the finished timetable, the most specific way."""
    both = {
        slot
        for slot in range(slots)
        if slot not in unavailable.get(request.buyer, set())
        and slot not in unavailable.get(request.seller, set())
    }
    buyer_free = {slot for slot in both if ("buyer", request.buyer, slot) not in busy}
    seller_free = {slot for slot in both if ("seller", request.seller, slot) not in busy}
    if not both:
        return REASON_NO_COMMON_SLOT
    if not buyer_free:
        return REASON_BUYER_FULL
    if not seller_free:
        return REASON_SELLER_FULL
    if buyer_free & seller_free:
        assert all(load[slot] == tables for slot in buyer_free & seller_free), "left a place"
        return REASON_NO_TABLE
    return REASON_CROWDED_OUT


def first_fit(requests, *, slots, tables) -> int:
    """The naive way: each request in id order into the lowest slot free for both."""
    busy: set[tuple] = set()
    load = [0] * slots
    placed = 0
    for r in sorted(requests, key=lambda r: r.id):
        for slot in range(slots):
            if ("b", r.buyer, slot) in busy or ("s", r.seller, slot) in busy:
                continue
            if load[slot] < tables:
                busy |= {("b", r.buyer, slot), ("s", r.seller, slot)}
                load[slot] += 1
                placed += 1
                break
    return placed


def best_possible(requests, result, *, slots, tables, unavailable, locked) -> int:
    """The most requests any valid timetable places, keeping the locks the result kept (and
    leaving out self-meetings and requests whose lock failed): exhaustive search."""
    load = [0] * slots
    busy: set[tuple] = set()
    kept = [rid for rid in locked if rid in result.assigned]
    for rid in kept:
        request = next(r for r in requests if r.id == rid)
        slot = result.assigned[rid][0]
        load[slot] += 1
        busy |= {("b", request.buyer, slot), ("s", request.seller, slot)}
    free = [r for r in requests if r.buyer != r.seller and r.id not in locked]

    def search(n: int) -> int:
        if n == len(free):
            return 0
        best = search(n + 1)
        r = free[n]
        for slot in range(slots):
            keys = {("b", r.buyer, slot), ("s", r.seller, slot)}
            if (
                load[slot] < tables
                and not keys & busy
                and slot not in unavailable.get(r.buyer, set())
                and slot not in unavailable.get(r.seller, set())
            ):
                load[slot] += 1
                busy.update(keys)
                best = max(best, 1 + search(n + 1))
                busy.difference_update(keys)
                load[slot] -= 1
        return best

    return len(kept) + search(0)


# Hand-made cases.


def test_no_requests():
    result = schedule([], slots=3, tables=2)
    assert result == ScheduleResult(assigned={}, unscheduled={}, upper_bound=0)


def test_one_request_goes_to_the_first_slot_and_table():
    result = schedule(requests_of(("b", "s")), slots=4, tables=2)
    assert result.assigned == {"r0": (0, 1)}
    assert result.upper_bound == 1


def test_a_participant_with_as_many_requests_as_slots_gets_them_all():
    requests = requests_of(*[("buyer", f"s{n}") for n in range(5)])
    result = schedule(requests, slots=5, tables=1)
    assert_valid(requests, result, slots=5, tables=1)
    assert sorted(slot for slot, _ in result.assigned.values()) == [0, 1, 2, 3, 4]


def test_complete_three_by_three_fills_three_slots_of_three_tables():
    requests = requests_of(*product(["b0", "b1", "b2"], ["s0", "s1", "s2"]))
    result = schedule(requests, slots=3, tables=3)
    assert_valid(requests, result, slots=3, tables=3)
    assert len(result.assigned) == 9 and result.upper_bound == 9


def test_tables_bind_six_meetings_in_two_slots_of_three_tables():
    cycle = [("b0", "s0"), ("b0", "s1"), ("b1", "s1"), ("b1", "s2"), ("b2", "s2"), ("b2", "s0")]
    requests = requests_of(*cycle)
    result = schedule(requests, slots=2, tables=3)
    assert_valid(requests, result, slots=2, tables=3)
    assert Counter(slot for slot, _ in result.assigned.values()) == {0: 3, 1: 3}


def test_an_overfull_slot_is_evened_out():
    # Taking the least-loaded common slot puts r0, r2 and r3 in slot 0: one too many for two
    # tables, so the b3-s3 / b3-s1 / b0-s1 path is swapped over.
    requests = requests_of(("b3", "s3"), ("b3", "s1"), ("b2", "s0"), ("b0", "s1"))
    result = schedule(requests, slots=2, tables=2)
    assert_valid(requests, result, slots=2, tables=2)
    assert len(result.assigned) == 4


def test_places_all_where_first_fit_does_not():
    # First fit: r0 and r1 in slot 0, r2 in slot 1, then r3 finds b1 busy in 0, s0 busy in 1.
    requests = requests_of(("b1", "s1"), ("b2", "s2"), ("b2", "s0"), ("b1", "s0"))
    assert first_fit(requests, slots=2, tables=4) == 3
    result = schedule(requests, slots=2, tables=4)
    assert_valid(requests, result, slots=2, tables=4)
    assert len(result.assigned) == 4


def test_no_slot_both_can_attend():
    requests = requests_of(("b", "s"), ("b", "t"))
    unavailable = {"b": {0}, "s": {1}}
    result = schedule(requests, slots=2, tables=1, unavailable=unavailable)
    assert_valid(requests, result, slots=2, tables=1, unavailable=unavailable)
    assert result.unscheduled == {"r0": REASON_NO_COMMON_SLOT}
    assert result.assigned == {"r1": (1, 1)}
    assert result.upper_bound == 1


def test_locks_stay_exactly_where_they_are():
    requests = requests_of(("b0", "s0"), ("b1", "s1"), ("b0", "s1"))
    locked = {"r0": (1, 2), "r1": (1, 1)}
    result = schedule(requests, slots=2, tables=2, locked=locked)
    assert_valid(requests, result, slots=2, tables=2, locked=locked)
    assert result.assigned == {"r0": (1, 2), "r1": (1, 1), "r2": (0, 1)}


def test_bad_locks_are_reported_and_the_first_by_id_kept():
    requests = requests_of(("b0", "s0"), ("b0", "s1"), ("b1", "s2"), ("b2", "s3"), ("b3", "s4"))
    unavailable = {"s4": {0}}
    locked = {
        "r0": (0, 1),
        "r1": (0, 2),  # b0 already meets s0 in slot 0
        "r2": (0, 1),  # table 1 of slot 0 is r0's
        "r3": (5, 1),  # no slot 5
        "r4": (0, 3),  # s4 cannot come in slot 0
        "nobody": (0, 1),  # not a request: ignored
    }
    result = schedule(requests, slots=2, tables=3, unavailable=unavailable, locked=locked)
    assert_valid(requests, result, slots=2, tables=3, unavailable=unavailable, locked=locked)
    assert result.assigned == {"r0": (0, 1)}
    assert result.unscheduled == {
        "r1": REASON_LOCK_CONFLICT,
        "r2": REASON_LOCK_CONFLICT,
        "r3": REASON_LOCK_INVALID,
        "r4": REASON_LOCK_UNAVAILABLE,
    }
    assert result.upper_bound == 1


def test_malformed_lock_does_not_crash():
    requests = requests_of(("b", "s"), ("c", "t"))
    result = schedule(requests, slots=2, tables=1, locked={"r0": ("x", None), "r1": (1,)})
    assert result.unscheduled == {"r0": REASON_LOCK_INVALID, "r1": REASON_LOCK_INVALID}


def test_higher_priority_wins_the_only_table():
    requests = requests_of(("b0", "s0"), ("b1", "s1"), priorities={1: 5})
    result = schedule(requests, slots=1, tables=1)
    assert result.assigned == {"r1": (0, 1)}
    assert result.unscheduled == {"r0": REASON_NO_TABLE}
    assert result.upper_bound == 1


def test_priority_decides_who_fills_a_busy_buyer():
    requests = requests_of(("b", "s0"), ("b", "s1"), ("b", "s2"), priorities={2: 3, 1: 2})
    result = schedule(requests, slots=2, tables=5)
    assert set(result.assigned) == {"r1", "r2"}
    assert result.unscheduled == {"r0": REASON_BUYER_FULL}


def test_a_busy_seller_is_named():
    requests = requests_of(("b0", "s"), ("b1", "s"), priorities={1: 2})
    result = schedule(requests, slots=1, tables=2)
    assert result.assigned == {"r1": (0, 1)}
    assert result.unscheduled == {"r0": REASON_SELLER_FULL}


def test_crowded_out_when_each_side_is_free_at_a_different_time():
    # b is held in slot 1 and s in slot 0 by locked meetings: nothing can move.
    requests = requests_of(("b", "x"), ("y", "s"), ("b", "s"))
    locked = {"r0": (1, 1), "r1": (0, 1)}
    result = schedule(requests, slots=2, tables=2, locked=locked)
    assert_valid(requests, result, slots=2, tables=2, locked=locked)
    assert result.unscheduled == {"r2": REASON_CROWDED_OUT}
    assert result.upper_bound == 2


def test_a_swap_makes_room_when_nothing_is_locked():
    # Like the above, unlocked, and x away from slot 0 (so not the plain König case): the
    # y-s meeting moves to slot 1 so that b-s takes slot 0.
    requests = requests_of(("b", "x"), ("y", "s"), ("b", "s"), priorities={0: 3, 1: 2})
    unavailable = {"x": {0}}
    result = schedule(requests, slots=2, tables=2, unavailable=unavailable)
    assert_valid(requests, result, slots=2, tables=2, unavailable=unavailable)
    assert len(result.assigned) == 3


def test_meeting_oneself_is_refused():
    result = schedule(requests_of(("same", "same"), ("b", "s")), slots=1, tables=1)
    assert result.assigned == {"r1": (0, 1)}
    assert result.unscheduled == {"r0": REASON_SELF}


@pytest.mark.parametrize(
    ("slots", "tables", "message"), [(0, 1, "slots"), (1, 0, "tables"), (-3, 5, "slots")]
)
def test_programming_errors_raise(slots, tables, message):
    with pytest.raises(ValueError, match=message):
        schedule([], slots=slots, tables=tables)


def test_duplicate_ids_raise():
    with pytest.raises(ValueError, match="Duplicate"):
        schedule([MeetingRequest("x", "b", "s"), MeetingRequest("x", "c", "t")], slots=1, tables=1)


def _reason_codes(module) -> dict[str, str]:
    """The module's REASON_* constants: name -> code."""
    return {
        name: value
        for name, value in vars(module).items()
        if name.startswith("REASON_") and isinstance(value, str)
    }


def _reasons_unlisted(module) -> list[str]:
    return sorted(
        name for name, code in _reason_codes(module).items() if code not in module.REASONS
    )


def test_every_reason_code_is_listed():
    """The codes are listed once here; their sentences live in matching.selectors alone."""
    assert _reasons_unlisted(scheduling) == []
    assert set(REASONS) == set(_reason_codes(scheduling).values()), "a listed code unused"
    assert not hasattr(scheduling, "REASON_TEXT")


def test_a_reason_code_not_listed_is_caught(monkeypatch):
    monkeypatch.setattr(scheduling, "REASON_TABLE_BROKEN", "table_broken", raising=False)
    assert _reasons_unlisted(scheduling) == ["REASON_TABLE_BROKEN"]


# Properties.


@st.composite
def instances(draw, max_requests=14, max_people=5, wild_locks=True):
    """Random requests among a few buyers and sellers, now and then one meeting itself,
    with random priorities and unavailability, and locks: some meetings of a valid
    timetable of a subset and, with `wild_locks`, any slot and table, in range or not."""
    slots = draw(st.integers(1, 4))
    tables = draw(st.integers(1, 3))
    buyers = [f"b{n}" for n in range(draw(st.integers(1, max_people)))]
    sellers = [f"s{n}" for n in range(draw(st.integers(1, max_people)))]
    self_meeting = st.sampled_from([False, False, False, False, True])
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(buyers), st.sampled_from(sellers), st.integers(1, 3), self_meeting
            ),
            max_size=max_requests,
        )
    )
    requests = [
        MeetingRequest(f"r{n:02d}", b, b if oneself else s, priority)
        for n, (b, s, priority, oneself) in enumerate(rows)
    ]
    unavailable = {}
    if draw(st.booleans()):
        slot_sets = st.sets(st.integers(-1, slots), max_size=slots)
        unavailable = draw(st.dictionaries(st.sampled_from(buyers + sellers), slot_sets))
    locked: dict[str, tuple[int, int]] = {}
    if requests and draw(st.booleans()):
        subset = draw(st.lists(st.sampled_from(requests), unique=True))
        base = schedule(subset, slots=slots, tables=tables, unavailable=unavailable)
        if base.assigned:
            chosen = draw(st.lists(st.sampled_from(sorted(base.assigned)), unique=True))
            locked = {rid: base.assigned[rid] for rid in chosen}
    if requests and wild_locks and draw(st.booleans()):
        where = st.tuples(st.integers(-1, slots), st.integers(0, tables + 1))
        locked |= draw(st.dictionaries(st.sampled_from([r.id for r in requests]), where))
    return requests, slots, tables, unavailable, locked


def run(requests, slots, tables, unavailable, locked) -> ScheduleResult:
    return schedule(requests, slots=slots, tables=tables, unavailable=unavailable, locked=locked)


@settings(max_examples=200, deadline=None)
@given(instances())
def test_always_valid_and_within_the_upper_bound(instance):
    requests, slots, tables, unavailable, locked = instance
    result = run(*instance)
    assert_valid(
        requests, result, slots=slots, tables=tables, unavailable=unavailable, locked=locked
    )


@settings(max_examples=100, deadline=None)
@given(instances(wild_locks=False))
def test_locks_taken_from_a_valid_timetable_are_all_kept(instance):
    locked = instance[-1]
    result = run(*instance)
    assert {rid: result.assigned[rid] for rid in locked} == locked


@settings(max_examples=100, deadline=None)
@given(instances(max_requests=7, max_people=4))
def test_the_upper_bound_is_never_below_the_best_possible(instance):
    requests, slots, tables, unavailable, locked = instance
    result = run(*instance)
    best = best_possible(
        requests, result, slots=slots, tables=tables, unavailable=unavailable, locked=locked
    )
    assert len(result.assigned) <= best <= result.upper_bound


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7), st.integers(1, 3)), max_size=40),
    st.integers(0, 2),
    st.integers(0, 1),
)
def test_everything_placed_when_nobody_has_too_many_and_the_tables_suffice(
    rows, extra_slots, extra_tables
):
    requests = [
        MeetingRequest(f"r{n:02d}", f"b{b}", f"s{s}", p) for n, (b, s, p) in enumerate(rows)
    ]
    degrees = Counter(p for r in requests for p in (("b", r.buyer), ("s", r.seller)))
    slots = max(degrees.values(), default=1) + extra_slots
    tables = -(-len(requests) // slots) + extra_tables or 1
    result = schedule(requests, slots=slots, tables=tables)
    assert_valid(requests, result, slots=slots, tables=tables)
    assert len(result.assigned) == len(requests) == result.upper_bound


@settings(max_examples=100, deadline=None)
@given(instances(), st.randoms(use_true_random=False))
def test_same_input_same_timetable_in_any_order(instance, random):
    requests, *rest = instance
    first = run(requests, *rest)
    assert run(requests, *rest) == first
    shuffled = list(requests)
    random.shuffle(shuffled)
    assert run(shuffled, *rest) == first
