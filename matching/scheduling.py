"""The business-matching timetable, pure (no ORM, no I/O, stdlib only): one-on-one meetings
between buyers and sellers placed in time slots (sessions) at numbered tables.

The maths. Requests are the edges of a bipartite multigraph (buyers on one side, sellers on
the other) and slots are colours: a timetable is a proper edge colouring (nobody has two
meetings in one slot) in which no colour class holds more than `tables` edges.

* König: a bipartite multigraph whose largest degree is D can be edge-coloured with D
  colours. Constructively, to colour edge uv take a colour a free at u and b free at v; if a
  is taken at v, the path leaving v that alternates a and b never reaches u (on it, u's side
  is entered only by a-edges and u has none), so swapping a and b along it frees a at v.
* de Werra: the colouring can be made equitable. If slot a holds more edges than slot b,
  the union of the two classes is disjoint paths and even cycles, so some path has one more
  a-edge than b-edges; swapping its colours moves one meeting from a to b.

Hence, with no unavailability and no locks, when nobody has more than `slots` requests and
there are at most `slots * tables` requests, every request is placed (`schedule` takes, by
priority, a subset meeting those two conditions and places all of it). With unavailability
or locks the problem (list edge colouring) is hard in general, so the same moves are used
greedily: requests go in by priority, each into a slot free for both sides or, failing that,
after one alternating-path swap that keeps every moved meeting unlocked, in a slot both its
sides can attend and within the tables; the requests left out get a second try at the end.
`upper_bound` (matchings per participant, a flow for the tables) says how far from the best
possible the result can be.

Buyers and sellers are separate namespaces: a name on both sides is two participants.
"""

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import index

REASON_SELF = "self"
REASON_NO_COMMON_SLOT = "no_common_slot"
REASON_BUYER_FULL = "buyer_full"
REASON_SELLER_FULL = "seller_full"
REASON_NO_TABLE = "no_table"
REASON_CROWDED_OUT = "crowded_out"
REASON_LOCK_INVALID = "lock_invalid"
REASON_LOCK_UNAVAILABLE = "lock_unavailable"
REASON_LOCK_CONFLICT = "lock_conflict"

# Every code a result can give; the sentences an admin reads for them are worded, translated,
# in matching.selectors (UNSCHEDULED_REASONS): one place, in the reader's language.
REASONS = frozenset(
    {
        REASON_SELF,
        REASON_NO_COMMON_SLOT,
        REASON_BUYER_FULL,
        REASON_SELLER_FULL,
        REASON_NO_TABLE,
        REASON_CROWDED_OUT,
        REASON_LOCK_INVALID,
        REASON_LOCK_UNAVAILABLE,
        REASON_LOCK_CONFLICT,
    }
)


@dataclass(frozen=True)
class MeetingRequest:
    id: str
    buyer: str
    seller: str
    priority: int = 1  # higher is scheduled first when not all fit


@dataclass(frozen=True)
class ScheduleResult:
    assigned: dict[str, tuple[int, int]]  # request id -> (slot index 0..slots-1, table 1..tables)
    unscheduled: dict[str, str]  # request id -> reason code (see REASONS)
    upper_bound: int = 0  # no valid schedule (locks kept) could place more than this many


