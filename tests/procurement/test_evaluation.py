"""The evaluation rules against worked examples computed by hand, at their boundaries, and
with properties that must hold for any bids (hypothesis)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procurement.evaluation import (
    HEA_2010,
    HEA_2021,
    BidFigures,
    PackageTerms,
    rank_bids,
    standing,
    tkdn_needed_to_win,
)

D = Decimal
T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
GOODS_2B = PackageTerms(
    category="goods", hps=D("2000000000"), max_preference_pct=D("25"), formula=HEA_2021
)


def bid(bid_id, price, tkdn, bmp="0", minutes=0, passed=True):
    return BidFigures(bid_id, D(price), D(tkdn), D(bmp), T0 + timedelta(minutes=minutes), passed)


def by_id(results):
    return {r.bid_id: r for r in results}


def test_worked_example_under_the_2021_formula():
    # A: HP 1,000,000,000, TKDN 60, BMP 10 -> T1; KP = 0.60 x 0.25 = 0.15;
    #    HEA = (1 - 0.15) x 1,000,000,000 = 850,000,000.
    # C: HP 950,000,000, TKDN 30, BMP 5 -> T2; KP = 0.30 x 0.25 = 0.075;
    #    HEA = 0.925 x 950,000,000 = 878,750,000.
    # B: HP 900,000,000, TKDN 20, BMP 15 -> T3: out, since T1/T2 bids exist.
    results = rank_bids(
        [
            bid("A", "1000000000", "60", "10"),
            bid("B", "900000000", "20", "15"),
            bid("C", "950000000", "30", "5"),
        ],
        GOODS_2B,
    )
    assert [(r.bid_id, r.rank) for r in results] == [("A", 1), ("C", 2), ("B", None)]
    a, b, c = by_id(results)["A"], by_id(results)["B"], by_id(results)["C"]
    assert (a.tier, a.kp, a.hea) == ("T1", D("0.15"), D("850000000"))
    assert (c.tier, c.kp, c.hea) == ("T2", D("0.075"), D("878750000"))
    assert (b.eligible, b.tier, b.kp, b.hea) == (False, "T3", D("0"), D("900000000"))
    assert any("Perpres 16/2018" in reason for reason in b.reasons)
    assert any("KP = TKDN 60,00% × preferensi 25,00% = 15,00%" in reason for reason in a.reasons)


def test_worked_example_under_the_pre_2021_formula_changes_the_winner():
    # HEA = HP / (1 + KP), preference capped at 15%.
    # A: KP = 0.60 x 0.15 = 0.09; HEA = 1,000,000,000 / 1.09 = 917,431,192.66...
    # C: KP = 0.30 x 0.15 = 0.045; HEA = 950,000,000 / 1.045 = 909,090,909.09...
    terms = PackageTerms("goods", D("2000000000"), D("25"), HEA_2010)
    results = by_id(
        rank_bids([bid("A", "1000000000", "60", "10"), bid("C", "950000000", "30", "5")], terms)
    )
    assert (results["A"].kp, results["C"].kp) == (D("0.09"), D("0.045"))
    assert results["A"].hea.quantize(D("0.01")) == D("917431192.66")
    assert results["C"].hea.quantize(D("0.01")) == D("909090909.09")
    assert (results["C"].rank, results["A"].rank) == (1, 2)


def test_tkdn_of_exactly_25_gets_the_preference():
    r = rank_bids([bid("A", "1000000000", "25")], GOODS_2B)[0]
    assert r.kp == D("0.0625")
    assert r.hea == D("937500000")


def test_tkdn_just_below_25_gets_no_preference():
    r = rank_bids([bid("A", "1000000000", "24.99", "15")], GOODS_2B)[0]
    assert (r.kp, r.hea) == (D("0"), D("1000000000"))
    assert any("di bawah 25,00%" in reason for reason in r.reasons)


def test_tkdn_plus_bmp_of_exactly_40_is_t1():
    results = by_id(
        rank_bids([bid("A", "100", "25", "15"), bid("B", "100", "25", "14.99")], GOODS_2B)
    )
    assert (results["A"].tier, results["B"].tier) == ("T1", "T2")


def test_no_preference_at_an_hps_of_exactly_1_billion():
    terms = PackageTerms("goods", D("1000000000"), D("25"), HEA_2021)
    r = rank_bids([bid("A", "900000000", "80")], terms)[0]
    assert (r.kp, r.hea) == (D("0"), D("900000000"))
    assert any("HPS di atas" in reason for reason in r.reasons)


def test_no_preference_for_services():
    terms = PackageTerms("other_services", D("5000000000"), D("25"), HEA_2021)
    assert rank_bids([bid("A", "900000000", "80")], terms)[0].kp == 0


def test_equal_hea_goes_to_the_higher_tkdn_then_the_earlier_bid():
    # Without preference (HPS 1 billion) HEA = HP: all three tie at 500,000,000.
    terms = PackageTerms("goods", D("1000000000"), D("25"), HEA_2021)
    results = rank_bids(
        [
            bid("late", "500000000", "30", minutes=5),
            bid("early", "500000000", "30", minutes=1),
            bid("high", "500000000", "45"),
        ],
        terms,
    )
    assert [r.bid_id for r in results] == ["high", "early", "late"]
    assert any("TKDN lebih tinggi" in reason for reason in results[1].reasons)
    assert any("penawaran lebih awal" in reason for reason in results[2].reasons)


def test_without_t1_or_t2_only_t3_bids_stay():
    results = by_id(rank_bids([bid("t3", "900", "10"), bid("t4", "800", "0")], GOODS_2B))
    assert (results["t3"].rank, results["t4"].rank) == (1, None)


def test_with_only_t4_bids_all_stay():
    results = rank_bids([bid("x", "900", "0"), bid("y", "800", "0")], GOODS_2B)
    assert [(r.bid_id, r.rank) for r in results] == [("y", 1), ("x", 2)]


def test_the_ladder_is_skipped_when_the_package_does_not_require_pdn():
    terms = PackageTerms("goods", D("2000000000"), D("25"), HEA_2021, pdn_required=False)
    results = rank_bids([bid("t1", "1000", "60", "10"), bid("t4", "500", "0")], terms)
    assert [(r.bid_id, r.rank) for r in results] == [("t4", 1), ("t1", 2)]


def test_a_bid_that_failed_evaluation_is_out_with_its_reason_and_does_not_shape_the_ladder():
    results = by_id(
        rank_bids([bid("t1", "100", "60", "10", passed=False), bid("t3", "100", "10")], GOODS_2B)
    )
    assert results["t1"].rank is None
    assert "Tidak lulus evaluasi administrasi dan teknis." in results["t1"].reasons
    assert results["t3"].rank == 1  # the only T1 bid failed, so T3 bids are not pushed out


def test_results_come_ranked_first_then_the_ineligible():
    results = rank_bids(
        [bid("out", "1", "10"), bid("second", "300", "30"), bid("first", "200", "30")], GOODS_2B
    )
    assert [r.rank for r in results] == [1, 2, None]


def test_the_same_inputs_give_the_same_results():
    bids = [bid("A", "1000000000", "60", "10"), bid("C", "950000000", "30", "5")]
    assert rank_bids(bids, GOODS_2B) == rank_bids(list(reversed(bids)), GOODS_2B)


def test_an_unknown_formula_is_refused():
    with pytest.raises(ValueError, match="Unknown formula 'hea_2030'"):
        rank_bids([bid("A", "1", "1")], PackageTerms("goods", D("1"), D("25"), "hea_2030"))


def test_the_tkdn_a_losing_bid_needed_to_win():
    # Winner A: HEA 850,000,000. C bids 950,000,000: it needs (1 - 850/950) / 0.25 = 42.105...%
    # -> 42.11% gives KP 0.105275 and HEA 849,988,750 < 850,000,000.
    bids = [bid("A", "1000000000", "60", "10"), bid("C", "950000000", "30", "5")]
    winner = rank_bids(bids, GOODS_2B)[0]
    assert tkdn_needed_to_win(bids[1], winner.hea, GOODS_2B) == D("42.11")
    # A bid 30% above the winner's HEA cannot win even at 100% TKDN (KP at most 0.25).
    assert tkdn_needed_to_win(bid("Z", "1200000000", "10"), winner.hea, GOODS_2B) is None


# Properties ---------------------------------------------------------------------------------

percent = st.decimals(min_value=0, max_value=85, places=2)
bmp = st.decimals(min_value=0, max_value=15, places=2)
price = st.integers(min_value=1, max_value=10_000_000_000).map(Decimal)
terms_strategy = st.builds(
    PackageTerms,
    category=st.sampled_from(["goods", "goods", "construction"]),
    hps=st.sampled_from([D("900000000"), D("1000000000"), D("1000000001"), D("5000000000")]),
    max_preference_pct=st.decimals(min_value=0, max_value=25, places=2),
    formula=st.sampled_from([HEA_2021, HEA_2010]),
    pdn_required=st.booleans(),
)


@st.composite
def bid_lists(draw):
    count = draw(st.integers(min_value=1, max_value=8))
    return [
        BidFigures(
            f"b{i}",
            draw(price),
            draw(percent),
            draw(bmp),
            T0 + timedelta(seconds=draw(st.integers(0, 3600))),
            draw(st.booleans() | st.just(True)),
        )
        for i in range(count)
    ]


def _rank(results, bid_id):
    rank = by_id(results)[bid_id].rank
    return rank if rank is not None else float("inf")


@settings(max_examples=300, deadline=None)
@given(bids=bid_lists(), terms=terms_strategy)
def test_ranks_are_a_permutation_of_the_eligible_bids(bids, terms):
    results = rank_bids(bids, terms)
    eligible = [r for r in results if r.eligible]
    assert sorted(r.rank for r in eligible) == list(range(1, len(eligible) + 1))
    assert all(r.rank is None for r in results if not r.eligible)
    assert {r.bid_id for r in results} == {b.bid_id for b in bids}
    # Only bids still standing (passed administration and technique, not above the HPS) rank.
    assert any(r.eligible for r in results) == any(standing(b, terms) for b in bids)


@settings(max_examples=300, deadline=None)
@given(bids=bid_lists(), terms=terms_strategy, data=st.data())
def test_lowering_a_price_never_worsens_the_rank(bids, terms, data):
    index = data.draw(st.integers(0, len(bids) - 1))
    target = bids[index]
    cheaper = data.draw(st.integers(min_value=1, max_value=int(target.price)).map(Decimal))
    changed = [
        *bids[:index],
        BidFigures(
            target.bid_id,
            cheaper,
            target.tkdn_pct,
            target.bmp_pct,
            target.submitted_at,
            target.passed_evaluation,
        ),
        *bids[index + 1 :],
    ]
    assert _rank(rank_bids(changed, terms), target.bid_id) <= _rank(
        rank_bids(bids, terms), target.bid_id
    )


@settings(max_examples=300, deadline=None)
@given(bids=bid_lists(), terms=terms_strategy, data=st.data())
def test_raising_the_tkdn_never_worsens_the_rank(bids, terms, data):
    index = data.draw(st.integers(0, len(bids) - 1))
    target = bids[index]
    higher = data.draw(
        st.decimals(min_value=target.tkdn_pct, max_value=100 - target.bmp_pct, places=2)
    )
    changed = [
        *bids[:index],
        BidFigures(
            target.bid_id,
            target.price,
            higher,
            target.bmp_pct,
            target.submitted_at,
            target.passed_evaluation,
        ),
        *bids[index + 1 :],
    ]
    assert _rank(rank_bids(changed, terms), target.bid_id) <= _rank(
        rank_bids(bids, terms), target.bid_id
    )
