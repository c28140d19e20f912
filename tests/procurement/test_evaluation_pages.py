"""The evaluation's pages: the officer's ranking (with its progress while a run works), why
one bid ranks above another, the XLSX export, and each bidder's own result once the winner
is announced."""

import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from procurement import selectors, services
from procurement.models import Bid, EvaluationRun, RunStatus
from procurement.rules import Status
from tests.factories import OfficerFactory, PackageFactory, PackageItemFactory
from tests.procurement.conftest import (
    _bidder,
    evaluate_now,
    lines_for,
    pass_all_bids,
    past_deadline,
)
from tests.spreadsheets import FORMULA, assert_kept_as_text

pytestmark = pytest.mark.django_db

D = Decimal


def _submit(package, bidder, **prices):
    user, vendor, desk, cabinet = bidder
    return services.bid_submit(
        package=package, vendor=vendor, by=user, lines=lines_for(package, desk, cabinet, **prices)
    )


def _close(package):
    """Close and let the evaluation that closing starts run to the end."""
    past_deadline(package)
    services.packages_close_due()
    evaluate_now(package)
    assert package.status == Status.EVALUATION
    return package


@pytest.fixture
def closed(announced, bidder, second_bidder):
    """The first bid (Rp1,287,500,000, TKDN 65.93%) and a cheaper second one (Rp1,245,000,000,
    TKDN 37.79%): with the preference, the first wins."""
    _submit(announced, bidder)
    _submit(announced, second_bidder, desk_price="1100000", cabinet_price="2900000")
    return _close(announced)


@pytest.fixture
def evaluate(ppk, django_capture_on_commit_callbacks):
    def _evaluate(package):
        with django_capture_on_commit_callbacks(execute=True):
            run = services.evaluation_request(package=package, by=ppk)
        run.refresh_from_db()
        assert run.status == RunStatus.SUCCEEDED, run.error
        return run

    return _evaluate


@pytest.fixture
def evaluated(closed):
    return closed, closed.evaluation_runs.get()


def _bid(package, bidder) -> Bid:
    return package.bids.get(vendor=bidder[1], status="active")


def _start(package) -> str:
    return reverse("procurement:officer-package-evaluate", args=[package.pk])


