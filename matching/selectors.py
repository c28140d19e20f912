"""Business matching reads: who takes part for a user, their agendas and exhibitable
products, the held meeting a package may grow from; the figures of an event for Dinas
PPKUKM (dashboard and XLSX read the same numbers), and the querysets the admin pages list."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from matching import scheduling
from matching.models import (
    Event,
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantKind,
    ParticipantStatus,
    RunStatus,
    ScheduleRun,
)
from procurement.models import Bid, BidStatus, Officer
from procurement.rules import Status as PackageStatus
from vendors.models import CertificateStatus, Product, Vendor
from vendors.selectors import products_with_local_content

# --- Who is who, and what a participant sees -------------------------------------------------


def participant_for_user(*, event: Event, user: User) -> Participant | None:
    """The user's own participation in the event: as its OPD officer or its vendor's member."""
    if not user.is_authenticated:
        return None
    if officer := user.opd_officer:
        return event.participants.filter(officer=officer).first()
    if member := user.vendor_member:
        return event.participants.filter(vendor=member.vendor_id).first()
    return None


def acts_for(participant: Participant, user: User) -> bool:
    """Whether the user speaks for the participant: its officer, or a member of its vendor."""
    if participant.is_buyer:
        officer = user.opd_officer
        return officer is not None and officer.pk == participant.officer_id
    member = user.vendor_member
    return member is not None and member.vendor_id == participant.vendor_id


def agenda_meetings(*, participant: Participant) -> QuerySet[Meeting]:
    side = "buyer" if participant.is_buyer else "exhibitor"
    return (
        Meeting.objects.filter(
            **{side: participant},
            status__in=(MeetingStatus.ACCEPTED, MeetingStatus.HELD, MeetingStatus.NO_SHOW),
            slot__isnull=False,
        )
        .select_related(
            "slot",
            "need",
            "buyer__officer__user",
            "buyer__officer__opd",
            "exhibitor__vendor",
        )
        .order_by("slot__starts_at", "table")
    )


def exhibitable_products(*, vendor: Vendor) -> QuerySet[Product]:
    """The vendor's active products with a verified TKDN certificate valid today."""
    today = timezone.localdate()
    return (
        products_with_local_content(on=today)
        .filter(
            vendor=vendor,
            is_active=True,
            tkdn_certificates__status=CertificateStatus.VERIFIED,
            tkdn_certificates__expires_on__gte=today,
        )
        .distinct()
        .order_by("name")
    )


def can_record_outcome(*, meeting: Meeting, user: User) -> bool:
    return user.is_staff or acts_for(meeting.buyer, user)


def meetings_for_package(*, officer: Officer) -> QuerySet[Meeting]:
    """Held meetings of the officer's OPD that a new package may grow from (those whose
    follow-up is not already a package)."""
    return (
        Meeting.objects.filter(status=MeetingStatus.HELD, buyer__officer__opd=officer.opd_id)
        .exclude(outcome__package__isnull=False)
        .select_related("need", "exhibitor__vendor", "event")
    )


def package_initial_from_meeting(meeting: Meeting) -> dict:
    """What a package created after a meeting starts with: the need it answered."""
    need = meeting.need
    title = need.description.splitlines()[0][:250] if need else ""
    description = _("Tindak lanjut temu bisnis {event} dengan {vendor}.").format(
        event=meeting.event.name, vendor=meeting.exhibitor.vendor.name
    )
    initial = {"title": title, "description": description}
    if need:
        initial["fiscal_year"] = need.fiscal_year
        if need.estimated_budget:
            initial["pagu"] = need.estimated_budget
    return initial


def participant_counts(*, event: Event) -> dict[str, int]:
    return {
        f"{row['kind']}_{row['status']}": row["n"]
        for row in event.participants.values("kind", "status").annotate(n=Count("pk"))
    }


# --- Why a meeting has no slot -----------------------------------------------------------------

NO_SLOTS_LEFT = "no_slots_left"  # services.schedule_execute: no slot of the event is ahead

