"""Which rule puts one bid above another (evaluation.deciding_rule): each rule on its own,
in the order they apply, and the same order as the ranking's."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procurement.evaluation import (
    HEA_2021,
    RULE_EARLIER,
    RULE_ELIGIBILITY,
    RULE_HIGHER_TKDN,
    RULE_LOWER_HEA,
    RULE_NOT_RANKED,
    TIE_EARLIER,
    TIE_TKDN,
    BidFigures,
    Contender,
    PackageTerms,
    deciding_rule,
    rank_bids,
)

D = Decimal
T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def contender(bid_id="A", hea="1000", tkdn="30", minutes=0, eligible=True) -> Contender:
    figures = BidFigures(bid_id, D(hea), D(tkdn), D(0), T0 + timedelta(minutes=minutes))
    return Contender(figures, eligible, D(hea))


def test_neither_bid_eligible_is_not_ranked_whatever_their_figures():
    upper = contender("A", hea="900", eligible=False)
    lower = contender("B", hea="1000", eligible=False)
    assert deciding_rule(upper, lower) == RULE_NOT_RANKED


def test_an_eligible_bid_is_above_one_that_is_not_even_at_a_higher_hea():
    upper = contender("A", hea="1200")
    lower = contender("B", hea="900", tkdn="80", minutes=-5, eligible=False)
    assert deciding_rule(upper, lower) == RULE_ELIGIBILITY


def test_the_lower_hea_decides_before_tkdn_and_time():
    upper = contender("A", hea="900", tkdn="10", minutes=5)
    lower = contender("B", hea="1000", tkdn="90", minutes=0)
    assert deciding_rule(upper, lower) == RULE_LOWER_HEA


def test_on_equal_hea_the_higher_tkdn_decides_before_time():
    upper = contender("A", tkdn="45", minutes=5)
    lower = contender("B", tkdn="30", minutes=0)
    assert deciding_rule(upper, lower) == RULE_HIGHER_TKDN


def test_on_equal_hea_and_tkdn_the_earlier_submission_decides():
    upper = contender("A", minutes=0)
    lower = contender("B", minutes=5)
    assert deciding_rule(upper, lower) == RULE_EARLIER


def test_at_the_same_instant_the_bid_order_decides_as_submission_order():
    assert deciding_rule(contender("A"), contender("B")) == RULE_EARLIER


def test_a_bid_compared_with_itself_is_refused():
    with pytest.raises(ValueError, match="Bid A compared with itself"):
        deciding_rule(contender("A"), contender("A"))


# The ranking orders by the same rules: of any two neighbours in it, the rule named for the
# pair holds in favour of the one ranked first, and a tie on HEA carries the matching reason.
NO_PREFERENCE = PackageTerms(
    category="goods", hps=D("10000000"), max_preference_pct=D("0"), formula=HEA_2021
)
figures = st.builds(
    lambda price, tkdn, minutes: (price, tkdn, minutes),
    st.sampled_from(["900", "1000"]),
    st.sampled_from(["25", "40"]),
    st.sampled_from([0, 5]),
)


@given(st.lists(figures, min_size=2, max_size=6))
def test_the_ranking_and_the_rule_agree(rows):
    bids = [
        BidFigures(f"B{n}", D(price), D(tkdn), D(0), T0 + timedelta(minutes=minutes))
        for n, (price, tkdn, minutes) in enumerate(rows)
    ]
    by_id = {b.bid_id: b for b in bids}
    ranked = [r for r in rank_bids(bids, NO_PREFERENCE) if r.rank is not None]
    for upper, lower in pairwise(ranked):
        a, b = by_id[upper.bid_id], by_id[lower.bid_id]
        rule = deciding_rule(Contender(a, True, upper.hea), Contender(b, True, lower.hea))
        if rule == RULE_LOWER_HEA:
            assert upper.hea < lower.hea
        elif rule == RULE_HIGHER_TKDN:
            assert (upper.hea, a.tkdn_pct) == (lower.hea, max(a.tkdn_pct, b.tkdn_pct))
            assert [r.code for r in lower.reason_codes][-1] == TIE_TKDN
        else:
            assert rule == RULE_EARLIER
            assert (upper.hea, a.tkdn_pct) == (lower.hea, b.tkdn_pct)
            assert (a.submitted_at, a.bid_id) < (b.submitted_at, b.bid_id)
            assert [r.code for r in lower.reason_codes][-1] == TIE_EARLIER
