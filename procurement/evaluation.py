"""The evaluation rules, pure (no ORM, no I/O), in the order the Pokja applies them (Perlem
LKPP 12/2021, "sistem gugur"): arithmetic correction, then, for the bids that passed the
administrative and technical evaluation, the price checks (above the HPS fails; unbalanced
unit prices and low totals are flags for clarification), the domestic-product ladder
(Perpres 16/2018 art. 66 as amended) over the bids still standing, the price preference and
the final evaluated price HEA (Perpres 12/2021 art. 67; the pre-2021 formula stays
computable), and the ranking. Every rule that changes a bid's fate adds a reason, as a code
with parameters (worded in the reader's language when shown) and in Indonesian words."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from itertools import pairwise

from django.utils.translation import gettext_noop

from vendors.rules import Tier, tkdn_tier

GOODS = "goods"
HEA_2021 = "hea_2021"  # HEA = (1 - KP) x HP
HEA_2010 = "hea_2010"  # HEA = HP / (1 + KP), preference capped at 15%
FORMULAS = (HEA_2021, HEA_2010)
PREFERENCE_HPS_FLOOR = Decimal("1000000000")  # preference only when HPS is above Rp1 billion
PREFERENCE_TKDN_MIN = Decimal("25")
PREFERENCE_CAP = {HEA_2021: Decimal("25"), HEA_2010: Decimal("15")}
HUNDRED = Decimal(100)
# v2: arithmetic correction, the HPS cap and the ladder over the bids still standing.
RULE_VERSION = "perpres-12-2021/v2"


@dataclass(frozen=True)
class PackageTerms:
    category: str  # "goods", "construction", "consultancy", "other_services"
    hps: Decimal  # owner's estimate, Rupiah
    max_preference_pct: Decimal  # e.g. Decimal("25")
    formula: str  # "hea_2021": HEA = (1 - KP) x HP ; "hea_2010": HEA = HP / (1 + KP)
    pdn_required: bool = True  # apply the domestic-product ladder


@dataclass(frozen=True)
class BidFigures:
    bid_id: str
    price: Decimal  # HP, bid price after arithmetic correction
    tkdn_pct: Decimal  # the bid's local content share, 0-100
    bmp_pct: Decimal  # 0-15
    submitted_at: datetime
    passed_evaluation: bool = True  # administrative and technical evaluation
    price_reasonable: bool = True  # False when a low price's clarification was not accepted

    @classmethod
    def of_shares(
        cls,
        bid_id: object,
        *,
        price: Decimal,
        tkdn_pct: Decimal,
        tkdn_bmp_pct: Decimal,
        submitted_at: datetime,
        passed_evaluation: bool = True,
        price_reasonable: bool = True,
    ) -> "BidFigures":
        """A bid as the portal records it: its TKDN and its TKDN + BMP, each weighted by
        price and rounded on its own (procurement.rules.bid_local_content); the BMP the
        ladder reads is their difference. The evaluation, the ranking page and the scale
        seeder all build a bid's figures here."""
        return cls(
            bid_id=str(bid_id),
            price=price,
            tkdn_pct=tkdn_pct,
            bmp_pct=tkdn_bmp_pct - tkdn_pct,
            submitted_at=submitted_at,
            passed_evaluation=passed_evaluation,
            price_reasonable=price_reasonable,
        )


@dataclass(frozen=True)
class RankedBid:
    bid_id: str
    eligible: bool
    tier: str  # "T1", "T2", "T3", "T4"
    kp: Decimal  # preference coefficient as a fraction, e.g. Decimal("0.15")
    hea: Decimal  # final evaluated price, Rupiah (exact; display rounds)
    rank: int | None  # 1 = winner; None when not eligible
    reasons: tuple[str, ...]  # why, in words: every rule that changed this bid's fate
    reason_codes: tuple["Reason", ...] = ()  # the same reasons as codes with parameters


def _pct(value: Decimal) -> str:
    """A percentage the Indonesian way, as the reasons are read: 48,20%."""
    return f"{value.quantize(Decimal('0.01')):f}".replace(".", ",") + "%"


def _rp(value: Decimal) -> str:
    """Rupiah the Indonesian way, whole Rupiah: Rp1.050.000."""
    whole = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"Rp{whole:,f}".replace(",", ".")