UNSCHEDULED_REASONS: dict[str, Promise] = {
    scheduling.REASON_SELF: _("Pembeli dan peserta pameran adalah pihak yang sama."),
    scheduling.REASON_NO_COMMON_SLOT: _(
        "Tidak ada sesi yang bisa dihadiri pembeli dan peserta pameran sekaligus: periksa "
        "sesi berhalangan keduanya."
    ),
    scheduling.REASON_BUYER_FULL: _(
        "Jadwal pembeli sudah penuh di semua sesi yang bisa dihadiri keduanya."
    ),
    scheduling.REASON_SELLER_FULL: _(
        "Jadwal peserta pameran sudah penuh di semua sesi yang bisa dihadiri keduanya."
    ),
    scheduling.REASON_NO_TABLE: _(
        "Semua meja sudah terpakai di sesi yang masih kosong bagi keduanya: tambah jumlah meja "
        "atau hari acara."
    ),
    scheduling.REASON_CROWDED_OUT: _(
        "Tidak ada sesi yang masih kosong bagi keduanya sekaligus: sesi yang cocok sudah terisi "
        "pertemuan lain yang lebih diutamakan."
    ),
    scheduling.REASON_LOCK_INVALID: _("Sesi atau meja yang dikunci berada di luar jadwal acara."),
    scheduling.REASON_LOCK_UNAVAILABLE: _(
        "Sesi yang dikunci tidak bisa dihadiri pembeli atau peserta pameran."
    ),
    scheduling.REASON_LOCK_CONFLICT: _(
        "Sesi dan meja yang dikunci bentrok dengan pertemuan lain yang dikunci."
    ),
    NO_SLOTS_LEFT: _(
        "Tidak ada lagi sesi acara yang belum dimulai: pertemuan ini tidak dapat dijadwalkan."
    ),
}


def unscheduled_reason_text(code: str) -> str:
    """The sentence an admin reads for a scheduler reason code, in the reader's language (the
    code itself when a newer scheduler returns one this list does not know yet)."""
    if not code:
        return ""
    return str(UNSCHEDULED_REASONS.get(code) or code)


# --- Figures ----------------------------------------------------------------------------------

# Meetings both sides agreed to (or an admin added), whatever came of them later.
AGREED_STATES = (MeetingStatus.ACCEPTED, MeetingStatus.HELD, MeetingStatus.NO_SHOW)
AWARDED_PACKAGE_STATES = (PackageStatus.AWARDED, PackageStatus.CONTRACTED)

# The path of a meeting to a transaction: each step is a subset of the one before.
_INTEREST = Q(status=MeetingStatus.HELD, outcome__interest=True)
_PACKAGE = _INTEREST & Q(outcome__package__isnull=False)
_PACKAGE_BIDS = _PACKAGE & Q(
    Exists(Bid.objects.filter(package=OuterRef("outcome__package"), status=BidStatus.ACTIVE))
)
_AWARDED = _PACKAGE_BIDS & Q(
    outcome__package__status__in=AWARDED_PACKAGE_STATES,
    outcome__package__winner__vendor=F("exhibitor__vendor"),
)
_MONEY = DecimalField(max_digits=20, decimal_places=2)


def meeting_measures() -> dict:
    """Aggregates over meetings: one SQL query for a whole event or one row per group. The
    joins (outcome, its package, the package's winning bid) are all to-one: no double
    counting."""
    return {
        "requested": Count("pk"),
        "pending": Count("pk", filter=Q(status=MeetingStatus.PENDING)),
        "accepted": Count("pk", filter=Q(status__in=AGREED_STATES)),
        "scheduled": Count("pk", filter=Q(status__in=AGREED_STATES, slot__isnull=False)),
        "held": Count("pk", filter=Q(status=MeetingStatus.HELD)),
        "no_show": Count("pk", filter=Q(status=MeetingStatus.NO_SHOW)),
        "declined": Count("pk", filter=Q(status=MeetingStatus.DECLINED)),
        "expired": Count("pk", filter=Q(status=MeetingStatus.EXPIRED)),
        "cancelled": Count(
            "pk", filter=Q(status__in=(MeetingStatus.WITHDRAWN, MeetingStatus.REMOVED))
        ),
        "interest": Count("pk", filter=_INTEREST),
        "interest_value": Coalesce(
            Sum("outcome__estimated_value", filter=_INTEREST),
            Value(Decimal("0")),
            output_field=_MONEY,
        ),
        "package_linked": Count("pk", filter=_PACKAGE),
        "package_bids": Count("pk", filter=_PACKAGE_BIDS),
        "awarded": Count("pk", filter=_AWARDED),
    }


MEETING_MEASURES = tuple(meeting_measures())


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int | Decimal
    money: bool = False
    bar: int = 0  # width of its bar, percent of the largest figure of its chart


def _bars(rows: list[tuple[str, str, int]]) -> list[Figure]:
    top = max((value for _key, _label, value in rows), default=0)
    return [
        Figure(key, label, value, bar=round(value * 100 / top) if top else 0)
        for key, label, value in rows
    ]


