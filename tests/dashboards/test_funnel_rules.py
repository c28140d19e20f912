"""The funnel's pure aggregation, computed by hand."""

from decimal import Decimal

from dashboards.funnel import CONTRACTED, DELIVERED, PAID, PLANNED, FunnelKey, funnel_rows

D = Decimal


def _row(opd, month, category, value, domestic, tkdn25, small):
    return {
        "opd_id": opd,
        "month": month,
        "category": category,
        "value": D(value),
        "domestic": D(domestic),
        "tkdn25": D(tkdn25) if tkdn25 is not None else None,
        "small": D(small),
    }


def test_it_merges_the_stages_per_opd_month_and_category():
    total, rows = funnel_rows(
        {
            PLANNED: [
                _row(1, 3, "goods", "1000", "800", None, "1000"),
                _row(2, 4, "goods", "500", "0", None, "0"),
            ],
            CONTRACTED: [_row(1, 3, "goods", "900", "900", "600", "300")],
            DELIVERED: [_row(1, 3, "goods", "800", "500", "500", "300")],
            PAID: [_row(1, 3, "goods", "400", "100", "100", "300")],
        }
    )
    first = next(r for r in rows if r.key == FunnelKey(1, 3, "goods"))
    assert first.stage(PLANNED).domestic_share == D("80.00")
    assert first.stage(PLANNED).tkdn25_share is None  # not known at planning
    assert first.stage(CONTRACTED).tkdn25_share == D("66.67")  # 600 / 900
    assert first.stage(DELIVERED).domestic_share == D("62.50")  # 500 / 800
    assert first.stage(PAID).small_share == D("75.00")  # 300 / 400
    assert first.progress(PAID) == D("40.00")  # 400 of the pagu 1000
    second = next(r for r in rows if r.key == FunnelKey(2, 4, "goods"))
    assert second.stage(CONTRACTED).value == 0
    assert second.stage(CONTRACTED).domestic_share is None
    # Totals: pagu 1500, of it PDN 800 (53.33%), reserved for small business 1000 (66.67%).
    assert total.stage(PLANNED).value == D("1500")
    assert total.stage(PLANNED).domestic_share == D("53.33")
    assert total.stage(PLANNED).small_share == D("66.67")
    assert total.stage(PAID).value == D("400")
    assert total.progress(CONTRACTED) == D("60.00")  # 900 / 1500


def test_nothing_gives_an_empty_total():
    total, rows = funnel_rows({})
    assert rows == []
    assert total.stage(PAID).value == 0
    assert total.progress(PAID) is None