# Reasons and notes ------------------------------------------------------------------------------
# Stored as a code with parameters and worded in the reader's language when shown
# (procurement.reasons); the texts below are the source (Indonesian) of those translations.
# Parameters ending in `_pct` are percentages and in `_rp` Rupiah, written as plain decimals.


@dataclass(frozen=True)
class Reason:
    code: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, code: str, **params: object) -> "Reason":
        return cls(code, tuple((name, _plain(value)) for name, value in sorted(params.items())))

    def as_dict(self) -> dict:
        return {"code": self.code, "params": dict(self.params)}


def _plain(value: object) -> str:
    return f"{value:f}" if isinstance(value, Decimal) else str(value)


FAILED_EVALUATION = "failed_evaluation"
ABOVE_HPS = "above_hps"
PRICE_UNREASONABLE = "price_unreasonable"
LADDER = "ladder"
NO_PREFERENCE_SCOPE = "no_preference_scope"
NO_PREFERENCE_TKDN = "no_preference_tkdn"
PREFERENCE = "preference"
TIE_TKDN = "tie_tkdn"
TIE_EARLIER = "tie_earlier"
VOLUME_CORRECTED = "volume_corrected"
ITEM_UNPRICED = "item_unpriced"
ITEM_NOT_IN_DOCUMENT = "item_not_in_document"
UNBALANCED = "unbalanced"
UNREASONABLY_LOW = "unreasonably_low"
KBLI_MISMATCH = "kbli_mismatch"
# The checks on the bid's frozen snapshot and the evaluator's verdict (procurement.services).
VENDOR_NOT_VERIFIED = "vendor_not_verified"
RESERVED_NOT_SMALL = "reserved_not_small"
MIN_TKDN_NOT_MET = "min_tkdn_not_met"
CERTIFICATE_REVOKED = "certificate_revoked"
CERTIFICATE_EXPIRED = "certificate_expired"
HALAL_MISSING = "halal_missing"
VENDOR_BLACKLISTED = "vendor_blacklisted"
VENDOR_BLACKLISTED_OPEN = "vendor_blacklisted_open"
VERDICT_FAILED = "verdict_failed"
VERDICT_PENDING = "verdict_pending"
CLARIFICATION_PENDING = "clarification_pending"
CLARIFICATION_ACCEPTED = "clarification_accepted"