def _bits(mask: int) -> Iterator[int]:
    """The indices of the set bits of `mask`, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


class _Timetable:
    """Requests as int-indexed edges of the bipartite graph (buyers 0..B-1, sellers B..),
    slots as bit positions. `at[x][c]` is the edge of colour c at vertex x (or -1), `used[x]`
    the bitmask of colours taken at x, `load[c]` the meetings in slot c."""

    def __init__(
        self, requests: Sequence[MeetingRequest], slots: int, tables: int, blocked: list[int]
    ) -> None:
        buyers = sorted({r.buyer for r in requests})
        sellers = sorted({r.seller for r in requests})
        number = {name: n for n, name in enumerate(buyers)}
        offset = len(buyers)
        seller_number = {name: offset + n for n, name in enumerate(sellers)}
        self.slots = slots
        self.tables = tables
        self.full = (1 << slots) - 1
        self.eu = [number[r.buyer] for r in requests]
        self.ev = [seller_number[r.seller] for r in requests]
        self.col = [-1] * len(requests)
        self.locked = [False] * len(requests)
        vertices = offset + len(sellers)
        self.at = [[-1] * slots for _ in range(vertices)]
        self.used = [0] * vertices
        self.load = [0] * slots
        self.allowed = [
            self.full & ~(blocked[2 * i] | blocked[2 * i + 1]) for i in range(len(requests))
        ]

    def place(self, e: int, c: int) -> None:
        u, v = self.eu[e], self.ev[e]
        self.col[e] = c
        self.at[u][c] = e
        self.at[v][c] = e
        self.used[u] |= 1 << c
        self.used[v] |= 1 << c
        self.load[c] += 1

    def least_loaded(self, mask: int) -> int:
        """The slot in `mask` with the fewest meetings, lowest index on ties."""
        load = self.load
        best = -1
        for c in _bits(mask):
            if best < 0 or load[c] < load[best]:
                best = c
        return best

    def path(self, start: int, a: int, b: int) -> list[int]:
        """The edges of the a/b alternating path leaving `start` by its a-edge."""
        at, eu, ev = self.at, self.eu, self.ev
        edges = []
        x, c, d = start, a, b
        while (e := at[x][c]) >= 0:
            edges.append(e)
            x = eu[e] + ev[e] - x  # the other end
            c, d = d, c
        return edges

    def movable_path(self, start: int, a: int, b: int) -> list[int] | None:
        """`path`, or None as soon as an edge on it is locked or not allowed in the colour
        it would be swapped to."""
        at, eu, ev, allowed, locked = self.at, self.eu, self.ev, self.allowed, self.locked
        edges = []
        x, c, d = start, a, b
        while (e := at[x][c]) >= 0:
            if locked[e] or not allowed[e] >> d & 1:
                return None
            edges.append(e)
            x = eu[e] + ev[e] - x
            c, d = d, c
        return edges

    def swap(self, edges: list[int], a: int, b: int) -> None:
        """Swap colours a and b along an alternating path or a whole component."""
        at, eu, ev, col, used, load = self.at, self.eu, self.ev, self.col, self.used, self.load
        for e in edges:
            at[eu[e]][col[e]] = -1
            at[ev[e]][col[e]] = -1
        both = (1 << a) | (1 << b)
        for e in edges:
            c = b if col[e] == a else a
            load[col[e]] -= 1
            load[c] += 1
            col[e] = c
            at[eu[e]][c] = e
            at[ev[e]][c] = e
        for e in edges:
            for x in (eu[e], ev[e]):
                row = at[x]
                mask = used[x] & ~both
                if row[a] >= 0:
                    mask |= 1 << a
                if row[b] >= 0:
                    mask |= 1 << b
                used[x] = mask

    # König, unrestricted: every colour allowed, no tables yet.

    def colour(self, e: int) -> None:
        """Give edge e a colour free at both ends, swapping an alternating path if needed.
        Needs a colour free at each end (degree below `slots` before e)."""
        u, v = self.eu[e], self.ev[e]
        free_u = self.full & ~self.used[u]
        free_v = self.full & ~self.used[v]
        common = free_u & free_v
        if common:
            self.place(e, self.least_loaded(common))
            return
        a = self.least_loaded(free_u)  # taken at v
        b = self.least_loaded(free_v)  # taken at u
        self.swap(self.path(v, a, b), a, b)
        self.place(e, a)

    # de Werra: even out the slots to at most `tables` meetings each.

    def equalise(self) -> None:
        """Move meetings out of slots over `tables` into slots under it, one odd a/b path at
        a time. Needs the total to fit: len(edges) <= slots * tables."""
        tables, load = self.tables, self.load
        while True:
            over = [c for c in range(self.slots) if load[c] > tables]
            if not over:
                return
            a = over[0]
            b = min(range(self.slots), key=lambda c: (load[c], c))
            self._shift(a, b)

    def _shift(self, a: int, b: int) -> None:
        """Swap a/b paths with one more a-edge than b-edges while slot a is over and slot b
        under capacity. Such a path runs between two vertices with a taken and b free; the
        path from any such vertex either is one (and is swapped) or ends at a vertex with b
        taken, so each vertex is walked from at most once."""
        bit_a, bit_b, load, used, tables = 1 << a, 1 << b, self.load, self.used, self.tables
        for x in range(len(used)):
            if load[a] <= tables or load[b] >= tables:
                return
            if used[x] & bit_a and not used[x] & bit_b:
                edges = self.path(x, a, b)
                if len(edges) % 2:
                    self.swap(edges, a, b)

    # Restricted: unavailability, locks and tables respected at every step.

    def insert(self, e: int) -> bool:
        """Place edge e in an allowed slot, free for both sides and with a table left, or
        after one alternating-path swap that keeps every moved meeting valid."""
        if self.insert_directly(e):
            return True
        u, v = self.eu[e], self.ev[e]
        allowed, used, full = self.allowed[e], self.used, self.full
        fu = allowed & ~used[u]
        fv = allowed & ~used[v]
        room = self.room()
        if not fu or not fv or not room:
            return False
        # Colour a (allowed, free at u, taken at v): swap an a/b path from v, b free at v.
        for a in _bits(fu & ~fv):
            if self._swap_into(e, v, a, full & ~used[v], room):
                return True
        # Colour b (allowed, free at v, taken at u): the same from u.
        return any(self._swap_into(e, u, b, full & ~used[u], room) for b in _bits(fv & ~fu))

    def insert_directly(self, e: int) -> bool:
        """Place edge e, without moving others, in the least-loaded allowed slot free for both
        sides and with a table left."""
        common = self.allowed[e] & ~self.used[self.eu[e]] & ~self.used[self.ev[e]] & self.room()
        if common:
            self.place(e, self.least_loaded(common))
        return bool(common)

    def room(self) -> int:
        """The slots with a table left, as a bitmask."""
        tables, load = self.tables, self.load
        return sum(1 << c for c in range(self.slots) if load[c] < tables)

    def _swap_into(self, e: int, end: int, a: int, others: int, room: int) -> bool:
        """Free colour a at `end` by swapping an a/b path (b in `others`) and put e in a.
        The path leaves `end` by an a-edge: of odd length it moves one meeting from a to b
        (so b needs a table), of even length it moves none (so a needs one)."""
        a_full = not room >> a & 1
        for b in _bits(others & room if a_full else others):
            edges = self.movable_path(end, a, b)
            if edges is None:
                continue
            moves_one = len(edges) % 2 == 1
            if room >> (b if moves_one else a) & 1:
                self.swap(edges, a, b)
                self.place(e, a)
                return True
        return False

    def reason(self, e: int) -> str:
        """The most specific true reason why edge e has no slot now."""
        allowed = self.allowed[e]
        if not allowed:
            return REASON_NO_COMMON_SLOT
        fu = allowed & ~self.used[self.eu[e]]
        fv = allowed & ~self.used[self.ev[e]]
        if not fu:
            return REASON_BUYER_FULL
        if not fv:
            return REASON_SELLER_FULL
        if fu & fv:
            return REASON_NO_TABLE
        return REASON_CROWDED_OUT


def _check_arguments(requests: Sequence[MeetingRequest], slots: int, tables: int) -> None:
    if slots < 1:
        raise ValueError(f"slots must be at least 1, not {slots}.")
    if tables < 1:
        raise ValueError(f"tables must be at least 1, not {tables}.")
    counts = Counter(r.id for r in requests)
    duplicates = sorted(rid for rid, n in counts.items() if n > 1)
    if duplicates:
        raise ValueError(f"Duplicate request ids: {duplicates[:5]}.")


def _blocked_masks(
    requests: Sequence[MeetingRequest], slots: int, unavailable: Mapping[str, set[int]]
) -> list[int]:
    """For each request, the unavailable-slot bitmasks of its buyer then its seller; slot
    numbers outside 0..slots-1 are ignored."""
    cache: dict[str, int] = {}

    def mask(name: str) -> int:
        if name not in cache:
            cache[name] = sum(
                1 << s
                for s in set(unavailable.get(name) or ())
                if isinstance(s, int) and 0 <= s < slots
            )
        return cache[name]

    return [m for r in requests for m in (mask(r.buyer), mask(r.seller))]


def _place_locks(
    t: _Timetable,
    requests: Sequence[MeetingRequest],
    locked: Mapping[str, tuple[int, int]],
    tables_taken: list[set[int]],
    unscheduled: dict[str, str],
) -> dict[int, int]:
    """Place the locked requests where they are locked, first come by request id. Returns
    edge -> table; a lock that is malformed, out of range, in an unavailable slot or clashing
    with an earlier one leaves its request unscheduled."""
    tables_of: dict[int, int] = {}
    for e, request in enumerate(requests):
        if request.id not in locked or request.id in unscheduled:
            continue
        try:
            slot, table = (index(n) for n in locked[request.id])
        except (TypeError, ValueError):
            unscheduled[request.id] = REASON_LOCK_INVALID
            continue
        if not (0 <= slot < t.slots and 1 <= table <= t.tables):
            unscheduled[request.id] = REASON_LOCK_INVALID
        elif not t.allowed[e] >> slot & 1:
            unscheduled[request.id] = REASON_LOCK_UNAVAILABLE
        elif (t.used[t.eu[e]] | t.used[t.ev[e]]) >> slot & 1 or table in tables_taken[slot]:
            unscheduled[request.id] = REASON_LOCK_CONFLICT
        else:
            t.place(e, slot)
            t.locked[e] = True
            tables_taken[slot].add(table)
            tables_of[e] = table
    return tables_of


def _by_priority(requests: Sequence[MeetingRequest], edges: list[int]) -> list[int]:
    """Higher priority first; requests are sorted by id, so the index breaks ties by id."""
    return sorted(edges, key=lambda e: (-requests[e].priority, e))


def _schedule_free(t: _Timetable, order: list[int]) -> None:
    """No unavailability, no locks: take requests by priority while nobody exceeds `slots`
    meetings and the total fits the tables, then place them all (König, then de Werra)."""
    degree = [0] * len(t.used)
    capacity = t.slots * t.tables
    chosen = []
    for e in order:
        u, v = t.eu[e], t.ev[e]
        if len(chosen) < capacity and degree[u] < t.slots and degree[v] < t.slots:
            degree[u] += 1
            degree[v] += 1
            chosen.append(e)
    for e in chosen:
        t.colour(e)
    t.equalise()


def _schedule_restricted(t: _Timetable, order: list[int]) -> None:
    """Requests by priority into allowed slots, then the ones left out once more (swaps made
    for later requests may have opened room), and a last sweep without swaps for any that
    the second round's swaps opened room for."""
    left = [e for e in order if not t.insert(e)]
    left = [e for e in left if not t.insert(e)]
    for e in left:
        t.insert_directly(e)


