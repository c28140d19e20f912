"""The evaluation rules, pure (no ORM, no I/O): the domestic-product ladder (Perpres 16/2018
art. 66 as amended), the price preference and the final evaluated price HEA (Perpres
12/2021 art. 67; the pre-2021 formula stays computable), and the ranking. Every rule that
changes a bid's fate adds a reason in words."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_CEILING, Decimal

from vendors.rules import Tier, tkdn_tier

GOODS = "goods"
HEA_2021 = "hea_2021"  # HEA = (1 - KP) x HP
HEA_2010 = "hea_2010"  # HEA = HP / (1 + KP), preference capped at 15%
FORMULAS = (HEA_2021, HEA_2010)
PREFERENCE_HPS_FLOOR = Decimal("1000000000")  # preference only when HPS is above Rp1 billion
PREFERENCE_TKDN_MIN = Decimal("25")
PREFERENCE_CAP = {HEA_2021: Decimal("25"), HEA_2010: Decimal("15")}
HUNDRED = Decimal(100)
RULE_VERSION = "perpres-12-2021/v1"


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


@dataclass(frozen=True)
class RankedBid:
    bid_id: str
    eligible: bool
    tier: str  # "T1", "T2", "T3", "T4"
    kp: Decimal  # preference coefficient as a fraction, e.g. Decimal("0.15")
    hea: Decimal  # final evaluated price, Rupiah (exact; display rounds)
    rank: int | None  # 1 = winner; None when not eligible
    reasons: tuple[str, ...]  # why, in words: every rule that changed this bid's fate


def _pct(value: Decimal) -> str:
    """A percentage the Indonesian way, as the reasons are read: 48,20%."""
    return f"{value.quantize(Decimal('0.01')):f}".replace(".", ",") + "%"


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


def rank_bids(bids: Sequence[BidFigures], terms: PackageTerms) -> list[RankedBid]:
    if terms.formula not in FORMULAS:
        raise ValueError(f"Unknown formula {terms.formula!r}; expected one of {FORMULAS}.")
    applies = preference_applies(terms)
    preference = preference_pct(terms)
    passed = [b for b in bids if b.passed_evaluation]
    allowed = _ladder_tiers([tkdn_tier(b.tkdn_pct, b.bmp_pct) for b in passed])

    rows = []
    for bid in bids:
        tier = tkdn_tier(bid.tkdn_pct, bid.bmp_pct)
        reasons: list[str] = []
        eligible = bid.passed_evaluation
        if not bid.passed_evaluation:
            reasons.append("Tidak lulus evaluasi administrasi dan teknis.")
        elif terms.pdn_required and tier not in allowed:
            eligible = False
            reasons.append(
                f"Gugur karena kewajiban produk dalam negeri: tier {tier}, sedangkan ada "
                f"penawaran tier {'/'.join(sorted(allowed))} (Perpres 16/2018 pasal 66)."
            )
        kp = coefficient(bid, terms) if eligible else Decimal(0)
        if eligible and not applies:
            reasons.append(
                "Tanpa preferensi harga: hanya untuk pengadaan barang dengan HPS di atas "
                "Rp1.000.000.000."
            )
        elif eligible and kp == 0:
            reasons.append(
                f"Tanpa preferensi harga: TKDN {_pct(bid.tkdn_pct)} di bawah "
                f"{_pct(PREFERENCE_TKDN_MIN)}."
            )
        elif eligible:
            reasons.append(
                f"Preferensi harga: KP = TKDN {_pct(bid.tkdn_pct)} × preferensi "
                f"{_pct(preference)} = {_pct(kp * HUNDRED)}."
            )
        hea = evaluated_price(bid.price, kp, terms.formula)
        rows.append([bid, tier, kp, hea, eligible, reasons])

    eligible_rows = sorted(
        (r for r in rows if r[4]),
        key=lambda r: (r[3], -r[0].tkdn_pct, r[0].submitted_at, r[0].bid_id),
    )
    for position, row in enumerate(eligible_rows, start=1):
        if position > 1:
            ahead = eligible_rows[position - 2]
            if ahead[3] == row[3]:
                rule = (
                    "TKDN lebih tinggi"
                    if ahead[0].tkdn_pct != row[0].tkdn_pct
                    else "penawaran lebih awal"
                )
                row[5].append(
                    f"HEA sama dengan peringkat {position - 1}; diurutkan menurut {rule}."
                )
        row.append(position)
    ineligible_rows = sorted((r for r in rows if not r[4]), key=lambda r: (r[3], r[0].bid_id))
    for row in ineligible_rows:
        row.append(None)
    return [
        RankedBid(
            bid_id=bid.bid_id,
            eligible=eligible,
            tier=str(tier),
            kp=kp,
            hea=hea,
            rank=rank,
            reasons=tuple(reasons),
        )
        for bid, tier, kp, hea, eligible, reasons, rank in [*eligible_rows, *ineligible_rows]
    ]


def tkdn_needed_to_win(bid: BidFigures, winner: RankedBid, terms: PackageTerms) -> Decimal | None:
    """The lowest TKDN (two places) at which this bid, at its price, would have an HEA below
    the winner's; None if no TKDN up to 100% would do it."""
    if not preference_applies(terms):
        return None
    for_kp = preference_pct(terms) / HUNDRED
    if for_kp == 0:
        return None
    # HEA(t) < winner HEA  <=>  KP(t) > threshold; KP(t) = t/100 * preference.
    if terms.formula == HEA_2021:
        threshold = 1 - winner.hea / bid.price
    else:
        threshold = bid.price / winner.hea - 1
    needed = max(threshold / for_kp * HUNDRED, PREFERENCE_TKDN_MIN)
    needed = needed.quantize(Decimal("0.01"), rounding=ROUND_CEILING)
    candidate = BidFigures(bid.bid_id, bid.price, needed, bid.bmp_pct, bid.submitted_at)
    if evaluated_price(bid.price, coefficient(candidate, terms), terms.formula) >= winner.hea:
        needed += Decimal("0.01")  # strictly below the winner's HEA
    return needed if needed <= HUNDRED else None