REASON_TEXT = {
    FAILED_EVALUATION: gettext_noop("Tidak lulus evaluasi administrasi dan teknis."),
    ABOVE_HPS: gettext_noop(
        "Gugur pada evaluasi harga: harga terkoreksi {price_rp} di atas HPS {hps_rp}."
    ),
    PRICE_UNREASONABLE: gettext_noop(
        "Gugur pada evaluasi harga: klarifikasi kewajaran harga tidak diterima."
    ),
    LADDER: gettext_noop(
        "Gugur karena kewajiban produk dalam negeri: tier {tier}, sedangkan ada penawaran "
        "tier {allowed} (Perpres 16/2018 pasal 66)."
    ),
    NO_PREFERENCE_SCOPE: gettext_noop(
        "Tanpa preferensi harga: hanya untuk pengadaan barang dengan HPS di atas {floor_rp}."
    ),
    NO_PREFERENCE_TKDN: gettext_noop(
        "Tanpa preferensi harga: TKDN {tkdn_pct} di bawah {minimum_pct}."
    ),
    PREFERENCE: gettext_noop(
        "Preferensi harga: KP = TKDN {tkdn_pct} × preferensi {preference_pct} = {kp_pct}."
    ),
    TIE_TKDN: gettext_noop(
        "HEA sama dengan peringkat {rank}; diurutkan menurut TKDN lebih tinggi."
    ),
    TIE_EARLIER: gettext_noop(
        "HEA sama dengan peringkat {rank}; diurutkan menurut penawaran lebih awal."
    ),
    VOLUME_CORRECTED: gettext_noop(
        "Koreksi aritmatika, rincian {item}: volume {offered} diganti volume dokumen "
        "{document}; harga satuan tetap."
    ),
    ITEM_UNPRICED: gettext_noop(
        "Koreksi aritmatika, rincian {item}: tanpa harga satuan, dianggap sudah termasuk dalam "
        "harga rincian lain (nilai 0)."
    ),
    ITEM_NOT_IN_DOCUMENT: gettext_noop(
        "Koreksi aritmatika: rincian {item} tidak ada dalam dokumen pemilihan, dihapus (nilai 0)."
    ),
    UNBALANCED: gettext_noop(
        "Harga satuan timpang, rincian {item}: {unit_price_rp} = {ratio_pct} dari harga satuan "
        "HPS {hps_unit_price_rp} (di atas 110%): diklarifikasi dengan penyedia; bila "
        "dikonfirmasi, harga satuan itu berlaku hanya untuk volume dokumen."
    ),
    UNREASONABLY_LOW: gettext_noop(
        "Total terkoreksi {total_rp} = {ratio_pct} dari HPS {hps_rp} (di bawah 80%): perlu "
        "klarifikasi kewajaran harga; jika diterima, jaminan pelaksanaan 5% HPS."
    ),
    KBLI_MISMATCH: gettext_noop(
        "Rincian {item}: KBLI produk {product_kbli} berbeda dengan KBLI rincian {item_kbli}; "
        "diperiksa evaluator pada evaluasi teknis."
    ),
    VENDOR_NOT_VERIFIED: gettext_noop("Penyedia belum terverifikasi Dinas PPKUKM."),
    RESERVED_NOT_SMALL: gettext_noop(
        "Paket dicadangkan untuk usaha kecil (mikro dan kecil); skala usaha penyedia {scale}."
    ),
    MIN_TKDN_NOT_MET: gettext_noop(
        "TKDN penawaran {tkdn_pct} di bawah TKDN minimal paket {minimum_pct}."
    ),
    CERTIFICATE_REVOKED: gettext_noop(
        "Sertifikat {number} ditolak atau dicabut setelah penawaran diajukan; penawaran gugur."
    ),
    CERTIFICATE_EXPIRED: gettext_noop(
        "Sertifikat {number} tidak berlaku lagi pada tanggal batas akhir penawaran."
    ),
    HALAL_MISSING: gettext_noop(
        "Paket wajib halal: produk makanan/minuman {products} tanpa sertifikat halal yang berlaku."
    ),
    VENDOR_BLACKLISTED: gettext_noop(
        "Gugur pada kualifikasi: penyedia masuk daftar hitam {starts_on} sampai {last_on} "
        "(keputusan {reference}) dengan alasan: {reason}"
    ),
    VENDOR_BLACKLISTED_OPEN: gettext_noop(
        "Gugur pada kualifikasi: penyedia masuk daftar hitam sejak {starts_on}, tanpa batas "
        "waktu (keputusan {reference}) dengan alasan: {reason}"
    ),
    VERDICT_FAILED: gettext_noop(
        "Gugur pada evaluasi administrasi dan teknis (persyaratan: {requirements}): {reason}"
    ),
    VERDICT_PENDING: gettext_noop("Menunggu keputusan evaluasi administrasi dan teknis."),
    CLARIFICATION_PENDING: gettext_noop("Menunggu hasil klarifikasi kewajaran harga."),
    CLARIFICATION_ACCEPTED: gettext_noop("Klarifikasi kewajaran harga diterima: {reason}"),
}


def reason_text(reason: Reason) -> str:
    """The reason in Indonesian, the way the pure core words it (the display layer words it
    in the reader's language from the same code)."""
    params = {}
    for name, value in reason.params:
        if name.endswith("_pct"):
            params[name] = _pct(Decimal(value))
        elif name.endswith("_rp"):
            params[name] = _rp(Decimal(value))
        else:
            params[name] = value
    return REASON_TEXT[reason.code].format(**params)


# Arithmetic correction and price checks (Perlem LKPP 12/2021) --------------------------------


@dataclass(frozen=True)
class ItemTerms:
    item_id: str
    quantity: Decimal  # volume in the selection document
    hps_unit_price: Decimal
    name: str = ""  # how the notes name the item; the id when empty


@dataclass(frozen=True)
class LineOffer:
    item_id: str
    quantity: Decimal  # as the bid states it (may differ from the document)
    unit_price: Decimal  # as offered; Decimal(0) when not priced


@dataclass(frozen=True)
class CorrectedBid:
    total: Decimal  # sum over the document's items of document quantity x offered unit price
    amounts: dict[str, Decimal]  # item_id -> corrected amount (0 for an item without a price)
    unbalanced: tuple[str, ...]  # item_ids whose unit price is above 110% of the HPS unit price
    notes: tuple[str, ...]  # every correction in words: () when nothing was corrected
    corrections: tuple[Reason, ...] = ()  # the notes as codes, for the reader's language
    flags: tuple[Reason, ...] = ()  # unbalanced unit prices, with their figures