def _number_tables(
    t: _Timetable, tables_taken: list[set[int]], tables_of: dict[int, int]
) -> dict[int, int]:
    """Tables 1.. within each slot, in request id order, around the locked ones."""
    next_free = [1] * t.slots
    for e, c in enumerate(t.col):
        if c < 0 or e in tables_of:
            continue
        table = next_free[c]
        while table in tables_taken[c]:
            table += 1
        tables_of[e] = table
        next_free[c] = table + 1
    return tables_of


def _max_slot_matching(masks: list[int]) -> int:
    """The most requests of one participant that can get distinct slots, each from its own
    allowed mask: Kuhn's augmenting paths (slots are bits), greedy first. A request that
    finds no augmenting path never will later, nor will one with the same mask; and once
    every slot any request allows is taken, nothing more fits."""
    owner: dict[int, int] = {}
    seen = 0

    def augment(i: int) -> bool:
        nonlocal seen
        for s in _bits(masks[i] & ~seen):
            seen |= 1 << s
            if s not in owner or augment(owner[s]):
                owner[s] = i
                return True
        return False

    union = 0
    for mask in masks:
        union |= mask
    taken = 0
    failed: set[int] = set()
    for i, mask in enumerate(masks):
        if taken == union:
            break
        free = mask & ~taken
        if free:
            owner[(free & -free).bit_length() - 1] = i
        elif mask in failed:
            continue
        else:
            seen = 0
            if not augment(i):
                failed.add(mask)
                continue
        taken = sum(1 << s for s in owner)
    return len(owner)


