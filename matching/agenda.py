"""The event day on paper and in calendars: a participant's agenda, its iCalendar file, and
the hall's sheet of slots by table. Pure helpers over meetings already loaded (with the
relations selectors.agenda_meetings selects and the prefetches the views add): no queries,
no I/O."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import groupby
from zoneinfo import ZoneInfo

import icalendar
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from matching import rules
from matching.models import SEATED_STATES, MeetingStatus
from p3dn_portal.lib.formatting import percent

JAKARTA = ZoneInfo("Asia/Jakarta")
PRODID = "-//Pemprov DKI Jakarta//P3DN Portal temu bisnis//ID"


def place_label(number: int | None, *, booths: bool) -> str:
    """Where a meeting sits: its table, or the exhibitor's booth when meetings are held there."""
    if number is None:
        return ""
    return (_("Stan %(n)s") if booths else _("Meja %(n)s")) % {"n": number}


def time_range(starts_at: datetime, ends_at: datetime) -> str:
    """`09:00-09:30 WIB`: a slot in the venue's time, whatever zone is active."""
    start, end = starts_at.astimezone(JAKARTA), ends_at.astimezone(JAKARTA)
    return f"{start:%H:%M}-{end:%H:%M} WIB"


@dataclass(frozen=True)
class ProductLine:
    name: str
    tkdn_pct: Decimal | None  # None: no valid certificate today

    def __str__(self) -> str:
        if self.tkdn_pct is None:
            return _("%(name)s (tanpa sertifikat TKDN berlaku)") % {"name": self.name}
        return _("%(name)s (TKDN %(pct)s)") % {"name": self.name, "pct": percent(self.tkdn_pct)}


@dataclass(frozen=True)
class AgendaRow:
    """One meeting seen from one side: who sits across the table, and about what."""

    meeting: object  # matching.models.Meeting
    starts_at: datetime
    ends_at: datetime
    day: date  # in Jakarta
    time: str
    place: str
    other_name: str
    other_detail: str  # the buyer's OPD and position; empty for an exhibitor
    products: tuple[ProductLine, ...]  # the exhibitor's exhibited products
    needs: tuple[str, ...]  # what the buyer came to buy
    status: str
    status_label: str
    outcome: object | None  # matching.models.Outcome, once recorded

    @property
    def is_scheduled(self) -> bool:
        return self.status in SEATED_STATES


# An accepted meeting on an agenda is simply on the schedule.
STATUS_LABELS = {
    MeetingStatus.ACCEPTED: gettext_lazy("Terjadwal"),
    MeetingStatus.HELD: gettext_lazy("Terlaksana"),
    MeetingStatus.NO_SHOW: gettext_lazy("Tidak hadir"),
}


def _products(exhibitor) -> tuple[ProductLine, ...]:
    lines = []
    for product in exhibitor.products.all():
        content = product.local_content
        lines.append(ProductLine(product.name, content.tkdn_pct if content.certificate else None))
    return tuple(lines)


def _needs(meeting) -> tuple[str, ...]:
    if meeting.need is not None:
        return (meeting.need.description,)
    return tuple(need.description for need in meeting.buyer.needs.all())


def agenda_rows(meetings: Iterable, *, as_buyer: bool, booths: bool) -> list[AgendaRow]:
    """The meetings of one participant (a buyer when `as_buyer`) as agenda rows. A buyer
    reads the exhibitor's products (prefetched with their local content); an exhibitor the
    buyer's OPD, position and need (the buyer's needs prefetched)."""
    rows = []
    for meeting in meetings:
        slot = meeting.slot
        if as_buyer:
            other = meeting.exhibitor
            other_name, other_detail = other.vendor.name, ""
            products, needs = _products(other), ()
        else:
            officer = meeting.buyer.officer
            other_name = officer.user.full_name
            other_detail = f"{officer.opd.name} · {officer.get_position_display()}"
            products, needs = (), _needs(meeting)
        rows.append(
            AgendaRow(
                meeting=meeting,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                day=slot.starts_at.astimezone(JAKARTA).date(),
                time=time_range(slot.starts_at, slot.ends_at),
                place=place_label(meeting.table, booths=booths),
                other_name=other_name,
                other_detail=other_detail,
                products=products,
                needs=needs,
                status=meeting.status,
                status_label=str(STATUS_LABELS.get(meeting.status, meeting.get_status_display())),
                # Select "outcome" with the meetings: a missing one raises AttributeError.
                outcome=getattr(meeting, "outcome", None),
            )
        )
    return rows