UNBALANCED_PCT = Decimal("110")  # a unit price above this share of the HPS unit price
LOW_TOTAL_PCT = Decimal("80")  # a total below this share of the HPS


def correct_bid(items: Sequence[ItemTerms], offers: Sequence[LineOffer]) -> CorrectedBid:
    """Arithmetic correction: each document item at the document's volume times the offered
    unit price (never changed); an item without a price counts as included in the others
    (amount 0); an offer for an item that is not in the document is dropped (amount 0)."""
    offered: dict[str, LineOffer] = {}
    for offer in offers:
        offered.setdefault(offer.item_id, offer)
    document = {item.item_id for item in items}
    amounts: dict[str, Decimal] = {}
    corrections: list[Reason] = []
    flags: list[Reason] = []
    unbalanced: list[str] = []
    for item in items:
        name = item.name or item.item_id
        offer = offered.get(item.item_id)
        if offer is None or offer.unit_price <= 0:
            amounts[item.item_id] = Decimal(0)
            corrections.append(Reason.of(ITEM_UNPRICED, item=name))
            continue
        if offer.quantity != item.quantity:
            corrections.append(
                Reason.of(
                    VOLUME_CORRECTED,
                    item=name,
                    offered=_number(offer.quantity),
                    document=_number(item.quantity),
                )
            )
        amounts[item.item_id] = item.quantity * offer.unit_price
        if offer.unit_price * HUNDRED > item.hps_unit_price * UNBALANCED_PCT:
            unbalanced.append(item.item_id)
            ratio = (
                offer.unit_price / item.hps_unit_price * HUNDRED
                if item.hps_unit_price
                else Decimal(0)
            )
            flags.append(
                Reason.of(
                    UNBALANCED,
                    item=name,
                    unit_price_rp=offer.unit_price,
                    hps_unit_price_rp=item.hps_unit_price,
                    ratio_pct=ratio.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
                )
            )
    for item_id in offered:
        if item_id not in document:
            amounts[item_id] = Decimal(0)
            corrections.append(Reason.of(ITEM_NOT_IN_DOCUMENT, item=item_id))
    return CorrectedBid(
        total=sum(amounts.values(), Decimal(0)),
        amounts=amounts,
        unbalanced=tuple(unbalanced),
        notes=tuple(reason_text(c) for c in corrections),
        corrections=tuple(corrections),
        flags=tuple(flags),
    )


def _number(value: Decimal) -> str:
    """A volume as the document writes it: no trailing zeros."""
    return f"{value.normalize():f}" if value != value.to_integral() else f"{value:.0f}"


def is_unreasonably_low(total: Decimal, hps: Decimal) -> bool:
    """A corrected total below 80% of the HPS: a price-reasonableness clarification."""
    return total * HUNDRED < hps * LOW_TOTAL_PCT


def low_total_flag(total: Decimal, hps: Decimal) -> Reason | None:
    if not is_unreasonably_low(total, hps):
        return None
    ratio = total / hps * HUNDRED if hps else Decimal(0)
    return Reason.of(
        UNREASONABLY_LOW,
        total_rp=total,
        hps_rp=hps,
        ratio_pct=ratio.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
    )


# Price preference and ranking -----------------------------------------------------------------


def preference_applies(terms: PackageTerms) -> bool:
    return terms.category == GOODS and terms.hps > PREFERENCE_HPS_FLOOR


def preference_pct(terms: PackageTerms) -> Decimal:
    """The package's highest preference, within the cap of its formula."""
    return min(terms.max_preference_pct, PREFERENCE_CAP[terms.formula])


def coefficient(bid: BidFigures, terms: PackageTerms) -> Decimal:
    """KP = TKDN x highest preference, for goods above Rp1 billion and TKDN of at least 25%."""
    if not preference_applies(terms) or bid.tkdn_pct < PREFERENCE_TKDN_MIN:
        return Decimal(0)
    return (bid.tkdn_pct / HUNDRED) * (preference_pct(terms) / HUNDRED)


def evaluated_price(price: Decimal, kp: Decimal, formula: str) -> Decimal:
    if formula == HEA_2021:
        return (1 - kp) * price
    if formula == HEA_2010:
        return price / (1 + kp)
    raise ValueError(f"Unknown formula {formula!r}; expected one of {FORMULAS}.")