def _ranking(package, **query) -> str:
    url = reverse("procurement:officer-evaluation", args=[package.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _compare(package, a, b) -> str:
    url = reverse("procurement:officer-evaluation-compare", args=[package.pk])
    return f"{url}?a={a}&b={b}"


def _officer_urls(package, run):
    return [
        _ranking(package),
        _compare(package, 1, 2),
        reverse("procurement:officer-evaluation-xlsx", args=[package.pk]),
        reverse("procurement:evaluation-status", args=[run.pk]),
    ]


# Who gets in ----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, evaluated):
    package, run = evaluated
    urls = [
        *_officer_urls(package, run),
        reverse("procurement:vendor-evaluation", args=[package.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:login")), url


def test_vendors_are_refused_the_officer_pages(login, evaluated, bidder):
    package, run = evaluated
    client = login(bidder[0])
    for url in _officer_urls(package, run):
        assert client.get(url).status_code == 403, url


def test_officers_of_another_opd_get_404(login, evaluated, bidder, second_bidder):
    package, run = evaluated
    stranger = OfficerFactory(position="ppk").user
    a, b = _bid(package, bidder), _bid(package, second_bidder)
    client = login(stranger)
    for url in [*_officer_urls(package, run), _compare(package, a.pk, b.pk)]:
        assert client.get(url).status_code == 404, url
    assert client.post(_start(package), {"kembali": "hasil"}).status_code == 404


def test_officers_get_the_vendor_page_refused(login, evaluated, ppk):
    package, _run = evaluated
    url = reverse("procurement:vendor-evaluation", args=[package.pk])
    assert login(ppk).get(url).status_code == 403


# The ranking -----------------------------------------------------------------------------------


def test_the_ranking_shows_the_run_and_every_bid(login, ppk, evaluated, bidder, second_bidder):
    package, run = evaluated
    html = login(ppk).get(_ranking(package)).content.decode()
    assert f"Evaluasi #{run.number}" in html
    assert run.rule_version in html
    assert "HEA = (1 - KP) x HP" in html
    assert "Sistem (otomatis saat penawaran ditutup)" in html  # closing started this run
    first, second = bidder[1].name, second_bidder[1].name
    assert html.index(first) < html.index(second)  # rank 1 first
    assert "Rp1.287.500.000" in html  # HP of the first
    assert "Rp1.075.287.813" in html  # HEA 1,075,287,812.5, rounded for display
    assert "16,4825%" in html  # KP = 0.6593 x 0.25
    assert "65,93%" in html  # TKDN of the first
    assert "Preferensi harga: KP = TKDN 65,93% × preferensi 25,00% = 16,48%." in html
    # At Rp1,245,000,000 the second bid needed KP > 1 - 1,075,287,812.5 / 1,245,000,000
    # = 0.136315, that is TKDN > 54.526%: 54.53%.
    assert "54,53%" in html
    assert "Evaluasi ulang" in html  # the PPK may evaluate again
    assert "hx-get" not in html  # nothing under way


def _row(html: str, name: str) -> str:
    row = html[html.index(name) :]
    return row[: row.index("</tr>")]


def test_the_ranking_says_why_no_tkdn_would_do(
    login, ppk, announced, bidder, second_bidder, evaluate
):
    _submit(announced, bidder, desk_price="500000", cabinet_price="1000000")
    _submit(announced, second_bidder)  # Rp1,287,500,000: not even 100% TKDN would do
    run = evaluate(_close(announced))
    html = login(ppk).get(_ranking(announced)).content.decode()
    assert f"Evaluasi #{run.number}" in html
    row = _row(html, second_bidder[1].name)
    assert "dengan TKDN 100% pun HEA penawaran ini tidak di bawah HEA pemenang" in row
    assert not row.rstrip().endswith("—</td>")


def test_the_ranking_says_no_tkdn_counts_at_or_below_one_billion(
    login, ppk, announced, bidder, second_bidder, evaluate
):
    announced.hps = D("1000000000")  # not above Rp1 billion: no price preference
    announced.save(update_fields=["hps"])
    _submit(announced, bidder, desk_price="500000", cabinet_price="1000000")
    _submit(announced, second_bidder, desk_price="600000", cabinet_price="1000000")
    evaluate(_close(announced))
    html = login(ppk).get(_ranking(announced)).content.decode()
    row = _row(html, second_bidder[1].name)
    assert "preferensi harga berlaku bila HPS di atas Rp1 miliar" in row


def test_runs_are_numbered_within_their_package(login, ppk, closed, evaluate):
    # Another package's run comes between: the numbers stay the package's own.
    EvaluationRun.objects.create(
        package=PackageFactory(opd=closed.opd, created_by=ppk, status=Status.CLOSED),
        rule_version="x",
        formula="hea_2021",
        max_preference_pct=D("25"),
    )
    second = evaluate(closed)
    assert second.pk > closed.evaluation_runs.order_by("pk").first().pk + 1
    html = login(ppk).get(_ranking(closed)).content.decode()
    assert "Evaluasi #2" in html
    assert f"Evaluasi #{second.pk}" not in html
    assert EvaluationRun.objects.get(pk=second.pk).number == 2


def test_earlier_runs_are_listed_and_shown_on_request(login, ppk, closed, evaluate):
    first = evaluate(closed)
    second = evaluate(closed)
    client = login(ppk)
    html = client.get(_ranking(closed)).content.decode()
    assert f"Evaluasi #{second.number}" in html
    assert f"?run={first.pk}" in html
    html = client.get(_ranking(closed, run=first.pk)).content.decode()
    assert f"Evaluasi #{first.number}" in html


def test_a_run_of_another_package_is_404(login, ppk, evaluated):
    package, _run = evaluated
    other = EvaluationRun.objects.create(
        package=PackageFactory(opd=package.opd, created_by=ppk, status=Status.CLOSED),
        rule_version="x",
        formula="hea_2021",
        max_preference_pct=D("25"),
    )
    client = login(ppk)
    assert client.get(_ranking(package, run=other.pk)).status_code == 404
    assert client.get(_ranking(package, run="abc")).status_code == 404
    assert client.get(_ranking(other.package, run=other.pk)).status_code == 200


def test_without_runs_the_page_says_so(login, ppk, announced):
    past_deadline(announced)
    services.packages_close_due()  # no bids: nothing to evaluate, no run
    html = login(ppk).get(_ranking(announced)).content.decode()
    assert "Paket ini belum dievaluasi." in html
    assert "Evaluasi ulang" in html


def test_a_position_that_may_not_evaluate_sees_no_button(login, evaluated, ppk):
    package, _run = evaluated
    kpa = OfficerFactory(opd=ppk.officer.opd, position="kpa").user
    response = login(kpa).get(_ranking(package))
    assert response.status_code == 200
    assert "Evaluasi ulang" not in response.content.decode()


def test_evaluating_again_from_the_ranking_comes_back_to_it(
    login, ppk, evaluated, django_capture_on_commit_callbacks
):
    package, run = evaluated
    with django_capture_on_commit_callbacks(execute=True):
        response = login(ppk).post(_start(package), {"kembali": "hasil"})
    assert response.status_code == 302
    assert response.url == _ranking(package)
    assert package.evaluation_runs.count() == 2
    assert selectors.current_run(package).pk != run.pk


def test_the_panel_post_still_goes_back_to_the_package(login, ppk, closed):
    response = login(ppk).post(_start(closed))
    assert response.url == reverse("procurement:package-detail", args=[closed.pk])
    assert closed.evaluation_runs.count() == 2  # the one closing started, and this one


def test_evaluating_in_the_wrong_state_is_explained(login, ppk, evaluated, bidder):
    package, _run = evaluated
    pass_all_bids(package)
    services.package_winner_announce(package=package, by=ppk, bid=_bid(package, bidder))
    response = login(ppk).post(_start(package), {"kembali": "hasil"}, follow=True)
    assert "tidak dapat memulai evaluasi" in response.content.decode()


def test_the_package_panel_links_to_the_ranking(login, ppk, closed):
    html = login(ppk).get(reverse("procurement:package-detail", args=[closed.pk])).content.decode()
    assert f'href="{_ranking(closed)}"' in html
    assert "Hasil evaluasi" in html


# User (with officer and the menu's unread count), package and the data versions (3); the first
# time the ranking is shown for the data as it is, the package's runs, the count of results
# and the page's results with their bids and vendors (3). The same whatever the number of
# bidders.
QUERIES = 3
FIRST_TIME = QUERIES + 3


@pytest.mark.parametrize("count", [2, 8])
def test_the_ranking_runs_a_fixed_number_of_queries(
    login, ppk, announced, evaluate, django_assert_num_queries, count
):
    for n in range(count):
        _submit(announced, _bidder(f"{30 + n}.00", "5", "1150000", "2750000"))
    run = evaluate(_close(announced))
    assert run.results.count() == count
    client = login(ppk)
    with django_assert_num_queries(FIRST_TIME):
        first = client.get(_ranking(announced))
    with django_assert_num_queries(QUERIES):
        again = client.get(_ranking(announced))
    assert first.status_code == again.status_code == 200
    assert again.content.decode().count("<tr") == first.content.decode().count("<tr") == count + 1


def test_the_ranking_comes_in_pages_each_linking_to_the_winner(
    login, ppk, announced, evaluate, monkeypatch
):
    from procurement import views

    monkeypatch.setattr(views, "RANKING_PAGE_SIZE", 2)
    for n in range(3):
        _submit(announced, _bidder(f"{30 + n}.00", "5", "1150000", "2750000"))
    run = evaluate(_close(announced))
    winner = run.results.get(rank=1)
    client = login(ppk)
    first = client.get(_ranking(announced)).content.decode()
    second = client.get(_ranking(announced), {"page": 2}).content.decode()
    assert first.count("<tr") == 3 and second.count("<tr") == 2  # heading + rows
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert f"a={winner.bid_id}&amp;b=" in second  # "why below rank 1?" on page 2 too
    assert "<strong>3</strong>" in second


def test_a_renamed_vendor_shows_at_once_in_a_ranking_already_shown(login, ppk, announced, evaluate):
    submitted = [
        _submit(announced, _bidder(f"{30 + n}.00", "5", "1150000", "2750000")) for n in range(2)
    ]
    evaluate(_close(announced))
    client = login(ppk)
    client.get(_ranking(announced))
    vendor = submitted[0].vendor
    vendor.name = "CV Nama Baru Sekali"
    vendor.save(update_fields=["name"])
    assert "CV Nama Baru Sekali" in client.get(_ranking(announced)).content.decode()


# Progress while a run works ---------------------------------------------------------------------


def test_a_queued_run_polls_its_status_until_it_is_done(login, ppk, closed):
    run = services.evaluation_request(package=closed, by=ppk)  # no commit: stays queued
    client = login(ppk)
    status_url = reverse("procurement:evaluation-status", args=[run.pk])
    html = client.get(_ranking(closed)).content.decode()
    assert f'hx-get="{status_url}"' in html
    assert 'hx-trigger="every 2s"' in html
    assert 'role="progressbar"' in html

    response = client.get(status_url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "HX-Refresh" not in response.headers
    assert 'hx-trigger="every 2s"' in response.content.decode()

    services.evaluation_execute(run_id=run.pk)
    response = client.get(status_url, headers={"HX-Request": "true"})
    assert response.headers["HX-Refresh"] == "true"
    html = response.content.decode()
    assert "hx-trigger" not in html
    assert f"?run={run.pk}" in html


def test_a_rerun_under_way_shows_its_progress_beside_the_current_ranking(login, ppk, evaluated):
    package, _run = evaluated
    pending = services.evaluation_request(package=package, by=ppk)
    html = login(ppk).get(_ranking(package)).content.decode()
    assert "Evaluasi #1</h2>" in html  # the current ranking stays
    assert "Evaluasi #2: " in html  # the package's second run, under way
    assert reverse("procurement:evaluation-status", args=[pending.pk]) in html


# Why A ranks above B ----------------------------------------------------------------------------


def test_the_comparison_names_the_deciding_rule(login, ppk, evaluated, bidder, second_bidder):
    package, _run = evaluated
    a, b = _bid(package, bidder), _bid(package, second_bidder)
    client = login(ppk)
    for first, second in ((a, b), (b, a)):  # either order: the upper one is explained
        html = client.get(_compare(package, first.pk, second.pk)).content.decode()
        assert (
            f"{bidder[1].name} berada di atas {second_bidder[1].name} karena harga evaluasi "
            "akhirnya (HEA) lebih rendah: Rp1.075.287.813 dibanding Rp1.127.378.625."
        ) in html
        assert "Rp1.245.000.000" in html and "Rp1.287.500.000" in html


def test_the_comparison_explains_an_ineligible_bid(
    login, ppk, announced, bidder, second_bidder, evaluate
):
    _submit(announced, bidder)
    low = _bidder("10.00", "0", "1000000", "2000000", cabinet_tkdn="10.00", cabinet_bmp="0")
    _submit(announced, low)
    evaluate(_close(announced))
    html = (
        login(ppk)
        .get(_compare(announced, _bid(announced, low).pk, _bid(announced, bidder).pk))
        .content.decode()
    )
    assert (
        f"{bidder[1].name} berada di atas {low[1].name} karena penawaran {low[1].name} "
        "tidak memenuhi syarat: Gugur karena kewajiban produk dalam negeri"
    ) in html


def test_the_comparison_explains_equal_hea_by_tkdn(login, ppk, announced, evaluate):
    # Below Rp1 billion there is no preference: equal prices give equal HEA.
    announced.hps = D("900000000")
    announced.save(update_fields=["hps"])
    high = _bidder("50.00", "5", "1000000", "2000000")
    low = _bidder("30.00", "5", "1000000", "2000000")
    _submit(announced, high, desk_price="700000", cabinet_price="2000000")
    _submit(announced, low, desk_price="700000", cabinet_price="2000000")
    evaluate(_close(announced))
    html = (
        login(ppk)
        .get(_compare(announced, _bid(announced, low).pk, _bid(announced, high).pk))
        .content.decode()
    )
    assert f"{high[1].name} berada di atas {low[1].name} karena TKDN-nya lebih tinggi" in html


def test_bad_or_foreign_ids_are_404(login, ppk, evaluated, bidder):
    package, _run = evaluated
    a = _bid(package, bidder)
    other = PackageFactory(opd=package.opd, created_by=ppk, status=Status.ANNOUNCED)
    PackageItemFactory(package=other, position=1)
    PackageItemFactory(package=other, position=2)
    foreign = _submit(other, bidder)  # a bid of the same vendor, on another package
    client = login(ppk)
    for query in ((a.pk, a.pk), (a.pk, "x"), (a.pk, 999999), ("", ""), (a.pk, foreign.pk)):
        assert client.get(_compare(package, *query)).status_code == 404, query


# The export -------------------------------------------------------------------------------------


def test_the_ranking_downloads_as_xlsx_with_numbers(login, ppk, evaluated, bidder):
    package, _run = evaluated
    response = login(ppk).get(reverse("procurement:officer-evaluation-xlsx", args=[package.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    first = next(r for r in rows if r[1] == bidder[1].name)
    assert first[0] == 1
    assert first[3] == 1287500000
    assert abs(first[4] - 0.6593) < 1e-9
    assert abs(first[7] - 0.164825) < 1e-9
    assert abs(first[8] - 1075287812.5) < 1e-3
    assert "Preferensi harga" in first[10]


# The bidder's own result ------------------------------------------------------------------------


def test_the_vendor_page_waits_for_the_winner_announcement(
    login, ppk, evaluated, bidder, second_bidder
):
    package, _run = evaluated
    url = reverse("procurement:vendor-evaluation", args=[package.pk])
    client = login(second_bidder[0])
    assert client.get(url).status_code == 404
    pass_all_bids(package)
    services.package_winner_announce(package=package, by=ppk, bid=_bid(package, bidder))
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rp1.245.000.000" in html  # its own price
    assert "Preferensi harga: KP = TKDN 37,79% × preferensi 25,00% = 9,45%." in html
    assert bidder[1].name in html
    assert "Rp1.075.287.813" in html  # the winner's HEA
    assert "Rp1.287.500.000" not in html  # but not the winner's price
    assert "65,93" not in html  # nor its TKDN


def test_a_vendor_without_a_bid_gets_404(login, ppk, evaluated, bidder, outsider_vendor):
    package, _run = evaluated
    pass_all_bids(package)
    services.package_winner_announce(package=package, by=ppk, bid=_bid(package, bidder))
    url = reverse("procurement:vendor-evaluation", args=[package.pk])
    assert login(outsider_vendor).get(url).status_code == 404


def test_the_re_evaluate_form_of_a_cached_ranking_carries_the_officers_own_token(
    ppk, announced, evaluate
):
    for n in range(2):
        _submit(announced, _bidder(f"{30 + n}.00", "5", "1150000", "2750000"))
    evaluate(_close(announced))
    client = Client(enforce_csrf_checks=True)
    client.force_login(ppk)
    client.get(_ranking(announced))
    html = client.get(_ranking(announced)).content.decode()  # the page from the cache
    evaluate_url = reverse("procurement:officer-package-evaluate", args=[announced.pk])
    form = re.search(
        rf'action="{evaluate_url}">\s*<input type="hidden" name="csrfmiddlewaretoken" '
        r'value="([^"]+)"',
        html,
    )
    response = client.post(evaluate_url, {"csrfmiddlewaretoken": form.group(1), "kembali": "hasil"})
    assert response.status_code == 302  # not 403: the token is this officer's


def test_a_vendor_name_like_a_formula_stays_text_in_the_ranking_workbook(
    login, ppk, evaluated, bidder
):
    package, _run = evaluated
    type(bidder[1]).objects.filter(pk=bidder[1].pk).update(name=FORMULA)
    response = login(ppk).get(reverse("procurement:officer-evaluation-xlsx", args=[package.pk]))
    assert response.status_code == 200
    assert_kept_as_text(response.content)