@dataclass(frozen=True)
class MeetingFigures:
    requested: int = 0
    pending: int = 0
    accepted: int = 0
    scheduled: int = 0
    held: int = 0
    no_show: int = 0
    declined: int = 0
    expired: int = 0
    cancelled: int = 0
    interest: int = 0
    interest_value: Decimal = Decimal("0")
    package_linked: int = 0
    package_bids: int = 0
    awarded: int = 0


@dataclass(frozen=True)
class EventFigures(MeetingFigures):
    buyers: int = 0
    exhibitors_applied: int = 0
    exhibitors_accepted: int = 0
    exhibitors_waiting: int = 0

    def participant_rows(self) -> list[Figure]:
        return [
            Figure("buyers", str(_("Pembeli (pejabat OPD)")), self.buyers),
            Figure(
                "exhibitors_applied", str(_("Peserta pameran mendaftar")), self.exhibitors_applied
            ),
            Figure(
                "exhibitors_accepted", str(_("Peserta pameran diterima")), self.exhibitors_accepted
            ),
            Figure(
                "exhibitors_waiting",
                str(_("Peserta pameran menunggu keputusan")),
                self.exhibitors_waiting,
            ),
        ]

    def meeting_rows(self) -> list[Figure]:
        """From request to meeting, with what fell off on the way."""
        return _bars(
            [
                ("requested", str(_("Permintaan pertemuan")), self.requested),
                ("pending", str(_("Menunggu jawaban")), self.pending),
                ("accepted", str(_("Disetujui kedua pihak")), self.accepted),
                ("scheduled", str(_("Terjadwal")), self.scheduled),
                ("held", str(_("Terlaksana")), self.held),
                ("no_show", str(_("Tidak hadir")), self.no_show),
                ("declined", str(_("Ditolak")), self.declined),
                ("expired", str(_("Kedaluwarsa")), self.expired),
                ("cancelled", str(_("Dibatalkan atau dihapus")), self.cancelled),
            ]
        )

    def path_rows(self) -> list[Figure]:
        """From a held meeting to an award: each step a part of the one before."""
        return _bars(
            [
                ("held", str(_("Pertemuan terlaksana")), self.held),
                ("interest", str(_("Dengan pernyataan minat")), self.interest),
                ("package_linked", str(_("Ditautkan ke paket pengadaan")), self.package_linked),
                ("package_bids", str(_("Paketnya sudah menerima penawaran")), self.package_bids),
                ("awarded", str(_("Dimenangkan peserta pameran itu")), self.awarded),
            ]
        )

    def value_row(self) -> Figure:
        return Figure(
            "interest_value",
            str(_("Nilai pernyataan minat (Rp)")),
            self.interest_value,
            money=True,
        )

    def summary_rows(self) -> list[Figure]:
        """Every figure once, in the dashboard's order: the XLSX summary sheet."""
        seen: set[str] = set()
        rows = []
        for figure in [
            *self.participant_rows(),
            *self.meeting_rows(),
            *self.path_rows(),
            self.value_row(),
        ]:
            if figure.key not in seen:
                seen.add(figure.key)
                rows.append(figure)
        return rows


def event_figures(*, event: Event) -> EventFigures:
    """Participants, meetings and their outcomes of one event: two queries."""
    people = {
        (row["kind"], row["status"]): row["n"]
        for row in event.participants.values("kind", "status").annotate(n=Count("pk")).order_by()
    }
    exhibitors = {s: n for (k, s), n in people.items() if k == ParticipantKind.EXHIBITOR}
    meetings = Meeting.objects.filter(event=event).aggregate(**meeting_measures())
    return EventFigures(
        buyers=people.get((ParticipantKind.BUYER, ParticipantStatus.ACCEPTED), 0),
        exhibitors_applied=sum(exhibitors.values()),
        exhibitors_accepted=exhibitors.get(ParticipantStatus.ACCEPTED, 0),
        exhibitors_waiting=exhibitors.get(ParticipantStatus.APPLIED, 0),
        **meetings,
    )


@dataclass
class BreakdownRow:
    """One OPD or one exhibitor: how many took part and what their meetings came to."""

    key: int
    name: str
    participants: int = 0
    booth: int | None = None
    figures: MeetingFigures = field(default_factory=MeetingFigures)


def _measures_of(row: dict) -> MeetingFigures:
    return MeetingFigures(**{name: row[name] for name in MEETING_MEASURES})