def _ladder_tiers(tiers: Sequence[str]) -> frozenset[str]:
    """The tiers that stay eligible: T1/T2 if any bid has them, else T3, else T4."""
    present = set(tiers)
    if present & {Tier.T1, Tier.T2}:
        return frozenset({Tier.T1, Tier.T2})
    if Tier.T3 in present:
        return frozenset({Tier.T3})
    return frozenset({Tier.T4})


def price_problem(bid: BidFigures, terms: PackageTerms) -> Reason | None:
    """Why a bid that passed administration and technique falls at the price stage: a
    corrected total above the HPS (exactly the HPS stands), or a low price whose
    clarification was not accepted."""
    if bid.price > terms.hps:
        return Reason.of(ABOVE_HPS, price_rp=bid.price, hps_rp=terms.hps)
    if not bid.price_reasonable:
        return Reason.of(PRICE_UNREASONABLE)
    return None


def standing(bid: BidFigures, terms: PackageTerms) -> bool:
    """Still standing when the domestic-product ladder is applied (sistem gugur)."""
    return bid.passed_evaluation and price_problem(bid, terms) is None


# The order of the ranking -----------------------------------------------------------------------
# Which of two bids stands above the other, the rules in the order they apply: an eligible bid
# above one that is not; then the lower HEA (Perpres 12/2021 art. 67); on equal HEA the higher
# TKDN; then the earlier submission (at the same instant the lower bid id, so that the order is
# total). rank_bids sorts by them and deciding_rule names the one that decided; the pages only
# word it.
RULE_NOT_RANKED = "not_ranked"  # neither bid is eligible: no rule orders them
RULE_ELIGIBILITY = "eligibility"
RULE_LOWER_HEA = "lower_hea"
RULE_HIGHER_TKDN = "higher_tkdn"
RULE_EARLIER = "earlier"


@dataclass(frozen=True)
class Contender:
    """A bid as the ranking compares it: its figures, whether it is eligible, its HEA."""

    bid: BidFigures
    eligible: bool
    hea: Decimal


# The rules after eligibility, each with what it compares: the smaller value ranks higher.
_TIE_BREAKS: tuple[tuple[str, Callable[[Contender], object]], ...] = (
    (RULE_LOWER_HEA, lambda c: c.hea),
    (RULE_HIGHER_TKDN, lambda c: -c.bid.tkdn_pct),
    (RULE_EARLIER, lambda c: (c.bid.submitted_at, c.bid.bid_id)),
)


def ranking_key(contender: Contender) -> tuple:
    """The sort key of an eligible bid: first ranks first."""
    return tuple(key(contender) for _rule, key in _TIE_BREAKS)


def deciding_rule(upper: Contender, lower: Contender) -> str:
    """The rule that puts `upper` above `lower` (upper as ranked first): RULE_NOT_RANKED when
    neither is eligible, RULE_ELIGIBILITY when only `upper` is, else the first tie-break on
    which the two differ."""
    if not upper.eligible:
        return RULE_NOT_RANKED
    if not lower.eligible:
        return RULE_ELIGIBILITY
    for rule, key in _TIE_BREAKS:
        if key(upper) != key(lower):
            return rule
    raise ValueError(f"Bid {upper.bid.bid_id} compared with itself.")