@dataclass(frozen=True)
class AgendaDay:
    day: date
    rows: list[AgendaRow]


def agenda_days(rows: Sequence[AgendaRow]) -> list[AgendaDay]:
    ordered = sorted(rows, key=lambda r: (r.starts_at, r.place))
    return [AgendaDay(day, list(group)) for day, group in groupby(ordered, key=lambda r: r.day)]


def outcome_open(meeting, *, event_status: str, now: datetime, admin: bool) -> bool:
    """Whether the outcome of a meeting may be recorded now (the rule services.outcome_record
    enforces): the event is running or closed, the meeting is seated and its slot began; an
    admin may also correct a no-show."""
    allowed = (*SEATED_STATES, MeetingStatus.NO_SHOW) if admin else SEATED_STATES
    return (
        event_status in rules.ATTENDANCE_STATES
        and meeting.slot is not None
        and meeting.status in allowed
        and meeting.slot.starts_at <= now
    )


# --- iCalendar ----------------------------------------------------------------------------


def meeting_uid(meeting_pk: int, *, domain: str) -> str:
    """Stable across downloads, so a calendar updates the meeting instead of adding it again."""
    return f"temu-bisnis-pertemuan-{meeting_pk}@{domain}"


def _description(row: AgendaRow, *, note: str) -> str:
    lines = []
    if row.other_detail:
        lines.append(row.other_detail)
    if row.products:
        lines.append(_("Produk yang dipamerkan:"))
        lines.extend(f"- {line}" for line in row.products)
    if row.needs:
        lines.append(_("Kebutuhan pembeli:"))
        lines.extend(f"- {need}" for need in row.needs)
    if note:
        lines.append(_("Pesan: %(note)s") % {"note": note})
    return "\n".join(lines)


def agenda_ics(
    rows: Iterable[AgendaRow], *, event_name: str, venue: str, domain: str, stamp: datetime
) -> bytes:
    """A calendar with one event per scheduled meeting, times in UTC."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", event_name)
    for row in rows:
        if not row.is_scheduled:
            continue
        entry = icalendar.Event()
        entry.add("uid", meeting_uid(row.meeting.pk, domain=domain))
        entry.add("dtstamp", stamp.astimezone(UTC))
        entry.add("dtstart", row.starts_at.astimezone(UTC))
        entry.add("dtend", row.ends_at.astimezone(UTC))
        entry.add(
            "summary",
            _("Temu bisnis: %(other)s (%(event)s)")
            % {"other": row.other_name, "event": event_name},
        )
        entry.add("location", f"{venue}, {row.place}")
        entry.add("description", _description(row, note=row.meeting.note))
        calendar.add_component(entry)
    return calendar.to_ical()


# --- The hall's table sheet -------------------------------------------------------------------


@dataclass(frozen=True)
class SheetPlace:
    number: int
    label: str
    exhibitor: str  # the booth's exhibitor; empty for a table


@dataclass(frozen=True)
class SheetCell:
    buyer: str
    exhibitor: str
    status: str


@dataclass(frozen=True)
class SheetRow:
    time: str
    cells: list[SheetCell | None]


@dataclass(frozen=True)
class TableSheet:
    places: list[SheetPlace]
    rows: list[SheetRow]
    meetings: int


def table_sheet(
    *,
    slots: Sequence,
    meetings: Iterable,
    tables: int,
    booths: dict[int, str] | None = None,
) -> TableSheet:
    """A grid of one day's slots by table (or by booth, `booths` mapping booth numbers to
    exhibitor names) with who meets where. Tables a meeting uses beyond the event's count
    (the count was lowered after scheduling) get their own column."""
    grid: dict[tuple[int, int], SheetCell] = {}
    used: set[int] = set()
    for meeting in meetings:
        grid[(meeting.slot_id, meeting.table)] = SheetCell(
            buyer=meeting.buyer.name, exhibitor=meeting.exhibitor.vendor.name, status=meeting.status
        )
        used.add(meeting.table)
    if booths is not None:
        numbers = sorted(set(booths) | used)
        places = [SheetPlace(n, place_label(n, booths=True), booths.get(n, "")) for n in numbers]
    else:
        numbers = sorted(set(range(1, tables + 1)) | used)
        places = [SheetPlace(n, place_label(n, booths=False), "") for n in numbers]
    rows = [
        SheetRow(
            time=time_range(slot.starts_at, slot.ends_at),
            cells=[grid.get((slot.pk, n)) for n in numbers],
        )
        for slot in slots
    ]
    return TableSheet(places=places, rows=rows, meetings=len(grid))