class _SlotFlow:
    """The capacity bound as a max b-matching: units of request groups (a group is the
    requests sharing one allowed-slot mask) in slots of limited room. Augmenting paths run
    over the slots only: a unit moves from slot s to t when its group allows t."""

    def __init__(self, capacity: list[int]) -> None:
        self.spare = list(capacity)
        self.units: list[Counter[int]] = [Counter() for _ in capacity]
        self.reach = [0] * len(capacity)  # OR of the masks of the groups with units there
        self.dead = 0  # slots from which no slot with room can be reached, now or ever

    def fill(self, mask: int, count: int) -> int:
        """Up to `count` units of the group straight into slots with room; how many went."""
        placed = 0
        for s in _bits(mask):
            if placed == count:
                break
            take = min(count - placed, self.spare[s])
            if take:
                self.spare[s] -= take
                self._put(mask, s, take)
                placed += take
        return placed

    def add(self, mask: int) -> bool:
        """One more unit of the group, moving others along a path of slots to one with
        room. A failed search marks every slot it reached dead: the paths found later never
        pass through them, so their units and room stay as they are."""
        if not mask & ~self.dead:
            return False
        parent = dict.fromkeys(_bits(mask & ~self.dead), -1)
        queue = list(parent)
        for s in queue:
            if self.spare[s]:
                break
            for t in _bits(self.reach[s] & ~self.dead):
                if t not in parent:
                    parent[t] = s
                    queue.append(t)
        else:
            self.dead |= sum(1 << s for s in queue)
            return False
        self.spare[s] -= 1
        while parent[s] >= 0:  # walk back: each slot on the way passes one unit on
            source = parent[s]
            group = next(g for g in self.units[source] if g >> s & 1)
            self._put(group, s, 1)
            self._take(group, source)
            s = source
        self._put(mask, s, 1)
        return True

    def _put(self, group: int, s: int, count: int) -> None:
        self.units[s][group] += count
        self.reach[s] |= group

    def _take(self, group: int, s: int) -> None:
        units = self.units[s]
        units[group] -= 1
        if not units[group]:
            del units[group]
            self.reach[s] = 0
            for other in units:
                self.reach[s] |= other


