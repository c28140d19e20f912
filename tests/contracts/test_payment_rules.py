"""Payment arithmetic, computed by hand."""

from datetime import date
from decimal import Decimal

from contracts.payment_rules import (
    ContractPayments,
    Term,
    balance,
    days_to_payment,
    median,
    net_of_tax,
    payment_problem,
    payment_speed,
    settled_on,
    within_target,
)

D = Decimal


def test_it_nets_the_tax_withheld():
    # Rp11,100,000 gross, PPh 22 1.5% of the pre-VAT Rp10,000,000 = Rp150,000 withheld.
    assert net_of_tax(D("11100000"), D("150000")) == D("10950000")
    assert Term(date(2026, 3, 1), D("11100000"), D("150000")).net == D("10950000")


def test_it_computes_the_balance_over_terms():
    # 100,000,000 - (30,000,000 + 45,500,000.50) = 24,499,999.50
    assert balance(D("100000000"), [D("30000000"), D("45500000.50")]) == D("24499999.50")
    assert balance(D("100000000"), []) == D("100000000")


def test_it_refuses_a_payment_past_the_contract_value():
    value, paid = D("100000000"), D("75500000.50")
    assert payment_problem(value=value, paid=paid, amount=D("24499999.50"), tax_withheld=D(0)) == ""
    assert (
        payment_problem(value=value, paid=paid, amount=D("24499999.51"), tax_withheld=D(0))
        == "above_balance"
    )


def test_it_refuses_amounts_that_cannot_be():
    value, paid = D("1000"), D("0")
    assert payment_problem(value=value, paid=paid, amount=D("0"), tax_withheld=D(0)) == (
        "not_positive"
    )
    assert payment_problem(value=value, paid=paid, amount=D("10"), tax_withheld=D("-1")) == (
        "tax_negative"
    )
    assert payment_problem(value=value, paid=paid, amount=D("10"), tax_withheld=D("10.01")) == (
        "tax_above_amount"
    )


def test_days_to_payment_count_to_the_term_that_settles():
    bast = date(2026, 3, 2)
    terms = [
        Term(date(2026, 3, 20), D("60")),  # 18 days: not yet settled
        Term(date(2026, 3, 10), D("30")),  # paid first (order of entry does not matter)
        Term(date(2026, 4, 1), D("10")),  # 30 days after the BAST: settles 100
    ]
    assert settled_on(D("100"), terms) == date(2026, 4, 1)
    assert days_to_payment(bast_on=bast, value=D("100"), terms=terms) == 30
    assert days_to_payment(bast_on=bast, value=D("100"), terms=terms[:2]) is None


def test_within_target_counts_calendar_days_inclusive():
    bast = date(2026, 2, 20)  # + 15 days = 7 March (2026 is not a leap year)
    today = date(2026, 12, 1)
    assert within_target(bast_on=bast, settled=date(2026, 3, 7), target_days=15, today=today)
    assert not within_target(bast_on=bast, settled=date(2026, 3, 8), target_days=15, today=today)
    # Unpaid: late once the target passed, undecided before.
    assert within_target(bast_on=bast, settled=None, target_days=15, today=today) is False
    assert within_target(bast_on=bast, settled=None, target_days=15, today=date(2026, 3, 7)) is None


def test_median_of_odd_and_even_counts():
    assert median([]) is None
    assert median([30, 4, 12]) == D("12.0")
    assert median([4, 12, 30, 7]) == D("9.5")  # (7 + 12) / 2


def test_payment_speed_per_opd_by_hand():
    today = date(2026, 6, 30)
    bast = date(2026, 5, 1)
    contracts = [
        ContractPayments(True, bast, date(2026, 5, 11)),  # UMK, 10 days: on time
        ContractPayments(True, bast, date(2026, 5, 31)),  # UMK, 30 days: late
        ContractPayments(False, bast, date(2026, 5, 6)),  # large, 5 days: median only
        ContractPayments(True, bast, None),  # UMK unpaid, 60 days on: late
        ContractPayments(True, date(2026, 6, 25), None),  # UMK unpaid, 5 days on: not counted
    ]
    speed = payment_speed(contracts, target_days=15, today=today)
    assert speed.paid_contracts == 3
    assert speed.median_days == D("10.0")  # 5, 10, 30
    assert (speed.small_counted, speed.small_on_time) == (3, 1)
    assert speed.small_on_time_share == D("33.33")
    assert payment_speed([], target_days=15, today=today).small_on_time_share is None
