"""Procurement rules without a database: method vs value, reservation, lifecycle, and the
local content share of a bid, checked against hand-computed examples."""

from decimal import Decimal

import pytest

from procurement import rules
from procurement.rules import Action, LineFigures, Status, bid_local_content

D = Decimal


@pytest.mark.parametrize(
    ("method", "category", "hps", "fits"),
    [
        ("direct_procurement", "goods", D("200000000"), True),
        ("direct_procurement", "goods", D("200000001"), False),
        ("direct_procurement", "other_services", D("200000000"), True),
        ("direct_procurement", "consultancy", D("100000000"), True),
        ("direct_procurement", "consultancy", D("100000001"), False),
        ("tender", "goods", D("200000000"), False),
        ("tender", "goods", D("200000001"), True),
        ("quick_tender", "goods", D("150000000"), False),
        ("e_purchasing", "goods", D("50000000000"), True),
        ("direct_appointment", "goods", D("10000000"), True),
    ],
)
def test_the_method_must_fit_the_value(method, category, hps, fits):
    assert rules.method_fits_value(method=method, category=category, hps=hps) is fits


@pytest.mark.parametrize(
    ("pagu", "reason", "reserved"),
    [
        (D("15000000000"), "", True),
        (D("15000000001"), "", False),
        (D("2000000000"), "Butuh kemampuan produksi 10.000 unit per bulan.", False),
        (D("2000000000"), "   ", True),
    ],
)
def test_packages_up_to_15_billion_are_reserved_for_small_business(pagu, reason, reserved):
    assert rules.reserved_for_small_business(pagu=pagu, exception_reason=reason) is reserved


def test_the_lifecycle_moves_only_forward_along_its_arrows():
    path = [
        (Status.DRAFT, Action.ANNOUNCE, Status.ANNOUNCED),
        (Status.ANNOUNCED, Action.CLOSE, Status.CLOSED),
        (Status.CLOSED, Action.EVALUATE, Status.EVALUATION),
        (Status.EVALUATION, Action.ANNOUNCE_WINNER, Status.OBJECTION),
        (Status.OBJECTION, Action.AWARD, Status.AWARDED),
        (Status.AWARDED, Action.CONTRACT, Status.CONTRACTED),
    ]
    for source, action, target in path:
        assert rules.next_status(source, action) == target
    assert rules.next_status(Status.DRAFT, Action.AWARD) is None
    assert rules.next_status(Status.ANNOUNCED, Action.ANNOUNCE_WINNER) is None
    assert rules.next_status(Status.CONTRACTED, Action.CANCEL) is None
    assert rules.next_status(Status.AWARDED, Action.CANCEL) is None


def test_no_action_leaves_a_final_state():
    for state in rules.FINAL_STATES:
        assert all(rules.next_status(state, action) is None for action in Action.values)


@pytest.mark.parametrize(
    ("position", "action", "allowed"),
    [
        ("ppk", Action.EDIT, True),
        ("pokja", Action.EDIT, False),
        ("pokja", Action.ANNOUNCE, True),
        ("pejabat_pengadaan", Action.EVALUATE, True),
        ("pokja", Action.ANNOUNCE_WINNER, False),
        ("ppk", Action.ANNOUNCE_WINNER, True),
        ("ppk", Action.AWARD, True),
        ("kpa", Action.AWARD, False),
        ("kpa", Action.CANCEL, True),
        ("pptk", Action.CANCEL, False),
    ],
)
def test_each_position_may_do_its_own_part(position, action, allowed):
    assert rules.may(position, action) is allowed


def test_the_local_content_share_is_price_weighted():
    # 1,000 desks x Rp1,150,000 at TKDN 71.30% (BMP 12) and 50 cabinets x Rp2,750,000 at
    # TKDN 21.00% (BMP 3). Values: 1,150,000,000 and 137,500,000; total 1,287,500,000.
    # TKDN: (1,150,000,000 x 71.30 + 137,500,000 x 21.00) / 1,287,500,000
    #     = (81,995,000,000 + 2,887,500,000) / 1,287,500,000 = 65.9281... -> 65.93
    # TKDN+BMP: (1,150,000,000 x 83.30 + 137,500,000 x 24.00) / 1,287,500,000
    #     = (95,795,000,000 + 3,300,000,000) / 1,287,500,000 = 76.9670... -> 76.97
    share = bid_local_content(
        [
            LineFigures(D("1000"), D("1150000"), D("71.30"), D("12")),
            LineFigures(D("50"), D("2750000"), D("21.00"), D("3")),
        ]
    )
    assert share.total == D("1287500000")
    assert share.tkdn_pct == D("65.93")
    assert share.tkdn_bmp_pct == D("76.97")
    assert share.bmp_pct == D("11.04")


def test_the_share_rounds_half_up_to_two_places():
    # (1 x 1 x 10.005 ...) a single line keeps its own TKDN; two equal lines of 10 and 10.01
    # average to 10.005 -> 10.01 (half up, not banker's 10.00).
    share = bid_local_content(
        [
            LineFigures(D("1"), D("100"), D("10"), D("0")),
            LineFigures(D("1"), D("100"), D("10.01"), D("0")),
        ]
    )
    assert share.tkdn_pct == D("10.01")


def test_a_product_without_certificate_weighs_in_at_zero():
    share = bid_local_content(
        [
            LineFigures(D("10"), D("100000"), D("60"), D("0")),
            LineFigures(D("10"), D("100000"), D("0"), D("0")),
        ]
    )
    assert share.tkdn_pct == D("30.00")


def test_an_empty_or_free_bid_has_no_share():
    assert bid_local_content([]).tkdn_pct == D("0.00")
    assert bid_local_content([LineFigures(D("1"), D("0"), D("50"), D("5"))]).tkdn_pct == D("0.00")


@pytest.mark.parametrize(
    "status, opened, sealed",
    [
        (Status.DRAFT, False, True),
        (Status.ANNOUNCED, False, True),
        # Cancelled before its deadline: the bids were never opened, and never will be.
        (Status.CANCELLED, False, True),
        (Status.FAILED, False, True),
        # A version replaced or withdrawn before closing is never opened either.
        (Status.EVALUATION, False, True),
        (Status.CLOSED, True, False),
        (Status.EVALUATION, True, False),
        (Status.CANCELLED, True, False),  # cancelled after the opening
        (Status.AWARDED, True, False),
    ],
)
def test_a_bid_stays_sealed_until_it_is_opened_and_for_ever_if_it_never_is(status, opened, sealed):
    assert rules.bid_is_sealed(package_status=status, opened=opened) is sealed
