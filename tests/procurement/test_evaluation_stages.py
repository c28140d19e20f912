"""The evaluation stages of Perlem LKPP 12/2021 in the pure core: arithmetic correction, the
HPS cap, the flags for clarification, and the ladder over the bids still standing; worked
by hand, at their boundaries, and as properties (hypothesis)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from procurement.evaluation import (
    ABOVE_HPS,
    HEA_2021,
    ITEM_NOT_IN_DOCUMENT,
    ITEM_UNPRICED,
    LADDER,
    PRICE_UNREASONABLE,
    VOLUME_CORRECTED,
    BidFigures,
    ItemTerms,
    LineOffer,
    PackageTerms,
    Reason,
    all_above_hps,
    correct_bid,
    is_unreasonably_low,
    low_total_flag,
    rank_bids,
    reason_text,
)

D = Decimal
T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
UNIFORMS = [ItemTerms("seragam", D("100"), D("300000"), name="Seragam batik")]
SMALL_GOODS = PackageTerms(
    category="goods", hps=D("30000000"), max_preference_pct=D("0"), formula=HEA_2021
)


def bid(bid_id, price, tkdn="30", bmp="10", minutes=0, passed=True, reasonable=True):
    return BidFigures(
        bid_id, D(price), D(tkdn), D(bmp), T0 + timedelta(minutes=minutes), passed, reasonable
    )


def by_id(results):
    return {r.bid_id: r for r in results}


# Arithmetic correction ------------------------------------------------------------------------


def test_a_short_volume_is_corrected_to_the_documents_and_the_unit_price_kept():
    # The case the issue found: 100 uniforms asked, 50 offered at Rp145,000. Corrected:
    # 100 x 145,000 = Rp14,500,000 (not the Rp7,250,000 that ranked first).
    corrected = correct_bid(UNIFORMS, [LineOffer("seragam", D("50"), D("145000"))])
    assert corrected.total == D("14500000")
    assert corrected.amounts == {"seragam": D("14500000")}
    assert corrected.notes == (
        "Koreksi aritmatika, rincian Seragam batik: volume 50 diganti volume dokumen 100; "
        "harga satuan tetap.",
    )
    assert corrected.corrections == (
        Reason.of(VOLUME_CORRECTED, item="Seragam batik", offered="50", document="100"),
    )


def test_a_bid_at_the_documents_volume_needs_no_correction():
    corrected = correct_bid(UNIFORMS, [LineOffer("seragam", D("100"), D("145000"))])
    assert (corrected.total, corrected.notes, corrected.unbalanced) == (D("14500000"), (), ())


def test_an_unpriced_item_counts_as_included_in_the_other_prices():
    items = [*UNIFORMS, ItemTerms("topi", D("100"), D("50000"), name="Topi")]
    corrected = correct_bid(
        items,
        [LineOffer("seragam", D("100"), D("290000")), LineOffer("topi", D("100"), D("0"))],
    )
    assert corrected.total == D("29000000")
    assert corrected.amounts == {"seragam": D("29000000"), "topi": D("0")}
    assert [c.code for c in corrected.corrections] == [ITEM_UNPRICED]
    # A missing line reads the same as a zero price.
    assert correct_bid(items, [LineOffer("seragam", D("100"), D("290000"))]) == corrected


def test_an_item_that_is_not_in_the_document_is_dropped():
    corrected = correct_bid(
        UNIFORMS,
        [LineOffer("seragam", D("100"), D("145000")), LineOffer("sepatu", D("100"), D("99000"))],
    )
    assert corrected.total == D("14500000")
    assert corrected.amounts["sepatu"] == 0
    assert [c.code for c in corrected.corrections] == [ITEM_NOT_IN_DOCUMENT]


def test_a_unit_price_exactly_110_percent_of_the_hps_is_not_unbalanced_one_rupiah_more_is():
    at_110 = correct_bid(UNIFORMS, [LineOffer("seragam", D("100"), D("330000"))])
    above = correct_bid(UNIFORMS, [LineOffer("seragam", D("100"), D("330001"))])
    assert at_110.unbalanced == ()
    assert above.unbalanced == ("seragam",)
    assert reason_text(above.flags[0]) == (
        "Harga satuan timpang, rincian Seragam batik: Rp330.001 = 110,00% dari harga satuan "
        "HPS Rp300.000 (di atas 110%): diklarifikasi dengan penyedia; bila dikonfirmasi, harga "
        "satuan itu berlaku hanya untuk volume dokumen."
    )


def test_a_total_exactly_80_percent_of_the_hps_is_reasonable_one_rupiah_less_is_low():
    hps = D("30000000")
    assert not is_unreasonably_low(D("24000000"), hps)
    assert is_unreasonably_low(D("23999999"), hps)
    assert low_total_flag(D("24000000"), hps) is None
    assert reason_text(low_total_flag(D("14500000"), hps)) == (
        "Total terkoreksi Rp14.500.000 = 48,33% dari HPS Rp30.000.000 (di bawah 80%): perlu "
        "klarifikasi kewajaran harga; jika diterima, jaminan pelaksanaan 5% HPS."
    )


# The HPS cap and the ladder over the bids still standing --------------------------------------


def test_a_bid_above_the_hps_falls_with_a_reason_that_names_the_hps():
    results = by_id(rank_bids([bid("over", "30000001"), bid("at", "30000000")], SMALL_GOODS))
    assert (results["at"].eligible, results["at"].rank) == (True, 1)
    over = results["over"]
    assert (over.eligible, over.rank) == (False, None)
    assert over.reason_codes[0] == Reason.of(
        ABOVE_HPS, price_rp=D("30000001"), hps_rp=D("30000000")
    )
    assert over.reasons[0] == (
        "Gugur pada evaluasi harga: harga terkoreksi Rp30.000.001 di atas HPS Rp30.000.000."
    )


def test_the_short_bid_case_ranks_the_complete_cheapest_bid_first_after_correction():
    # Before: the short bid's Rp7,250,000 ranked first. After correction it is Rp14,500,000
    # and the complete bid at Rp13,900,000 wins; the bid above the HPS falls.
    short = correct_bid(UNIFORMS, [LineOffer("seragam", D("50"), D("145000"))]).total
    complete = correct_bid(UNIFORMS, [LineOffer("seragam", D("100"), D("139000"))]).total
    over = correct_bid(UNIFORMS, [LineOffer("seragam", D("100"), D("301000"))]).total
    results = rank_bids(
        [bid("short", short), bid("complete", complete), bid("over", over)], SMALL_GOODS
    )
    assert [(r.bid_id, r.rank) for r in results] == [
        ("complete", 1),
        ("short", 2),
        ("over", None),
    ]


def test_when_every_bid_is_above_the_hps_nothing_ranks_and_the_tender_fails():
    bids = [bid("a", "31000000"), bid("b", "35000000"), bid("c", "1000", passed=False)]
    assert all(r.rank is None for r in rank_bids(bids, SMALL_GOODS))
    assert all_above_hps(bids, SMALL_GOODS)
    assert not all_above_hps([*bids, bid("d", "30000000")], SMALL_GOODS)
    assert not all_above_hps([bid("c", "1000", passed=False)], SMALL_GOODS)


def test_a_t1_bid_above_the_hps_does_not_knock_out_a_t3_bid():
    results = by_id(
        rank_bids(
            [bid("t1", "31000000", "60", "10"), bid("t3", "29000000", "10", "0")], SMALL_GOODS
        )
    )
    assert results["t1"].reason_codes[0].code == ABOVE_HPS
    assert (results["t3"].eligible, results["t3"].rank) == (True, 1)
    assert all(r.code != LADDER for r in results["t3"].reason_codes)


def test_a_t1_bid_failed_by_the_evaluator_does_not_knock_out_a_t3_bid():
    results = by_id(
        rank_bids(
            [bid("t1", "20000000", "60", "10", passed=False), bid("t3", "29000000", "10")],
            SMALL_GOODS,
        )
    )
    assert results["t3"].rank == 1


def test_a_low_price_whose_clarification_failed_falls_at_the_price_stage():
    results = by_id(
        rank_bids([bid("low", "14000000", reasonable=False), bid("ok", "29000000")], SMALL_GOODS)
    )
    assert results["low"].reason_codes == (Reason.of(PRICE_UNREASONABLE),)
    assert results["ok"].rank == 1


def test_reasons_keep_their_parameters_as_plain_decimals_for_any_language():
    ranked = rank_bids(
        [bid("a", "1000000000", "55", "0")],
        PackageTerms("goods", D("2000000000"), D("25"), HEA_2021),
    )[0]
    assert ranked.reason_codes[0].as_dict() == {
        "code": "preference",
        "params": {"kp_pct": "13.7500", "preference_pct": "25", "tkdn_pct": "55"},
    }


# Properties -------------------------------------------------------------------------------------

quantity = st.decimals(min_value=D("0.01"), max_value=100000, places=2)
unit_price = st.decimals(min_value=0, max_value=10_000_000, places=2)


@st.composite
def documents_and_offers(draw):
    count = draw(st.integers(min_value=1, max_value=6))
    items = [
        ItemTerms(f"i{n}", draw(quantity), draw(unit_price.filter(lambda p: p > 0)))
        for n in range(count)
    ]
    offered_ids = draw(
        st.lists(st.sampled_from([f"i{n}" for n in range(count + 2)]), unique=True, max_size=8)
    )
    offers = [LineOffer(i, draw(quantity), draw(unit_price)) for i in offered_ids]
    return items, offers


@settings(max_examples=300, deadline=None)
@given(case=documents_and_offers())
def test_correction_never_changes_a_unit_price_and_the_total_is_the_sum_of_its_amounts(case):
    items, offers = case
    corrected = correct_bid(items, offers)
    assert corrected.total == sum(corrected.amounts.values(), D(0))
    offered = {o.item_id: o for o in offers}
    for item in items:
        offer = offered.get(item.item_id)
        if offer is not None and offer.unit_price > 0:
            # The corrected amount is the document's volume at the offered unit price.
            assert corrected.amounts[item.item_id] / item.quantity == offer.unit_price
        else:
            assert corrected.amounts[item.item_id] == 0
    assert all(
        corrected.amounts[o.item_id] == 0 for o in offers if o.item_id not in offered_ids(items)
    )


def offered_ids(items):
    return {item.item_id for item in items}


price = st.integers(min_value=1, max_value=60_000_000).map(Decimal)
tkdn = st.decimals(min_value=0, max_value=85, places=2)
bmp = st.decimals(min_value=0, max_value=15, places=2)


@st.composite
def bid_lists(draw, prefix="b"):
    count = draw(st.integers(min_value=1, max_value=6))
    return [
        BidFigures(
            f"{prefix}{i}",
            draw(price),
            draw(tkdn),
            draw(bmp),
            T0 + timedelta(seconds=draw(st.integers(0, 3600))),
            draw(st.booleans()),
            draw(st.booleans() | st.just(True)),
        )
        for i in range(count)
    ]


@st.composite
def fallen_bids(draw):
    """A bid that falls before the ladder: failed by the evaluator, above the HPS, or with a
    price whose clarification failed; of any tier."""
    how = draw(st.sampled_from(["failed", "above_hps", "unreasonable"]))
    return BidFigures(
        "fallen",
        draw(st.integers(60_000_001, 90_000_000).map(Decimal))
        if how == "above_hps"
        else draw(price),
        draw(tkdn),
        draw(bmp),
        T0,
        how != "failed",
        how != "unreasonable",
    )


@settings(max_examples=300, deadline=None)
@given(bids=bid_lists(), fallen=fallen_bids(), pdn=st.booleans())
def test_a_fallen_bid_never_influences_the_ladder_or_the_ranking(bids, fallen, pdn):
    terms = PackageTerms("goods", D("60000000"), D("0"), HEA_2021, pdn_required=pdn)
    without = by_id(rank_bids(bids, terms))
    with_fallen = by_id(rank_bids([*bids, fallen], terms))
    assert with_fallen["fallen"].rank is None
    for bid_id, result in without.items():
        assert with_fallen[bid_id] == result