def rank_bids(bids: Sequence[BidFigures], terms: PackageTerms) -> list[RankedBid]:
    if terms.formula not in FORMULAS:
        raise ValueError(f"Unknown formula {terms.formula!r}; expected one of {FORMULAS}.")
    applies = preference_applies(terms)
    preference = preference_pct(terms)
    # The ladder counts only the bids still standing: a fallen T1 never knocks out a T3.
    still = [b for b in bids if standing(b, terms)]
    allowed = _ladder_tiers([tkdn_tier(b.tkdn_pct, b.bmp_pct) for b in still])

    rows = []
    for bid in bids:
        tier = tkdn_tier(bid.tkdn_pct, bid.bmp_pct)
        reasons: list[Reason] = []
        eligible = bid.passed_evaluation
        if not bid.passed_evaluation:
            reasons.append(Reason.of(FAILED_EVALUATION))
        elif (problem := price_problem(bid, terms)) is not None:
            eligible = False
            reasons.append(problem)
        elif terms.pdn_required and tier not in allowed:
            eligible = False
            reasons.append(Reason.of(LADDER, tier=tier, allowed="/".join(sorted(allowed))))
        kp = coefficient(bid, terms) if eligible else Decimal(0)
        if eligible and not applies:
            reasons.append(Reason.of(NO_PREFERENCE_SCOPE, floor_rp=PREFERENCE_HPS_FLOOR))
        elif eligible and kp == 0:
            reasons.append(
                Reason.of(
                    NO_PREFERENCE_TKDN, tkdn_pct=bid.tkdn_pct, minimum_pct=PREFERENCE_TKDN_MIN
                )
            )
        elif eligible:
            reasons.append(
                Reason.of(
                    PREFERENCE,
                    tkdn_pct=bid.tkdn_pct,
                    preference_pct=preference,
                    kp_pct=kp * HUNDRED,
                )
            )
        hea = evaluated_price(bid.price, kp, terms.formula)
        rows.append((Contender(bid, eligible, hea), tier, kp, reasons))

    ranked = sorted((r for r in rows if r[0].eligible), key=lambda r: ranking_key(r[0]))
    for rank_ahead, (ahead, row) in enumerate(pairwise(ranked), start=1):
        if ahead[0].hea == row[0].hea:  # a tie on HEA: the reason names the rule that broke it
            rule = deciding_rule(ahead[0], row[0])
            code = TIE_TKDN if rule == RULE_HIGHER_TKDN else TIE_EARLIER
            row[3].append(Reason.of(code, rank=rank_ahead))
    unranked = sorted(
        (r for r in rows if not r[0].eligible), key=lambda r: (r[0].hea, r[0].bid.bid_id)
    )
    return [
        RankedBid(
            bid_id=contender.bid.bid_id,
            eligible=contender.eligible,
            tier=str(tier),
            kp=kp,
            hea=contender.hea,
            rank=rank,
            reasons=tuple(reason_text(r) for r in reasons),
            reason_codes=tuple(reasons),
        )
        for rank, (contender, tier, kp, reasons) in [
            *enumerate(ranked, start=1),
            *((None, row) for row in unranked),
        ]
    ]


def all_above_hps(bids: Sequence[BidFigures], terms: PackageTerms) -> bool:
    """Every bid that passed administration and technique is above the HPS (and there is at
    least one): the tender fails and can be re-tendered."""
    passed = [b for b in bids if b.passed_evaluation]
    return bool(passed) and all(b.price > terms.hps for b in passed)


def tkdn_needed_to_win(bid: BidFigures, winner_hea: Decimal, terms: PackageTerms) -> Decimal | None:
    """The lowest TKDN (two places) at which this bid, at its price, would have an HEA below
    the winner's (`winner_hea`); None if no TKDN up to 100% would do it."""
    if not preference_applies(terms):
        return None
    for_kp = preference_pct(terms) / HUNDRED
    if for_kp == 0:
        return None
    # HEA(t) < winner HEA  <=>  KP(t) > threshold; KP(t) = t/100 * preference.
    if terms.formula == HEA_2021:
        threshold = 1 - winner_hea / bid.price
    else:
        threshold = bid.price / winner_hea - 1
    needed = max(threshold / for_kp * HUNDRED, PREFERENCE_TKDN_MIN)
    needed = needed.quantize(Decimal("0.01"), rounding=ROUND_CEILING)
    candidate = BidFigures(bid.bid_id, bid.price, needed, bid.bmp_pct, bid.submitted_at)
    if evaluated_price(bid.price, coefficient(candidate, terms), terms.formula) >= winner_hea:
        needed += Decimal("0.01")  # strictly below the winner's HEA
    return needed if needed <= HUNDRED else None


# Why no TKDN would have won a losing bid (when tkdn_needed_to_win gives None).
NO_PREFERENCE_NOT_GOODS = "not_goods"  # the price preference is for goods only
NO_PREFERENCE_HPS = "hps_floor"  # the HPS is not above Rp1 billion
NO_PREFERENCE_PCT = "no_preference"  # the package's preference is 0%
OUT_OF_REACH = "out_of_reach"  # not even 100% TKDN brings the HEA below the winner's


def why_no_tkdn_wins(terms: PackageTerms) -> str:
    """Why tkdn_needed_to_win found no TKDN: the package gives no price preference (not
    goods, an HPS of Rp1 billion or less, a preference of 0%), or the gap is too wide."""
    if terms.category != GOODS:
        return NO_PREFERENCE_NOT_GOODS
    if terms.hps <= PREFERENCE_HPS_FLOOR:
        return NO_PREFERENCE_HPS
    if preference_pct(terms) == 0:
        return NO_PREFERENCE_PCT
    return OUT_OF_REACH
