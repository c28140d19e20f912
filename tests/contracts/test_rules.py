"""The rules of delivery and handover, against figures worked out by hand."""

from datetime import date
from decimal import Decimal as D

import pytest

from contracts import rules
from contracts.rules import AcceptedLine, Lapse, QuantityProblem


def test_achieved_tkdn_is_weighted_by_accepted_value_at_offered_prices():
    # 60 desks x 1,000,000 = 60,000,000 at TKDN 60 + BMP 10
    # 10 cabinets x 2,000,000 = 20,000,000 at TKDN 30 + BMP 5
    # TKDN = (60M x 60 + 20M x 30) / 80M = 4,200M / 80M = 52.50
    # TKDN + BMP = (60M x 70 + 20M x 35) / 80M = 4,900M / 80M = 61.25
    achieved = rules.achieved_local_content(
        [
            AcceptedLine(D("60"), D("1000000"), D("60"), D("10")),
            AcceptedLine(D("10"), D("2000000"), D("30"), D("5")),
        ]
    )
    assert (achieved.total, achieved.tkdn_pct, achieved.tkdn_bmp_pct) == (
        D("80000000"),
        D("52.50"),
        D("61.25"),
    )


def test_achieved_tkdn_rounds_half_up_to_two_places_as_the_bid():
    # 1 x 100 at 10 and 1 x 200 at 15.0025: (1,000 + 3,000.5) / 300 = 13.335 -> 13.34 (half up)
    assert rules.achieved_local_content(
        [
            AcceptedLine(D("1"), D("100"), D("10"), D("0")),
            AcceptedLine(D("1"), D("200"), D("15.0025"), D("0")),
        ]
    ).tkdn_pct == D("13.34")


def test_nothing_accepted_achieves_zero():
    achieved = rules.achieved_local_content([AcceptedLine(D("0"), D("1000"), D("60"), D("10"))])
    assert (achieved.total, achieved.tkdn_pct, achieved.tkdn_bmp_pct) == (
        D("0"),
        D("0.00"),
        D("0.00"),
    )


def test_the_shortfall_in_points_and_in_value():
    # Offered 55.00, achieved 52.50 on Rp80,000,000 accepted: 2.50 points,
    # 80,000,000 x 2.50 / 100 = Rp2,000,000 of domestic content not delivered.
    shortfall = rules.tkdn_shortfall(
        offered_tkdn_pct=D("55.00"), achieved_tkdn_pct=D("52.50"), accepted_value=D("80000000")
    )
    assert (shortfall.points, shortfall.value) == (D("2.50"), D("2000000.00"))


def test_the_shortfall_value_is_rounded_to_the_sen():
    # 333.33 x 0.01 / 100 = 0.0333333 -> Rp0.03
    shortfall = rules.tkdn_shortfall(
        offered_tkdn_pct=D("40.01"), achieved_tkdn_pct=D("40.00"), accepted_value=D("333.33")
    )
    assert shortfall.value == D("0.03")


@pytest.mark.parametrize("achieved", ["55.00", "70.00"])
def test_no_shortfall_at_or_above_the_offer(achieved):
    assert (
        rules.tkdn_shortfall(
            offered_tkdn_pct=D("55.00"), achieved_tkdn_pct=D(achieved), accepted_value=D("1")
        )
        is None
    )


def test_what_remains_is_the_contract_less_what_was_accepted():
    assert rules.remaining_quantity(contracted=D("100"), accepted_before=[D("40"), D("18")]) == D(
        "42"
    )
    assert rules.remaining_quantity(contracted=D("100"), accepted_before=[]) == D("100")


@pytest.mark.parametrize(
    ("delivered", "accepted", "remaining", "problem"),
    [
        ("42", "42", "42", None),
        ("10", "8", "42", None),
        ("0", "0", "42", None),
        ("43", "40", "42", QuantityProblem.OVER_REMAINING),
        ("10", "11", "42", QuantityProblem.ACCEPTED_OVER_DELIVERED),
        ("-1", "0", "42", QuantityProblem.NEGATIVE),
        ("1", "-1", "42", QuantityProblem.NEGATIVE),
    ],
)
def test_quantity_problems(delivered, accepted, remaining, problem):
    assert (
        rules.quantity_problem(delivered=D(delivered), accepted=D(accepted), remaining=D(remaining))
        == problem
    )


@pytest.mark.parametrize(
    ("status", "expires_on", "lapse"),
    [
        ("verified", date(2026, 5, 1), None),
        ("verified", date(2026, 4, 30), None),
        ("verified", date(2026, 4, 29), Lapse.EXPIRED),
        ("expired", date(2026, 4, 29), Lapse.EXPIRED),
        ("rejected", date(2027, 1, 1), Lapse.REVOKED),
    ],
)
def test_certificate_lapse_on_the_delivery_day(status, expires_on, lapse):
    assert (
        rules.certificate_lapse(
            status=status,
            expires_on=expires_on,
            delivered_on=date(2026, 4, 30),
            revoked_status="rejected",
        )
        == lapse
    )


def test_substitution_needs_a_reason_for_another_product_or_certificate():
    same = {"offered_product_id": 1, "delivered_product_id": 1}
    assert not rules.substitution_needed(
        **same, offered_certificate_number="1/A", delivered_certificate_number="1/A"
    )
    assert rules.substitution_needed(
        **same, offered_certificate_number="1/A", delivered_certificate_number="2/A"
    )
    assert rules.substitution_needed(
        **same, offered_certificate_number="1/A", delivered_certificate_number=""
    )
    assert rules.substitution_needed(
        offered_product_id=1,
        delivered_product_id=2,
        offered_certificate_number="1/A",
        delivered_certificate_number="1/A",
    )


def test_a_low_mark_needs_a_note():
    assert rules.rating_needs_note([3, 4, 2, 4])
    assert rules.rating_needs_note([1, 4, 4, 4])
    assert not rules.rating_needs_note([3, 3, 4, 3])
