"""Procurement rules as pure functions (no ORM, no I/O): which method fits which value, the
small-business reservation, the package lifecycle and who may move it, and a bid's local
content share. Regulation: Perpres 16/2018 as amended by Perpres 12/2021 (see the domain
brief)."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    GOODS = "goods", _("Barang")
    CONSTRUCTION = "construction", _("Pekerjaan konstruksi")
    CONSULTANCY = "consultancy", _("Jasa konsultansi")
    OTHER_SERVICES = "other_services", _("Jasa lainnya")


class Method(models.TextChoices):
    E_PURCHASING = "e_purchasing", _("E-purchasing (katalog elektronik)")
    DIRECT_PROCUREMENT = "direct_procurement", _("Pengadaan langsung")
    DIRECT_APPOINTMENT = "direct_appointment", _("Penunjukan langsung")
    QUICK_TENDER = "quick_tender", _("Tender cepat")
    TENDER = "tender", _("Tender")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draf")
    ANNOUNCED = "announced", _("Diumumkan, menerima penawaran")
    CLOSED = "closed", _("Penawaran ditutup")
    EVALUATION = "evaluation", _("Evaluasi")
    OBJECTION = "objection", _("Pemenang diumumkan, masa sanggah")
    AWARDED = "awarded", _("Penetapan pemenang final")
    CONTRACTED = "contracted", _("Berkontrak")
    CANCELLED = "cancelled", _("Dibatalkan")
    FAILED = "failed", _("Gagal (tidak ada penawaran yang memenuhi syarat)")


class Formula(models.TextChoices):
    HEA_2021 = "hea_2021", _("HEA = (1 - KP) x HP (Perpres 12/2021)")
    HEA_2010 = "hea_2010", _("HEA = HP / (1 + KP), preferensi paling tinggi 15% (sebelum 2021)")


class Action(models.TextChoices):
    EDIT = "edit", _("mengubah paket")
    ANNOUNCE = "announce", _("mengumumkan paket")
    CLOSE = "close", _("menutup penawaran")
    EVALUATE = "evaluate", _("memulai evaluasi")
    ANNOUNCE_WINNER = "announce_winner", _("mengumumkan pemenang")
    ANSWER_OBJECTION = "answer_objection", _("menjawab sanggah")
    AWARD = "award", _("menetapkan pemenang")
    CONTRACT = "contract", _("mencatat kontrak")
    CANCEL = "cancel", _("membatalkan paket")
    FAIL = "fail", _("menyatakan paket gagal")
    VERDICT = "verdict", _("mengevaluasi administrasi dan teknis")
    CLARIFY = "clarify", _("mencatat klarifikasi harga")
    REOPEN = "reopen", _("membuka kembali evaluasi")


# Positions (procurement.models.Position values) allowed to take each action: the PPK sets
# the HPS and awards; the pokja or pejabat pengadaan runs the selection; the KPA, who holds
# the budget, may cancel.
PPK, PPTK, KPA = "ppk", "pptk", "kpa"
SELECTORS = ("pokja", "pejabat_pengadaan")
ALLOWED_POSITIONS: dict[str, frozenset[str]] = {
    Action.EDIT: frozenset({PPK, PPTK}),
    Action.ANNOUNCE: frozenset({PPK, *SELECTORS}),
    Action.CLOSE: frozenset({PPK, *SELECTORS}),
    Action.EVALUATE: frozenset({PPK, *SELECTORS}),
    Action.ANNOUNCE_WINNER: frozenset({PPK}),
    Action.ANSWER_OBJECTION: frozenset({PPK, *SELECTORS}),
    Action.AWARD: frozenset({PPK}),
    Action.CONTRACT: frozenset({PPK}),
    Action.CANCEL: frozenset({PPK, KPA}),
    Action.FAIL: frozenset({PPK, *SELECTORS}),
    # The administrative and technical evaluation and the price clarification are the
    # selection's work (Perlem LKPP 12/2021): the pokja, or the pejabat pengadaan.
    Action.VERDICT: frozenset(SELECTORS),
    Action.CLARIFY: frozenset(SELECTORS),
    # An upheld objection sends the package back to the selection.
    Action.REOPEN: frozenset({PPK, *SELECTORS}),
}

# Who sets the OPD's payment target (days from BAST to payment, the portal's own target): the
# PPK, who signs the BAST, and the KPA, who holds the budget.
PAYMENT_TARGET_POSITIONS = frozenset({PPK, KPA})

# The lifecycle: from which states each action may start, and where it leads.
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    Action.EDIT: (frozenset({Status.DRAFT}), None),
    Action.ANNOUNCE: (frozenset({Status.DRAFT}), Status.ANNOUNCED),
    Action.CLOSE: (frozenset({Status.ANNOUNCED}), Status.CLOSED),
    Action.EVALUATE: (frozenset({Status.CLOSED, Status.EVALUATION}), Status.EVALUATION),
    Action.ANNOUNCE_WINNER: (frozenset({Status.EVALUATION}), Status.OBJECTION),
    Action.ANSWER_OBJECTION: (frozenset({Status.OBJECTION}), None),
    Action.AWARD: (frozenset({Status.OBJECTION}), Status.AWARDED),
    Action.CONTRACT: (frozenset({Status.AWARDED}), Status.CONTRACTED),
    Action.CANCEL: (
        frozenset(
            {Status.DRAFT, Status.ANNOUNCED, Status.CLOSED, Status.EVALUATION, Status.OBJECTION}
        ),
        Status.CANCELLED,
    ),
    Action.FAIL: (frozenset({Status.CLOSED, Status.EVALUATION}), Status.FAILED),
    Action.VERDICT: (frozenset({Status.EVALUATION}), None),
    Action.CLARIFY: (frozenset({Status.EVALUATION}), None),
    Action.REOPEN: (frozenset({Status.OBJECTION}), Status.EVALUATION),
}

FINAL_STATES = frozenset({Status.CONTRACTED, Status.CANCELLED, Status.FAILED})
# States in which bids are sealed: their prices and existence are the bidder's alone.
SEALED_STATES = frozenset({Status.DRAFT, Status.ANNOUNCED})

OBJECTION_DAYS = 5
# The performance guarantee (jaminan pelaksanaan): 5% of the contract value, or 5% of the
# HPS when the winner's total was under 80% of the HPS and its clarification was accepted.
PERFORMANCE_GUARANTEE_PCT = Decimal("5")
RESERVATION_CEILING = Decimal("15000000000")  # pagu up to Rp15 billion: for small business
PREFERENCE_MAX_PCT = Decimal("25")
# Direct procurement (pengadaan langsung) ceilings by category (Perpres 12/2021 art. 38).
DIRECT_PROCUREMENT_MAX = {
    Category.GOODS: Decimal("200000000"),
    Category.CONSTRUCTION: Decimal("200000000"),
    Category.OTHER_SERVICES: Decimal("200000000"),
    Category.CONSULTANCY: Decimal("100000000"),
}
PERCENT = Decimal("0.01")


def bid_is_sealed(*, package_status: str, opened: bool) -> bool:
    """A bid stays its bidder's alone (that it exists, who made it, its receipt and prices)
    until it is opened at closing. One that never was (a package cancelled before its
    deadline, a version replaced or withdrawn before closing) stays sealed for ever."""
    return package_status in SEALED_STATES or not opened


def sealed_bids(prefix: str = "") -> models.Q:
    """`bid_is_sealed` as a filter on bids; `prefix` is the path to the bid ("bid__")."""
    return models.Q(**{f"{prefix}package__status__in": SEALED_STATES}) | models.Q(
        **{f"{prefix}opened_at__isnull": True}
    )


def may(position: str, action: str) -> bool:
    return position in ALLOWED_POSITIONS[action]


def next_status(status: str, action: str) -> str | None:
    """The state an action leads to from `status`, or None when it cannot start there
    (actions that keep the state return the same state)."""
    sources, target = TRANSITIONS[action]
    if status not in sources:
        return None
    return target or status


def method_fits_value(*, method: str, category: str, hps: Decimal) -> bool:
    """Direct procurement only up to its ceiling; tenders only above it."""
    ceiling = DIRECT_PROCUREMENT_MAX[Category(category)]
    if method == Method.DIRECT_PROCUREMENT:
        return hps <= ceiling
    if method in (Method.TENDER, Method.QUICK_TENDER):
        return hps > ceiling
    return True


def reserved_for_small_business(*, pagu: Decimal, exception_reason: str = "") -> bool:
    """Art. 65: packages up to Rp15 billion go to small businesses, unless the officer
    records why the work needs capability they cannot offer."""
    return pagu <= RESERVATION_CEILING and not exception_reason.strip()


@dataclass(frozen=True)
class LineFigures:
    quantity: Decimal
    unit_price: Decimal
    tkdn_pct: Decimal
    bmp_pct: Decimal


@dataclass(frozen=True)
class BidLocalContent:
    total: Decimal
    tkdn_pct: Decimal  # price-weighted TKDN, two places, half up
    tkdn_bmp_pct: Decimal  # price-weighted TKDN + BMP, likewise

    @property
    def bmp_pct(self) -> Decimal:
        return self.tkdn_bmp_pct - self.tkdn_pct


def bid_local_content(lines: Iterable[LineFigures]) -> BidLocalContent:
    """Local content share of a bid = sum(q x p x TKDN) / sum(q x p) over its items, and
    likewise for TKDN + BMP; two decimal places, half up."""
    total = weighted_tkdn = weighted_both = Decimal(0)
    for line in lines:
        value = line.quantity * line.unit_price
        total += value
        weighted_tkdn += value * line.tkdn_pct
        weighted_both += value * (line.tkdn_pct + line.bmp_pct)
    if total == 0:
        return BidLocalContent(total, Decimal("0.00"), Decimal("0.00"))
    return BidLocalContent(
        total,
        (weighted_tkdn / total).quantize(PERCENT, rounding=ROUND_HALF_UP),
        (weighted_both / total).quantize(PERCENT, rounding=ROUND_HALF_UP),
    )


@dataclass(frozen=True)
class Guarantee:
    amount: Decimal
    low_price: bool  # 5% of the HPS (a low price kept after clarification), else of the value


def performance_guarantee(*, contract_value: Decimal, hps: Decimal, low_price: bool) -> Decimal:
    """5% of the contract value, or of the HPS for a low price kept after clarification."""
    base = hps if low_price else contract_value
    return (base * PERFORMANCE_GUARANTEE_PCT / 100).quantize(PERCENT, rounding=ROUND_HALF_UP)


def kbli_matches(item_kbli: str, product_kbli: str) -> bool:
    """A product fits an item of the same KBLI; an item without a KBLI accepts any."""
    return not item_kbli or item_kbli == product_kbli


class BidStanding(models.TextChoices):
    """Where a vendor's bid stands, as its list of bids reads it: after the winner is
    announced an active bid has won or not, rather than simply being "active"."""

    ACTIVE = "active", _("Aktif")
    WINNER_ANNOUNCED = "winner_announced", _("Diumumkan sebagai pemenang (masa sanggah)")
    WON = "won", _("Menang")
    NOT_WON = "not_won", _("Tidak menang")
    NO_WINNER = "no_winner", _("Paket berakhir tanpa pemenang")
    SUPERSEDED = "superseded", _("Diganti revisi")
    WITHDRAWN = "withdrawn", _("Ditarik")


def bid_standing(*, bid_status: str, package_status: str, is_winner: bool) -> BidStanding:
    """A bid version's standing from its own status (active, superseded, withdrawn), its
    package's and whether it is the package's winning bid."""
    if bid_status == "superseded":
        return BidStanding.SUPERSEDED
    if bid_status == "withdrawn":
        return BidStanding.WITHDRAWN
    if package_status in (Status.FAILED, Status.CANCELLED):
        return BidStanding.NO_WINNER
    if package_status in (Status.OBJECTION, Status.AWARDED, Status.CONTRACTED):
        if not is_winner:
            return BidStanding.NOT_WON
        if package_status == Status.OBJECTION:
            return BidStanding.WINNER_ANNOUNCED
        return BidStanding.WON
    return BidStanding.ACTIVE