def _capacity_bound(masks: list[int], capacity: list[int]) -> int:
    """The most requests the tables can take, slot s at most capacity[s], each request in a
    slot of its mask: the most constrained groups go straight in first, then the rest one
    unit at a time by augmenting paths (Kuhn: that order still ends at the maximum)."""
    flow = _SlotFlow(capacity)
    size = 0
    pending = []
    for mask, count in sorted(
        Counter(masks).items(), key=lambda item: (item[0].bit_count(), item[0])
    ):
        placed = flow.fill(mask, count)
        size += placed
        if placed < count:
            pending.append((mask, count - placed))
    for mask, count in pending:
        for _ in range(count):
            if not flow.add(mask):
                break
            size += 1
    return size


def _upper_bound(t: _Timetable, free_edges: list[int], locked_count: int) -> int:
    """No valid timetable keeping the locks places more than the least of: per buyer (and
    per seller) the largest set of its requests with distinct usable slots, and the most
    requests the tables left by the locks take; each plus the locked count. Called with
    only the locks placed. A slot is usable by a request when both sides can attend and have
    no lock there, and a table is left."""
    room = t.room()
    usable = [t.allowed[e] & ~t.used[t.eu[e]] & ~t.used[t.ev[e]] & room for e in free_edges]
    per_vertex: dict[int, list[int]] = {}
    bounds = []
    for ends in (t.eu, t.ev):
        per_vertex.clear()
        for e, mask in zip(free_edges, usable, strict=True):
            per_vertex.setdefault(ends[e], []).append(mask)
        bounds.append(sum(_max_slot_matching(masks) for masks in per_vertex.values()))
    bounds.append(_capacity_bound(usable, [t.tables - n for n in t.load]))
    return locked_count + min(bounds)


def schedule(
    requests: Sequence[MeetingRequest],
    *,
    slots: int,
    tables: int,
    unavailable: Mapping[str, set[int]] | None = None,
    locked: Mapping[str, tuple[int, int]] | None = None,
) -> ScheduleResult:
    """Place each request in a slot and at a table: nobody twice in a slot, no table twice
    in a slot, nobody in a slot they cannot attend, locked requests where they are locked.
    Higher priority first when not all fit; every request left out gets a reason code."""
    _check_arguments(requests, slots, tables)
    requests = sorted(requests, key=lambda r: r.id)
    t = _Timetable(requests, slots, tables, _blocked_masks(requests, slots, unavailable or {}))
    unscheduled = {r.id: REASON_SELF for r in requests if r.buyer == r.seller}
    tables_taken: list[set[int]] = [set() for _ in range(slots)]
    tables_of = _place_locks(t, requests, locked or {}, tables_taken, unscheduled)
    free_edges = [
        e for e, r in enumerate(requests) if r.id not in unscheduled and e not in tables_of
    ]
    bound = _upper_bound(t, free_edges, len(tables_of))
    order = _by_priority(requests, free_edges)
    if not tables_of and all(t.allowed[e] == t.full for e in free_edges):
        _schedule_free(t, order)
    else:
        _schedule_restricted(t, order)
    for e in free_edges:
        if t.col[e] < 0:
            unscheduled[requests[e].id] = t.reason(e)
    tables_of = _number_tables(t, tables_taken, tables_of)
    assigned = {requests[e].id: (t.col[e], table) for e, table in sorted(tables_of.items())}
    return ScheduleResult(
        assigned=assigned, unscheduled=dict(sorted(unscheduled.items())), upper_bound=bound
    )