def opd_breakdown(*, event: Event) -> list[BreakdownRow]:
    """Per buyer OPD: accepted buyers and their meetings' figures; two queries."""
    rows: dict[int, BreakdownRow] = {}
    for row in (
        event.participants.filter(kind=ParticipantKind.BUYER, status=ParticipantStatus.ACCEPTED)
        .values("officer__opd_id", "officer__opd__name")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        rows[row["officer__opd_id"]] = BreakdownRow(
            row["officer__opd_id"], row["officer__opd__name"], participants=row["n"]
        )
    for row in (
        Meeting.objects.filter(event=event)
        .values("buyer__officer__opd_id", "buyer__officer__opd__name")
        .annotate(**meeting_measures())
        .order_by()
    ):
        key = row["buyer__officer__opd_id"]
        found = rows.setdefault(key, BreakdownRow(key, row["buyer__officer__opd__name"]))
        found.figures = _measures_of(row)
    return sorted(rows.values(), key=lambda r: (-r.figures.interest_value, r.name, r.key))


def exhibitor_breakdown(*, event: Event) -> list[BreakdownRow]:
    """Per exhibitor (accepted ones, and any other that has meetings); two queries."""
    rows: dict[int, BreakdownRow] = {}
    for pk, name, booth in (
        event.participants.filter(kind=ParticipantKind.EXHIBITOR, status=ParticipantStatus.ACCEPTED)
        .values_list("pk", "vendor__name", "booth")
        .order_by("booth", "pk")
    ):
        rows[pk] = BreakdownRow(pk, name, participants=1, booth=booth)
    for row in (
        Meeting.objects.filter(event=event)
        .values("exhibitor_id", "exhibitor__vendor__name", "exhibitor__booth")
        .annotate(**meeting_measures())
        .order_by()
    ):
        key = row["exhibitor_id"]
        found = rows.setdefault(
            key,
            BreakdownRow(key, row["exhibitor__vendor__name"], booth=row["exhibitor__booth"]),
        )
        found.figures = _measures_of(row)
    return sorted(rows.values(), key=lambda r: (-r.figures.interest_value, r.name, r.key))


# --- Lists ------------------------------------------------------------------------------------


def event_meetings(*, event: Event) -> QuerySet[Meeting]:
    """Every meeting of the event with both sides, its slot and its outcome (to the award)."""
    return (
        Meeting.objects.filter(event=event)
        .select_related(
            "slot",
            "buyer__officer__user",
            "buyer__officer__opd",
            "exhibitor__vendor",
            "outcome__package__winner",
        )
        .order_by(F("slot__starts_at").asc(nulls_last=True), "table", "pk")
    )


def meeting_awarded(meeting: Meeting) -> bool | None:
    """Whether the package linked to the meeting's outcome went to the exhibitor; None when
    no package is linked. Reads what event_meetings selected."""
    outcome = getattr(meeting, "outcome", None)
    if outcome is None or outcome.package is None:
        return None
    package = outcome.package
    return (
        package.status in AWARDED_PACKAGE_STATES
        and package.winner is not None
        and package.winner.vendor_id == meeting.exhibitor.vendor_id
    )


def event_participants(*, event: Event) -> QuerySet[Participant]:
    return (
        event.participants.select_related("vendor", "officer__user", "officer__opd")
        .prefetch_related("products", "needs")
        .order_by("kind", "booth", "pk")
    )


def unscheduled_meetings(*, event: Event) -> QuerySet[Meeting]:
    """Agreed meetings still without a slot, highest priority first."""
    return (
        Meeting.objects.filter(event=event, status=MeetingStatus.ACCEPTED, slot__isnull=True)
        .select_related("buyer__officer__user", "buyer__officer__opd", "exhibitor__vendor")
        .order_by("-priority", "pk")
    )


def schedule_runs(*, event: Event, limit: int = 20) -> list[ScheduleRun]:
    return list(
        event.schedule_runs.select_related("requested_by", "from_slot").order_by(
            "-requested_at", "-pk"
        )[:limit]
    )


def run_unscheduled(*, run: ScheduleRun) -> list[tuple[Meeting | None, str, str]]:
    """The meetings a run left out, each with its reason sentence: (meeting or None when it
    is gone, meeting id, reason)."""
    ids = [int(key) for key in run.unscheduled if str(key).isdigit()]
    meetings = Meeting.objects.filter(pk__in=ids, event_id=run.event_id).select_related(
        "buyer__officer__user", "buyer__officer__opd", "exhibitor__vendor"
    )
    found = {str(m.pk): m for m in meetings}
    return [
        (found.get(str(key)), str(key), unscheduled_reason_text(code))
        for key, code in sorted(run.unscheduled.items(), key=lambda kv: int(kv[0]))
    ]


RUN_PENDING = (RunStatus.QUEUED, RunStatus.RUNNING)
