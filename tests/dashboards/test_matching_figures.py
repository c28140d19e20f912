from decimal import Decimal

import pytest
from django.urls import reverse

from dashboards.selectors import matching_figures
from tests.dashboards.conftest import M

pytestmark = pytest.mark.django_db


def test_it_counts_meetings_interest_and_conversion_per_event_and_year(matching):
    figures = matching_figures(year=2026)

    (event,) = figures.events
    assert event.label == "Temu Bisnis Uji 2026"
    assert (event.figures.held, event.figures.interest, event.figures.awarded) == (3, 2, 1)
    assert event.figures.interest_value == 350 * M
    assert event.conversion == Decimal("33.33")  # 1 award of 3 held meetings
    (year,) = figures.years
    assert (year.key, year.figures.held, year.conversion) == (2026, 3, Decimal("33.33"))


def test_an_opd_counts_only_its_own_buyers_meetings(matching, programme):
    (event,) = matching_figures(year=2026, opd_id=programme.opd_b.pk).events

    assert (event.figures.held, event.figures.interest_value, event.conversion) == (
        1,
        50 * M,
        Decimal("0.00"),
    )


def test_another_year_has_no_events(matching):
    figures = matching_figures(year=2025)

    assert figures.events == []
    assert [row.key for row in figures.years] == [2026]


def test_the_officer_page_and_csv_show_their_opds_matching_figures(login, officer, matching):
    client = login(officer)
    page = client.get(reverse("dashboards:home"), {"year": 2026})
    rows = client.get(reverse("dashboards:csv"), {"year": 2026}).content.decode()

    (event,) = page.context["matching"].events
    assert (event.figures.held, event.conversion) == (2, Decimal("50.00"))
    assert "Rp300.000.000" in page.content.decode()
    assert f"event.{matching.pk}.conversion,50.00" in rows
    assert f"event.{matching.pk}.interest_value,300000000.00" in rows
