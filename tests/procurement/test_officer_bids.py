"""The opened bids side by side (and in Excel), and a package's whole life through the
officer's pages: from the draft form to the contract."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from p3dn_portal.lib.confirm import CONFIRMED
from p3dn_portal.lib.formatting import rupiah
from procurement import evaluation_views, exports, forms, services, views
from procurement.models import Bid, Package
from procurement.rules import Status
from tests.factories import (
    PackageFactory,
    PackageItemFactory,
    ProductFactory,
    TKDNCertificateFactory,
    VendorMemberFactory,
)
from tests.procurement.conftest import evaluate_now, pass_all_bids
from tests.spreadsheets import FORMULA, assert_kept_as_text

pytestmark = pytest.mark.django_db

D = Decimal


def _url(name: str, package: Package) -> str:
    return reverse(f"procurement:officer-package-{name}", args=[package.pk])


def _detail(package: Package) -> str:
    return reverse("procurement:package-detail", args=[package.pk])


# The cast is defined here rather than taken from conftest, so that the figures asserted
# below stay what they are: a goods package of two items and two micro bidders.


@pytest.fixture
def announced(ppk):
    # HPS = 1,000 x 1,200,000 + 50 x 3,000,000 = 1,350,000,000: every bid below it.
    package = PackageFactory(
        opd=ppk.officer.opd, created_by=ppk, status=Status.ANNOUNCED, hps=D("1350000000")
    )
    PackageItemFactory(
        package=package,
        position=1,
        description="Meja belajar siswa",
        quantity=D("1000"),
        hps_unit_price=D("1200000"),
    )
    PackageItemFactory(
        package=package,
        position=2,
        description="Lemari arsip",
        quantity=D("50"),
        hps_unit_price=D("3000000"),
    )
    return package


def _vendor(tkdn: str):
    """A verified micro vendor with a desk certified at `tkdn`% (BMP 10%) and an
    uncertified cabinet."""
    member = VendorMemberFactory()
    vendor = member.vendor
    desk = ProductFactory(vendor=vendor, name=f"Meja {vendor.pk}", kbli="31001")
    cabinet = ProductFactory(vendor=vendor, name=f"Lemari {vendor.pk}", kbli="31001")
    TKDNCertificateFactory(vendor=vendor, products=[desk], tkdn_pct=D(tkdn), bmp_pct=D("10"))
    return member.user, vendor, desk, cabinet


@pytest.fixture
def bidder():
    return _vendor("71.30")


@pytest.fixture
def second_bidder():
    return _vendor("40.00")


def _submit(package: Package, cast, desk_price: str, cabinet_price: str) -> Bid:
    user, vendor, desk, cabinet = cast
    desk_item, cabinet_item = package.items.order_by("position")
    return services.bid_submit(
        package=package,
        vendor=vendor,
        by=user,
        lines=[
            services.LineInput(desk_item, desk, D(desk_price)),
            services.LineInput(cabinet_item, cabinet, D(cabinet_price)),
        ],
    )


def _bid(package: Package) -> Bid:
    return _submit(package, _vendor("60.00"), "1150000", "2750000")


def _past_deadline(package: Package) -> None:
    """Move the deadline into the past: the database clock decides, not the test's."""
    Package.objects.filter(pk=package.pk).update(
        opens_at=timezone.now() - timedelta(days=8), closes_at=timezone.now() - timedelta(seconds=1)
    )


@pytest.fixture
def opened(announced, bidder, second_bidder):
    """The package closed with two bids opened (and one withdrawn, which never counts):
    Rp1.287.500.000 at TKDN 63,69% and Rp1.245.000.000 at TKDN 35,34%."""
    _submit(announced, bidder, "1150000", "2750000")
    _submit(announced, second_bidder, "1100000", "2900000")
    withdrawn = _bid(announced)
    services.bid_withdraw(bid=withdrawn, by=withdrawn.vendor.members.get().user)
    # Without a price preference the cheaper second bid ranks first.
    Package.objects.filter(pk=announced.pk).update(max_preference_pct=0)
    _past_deadline(announced)
    services.packages_close_due()
    evaluate_now(announced)  # the evaluation closing started
    return announced


@pytest.fixture
def clock(time_machine, monkeypatch):
    """One clock for Python and the services: deadlines are read from the database clock
    (services.lifecycle.database_now), which time travel cannot move, so here it follows the
    travelled one."""
    time_machine.move_to(timezone.now(), tick=False)
    monkeypatch.setattr(services.lifecycle, "database_now", timezone.now)
    return time_machine


# The comparison ------------------------------------------------------------------------------


def test_sealed_bids_are_not_shown(login, ppk, announced):
    _bid(announced)
    client = login(ppk)
    for name in ("bids", "bids-xlsx"):
        response = client.get(_url(name, announced), follow=True)
        assert response.redirect_chain[-1][0] == _detail(announced)
        html = response.content.decode()
        assert "Penawaran masih tersegel" in html
        assert "1.150.000" not in html


def test_opened_bids_side_by_side(login, pokja, opened, bidder, second_bidder):
    response = login(pokja).get(_url("bids", opened))
    assert response.status_code == 200
    html = response.content.decode()
    cheaper, dearer = response.context["bids"]
    assert (cheaper.vendor, dearer.vendor) == (second_bidder[1], bidder[1])
    for needle in (
        bidder[1].name,
        second_bidder[1].name,
        bidder[2].name,  # the desk product
        "Rp1.150.000",  # unit price
        "Rp1.150.000.000",  # line total
        "Rp1.287.500.000",  # bid total
        "71,30%",  # TKDN of the certified line
        "/SJ-IND.8/TKDN/",  # its certificate number
        "Mikro",  # scale badge
        dearer.receipt_hash[:12],
    ):
        assert needle in html, needle
    assert len(response.context["rows"]) == 2
    assert str(opened.bids.get(status="withdrawn").vendor.name) not in html


@pytest.mark.parametrize("bidders", [1, 4])
def test_the_comparison_query_count_does_not_grow_with_bids(
    login, ppk, announced, django_assert_num_queries, bidders
):
    for _ in range(bidders):
        _bid(announced)
    _past_deadline(announced)
    services.packages_close_due()
    client = login(ppk)
    # 1 user with OPD joined, 2 package, 3 opened bids with vendors,
    # 4 their lines, 5 the package's items (the navbar's unread count comes with 1)
    with django_assert_num_queries(5):
        response = client.get(_url("bids", announced))
    assert len(response.context["bids"]) == bidders
    with django_assert_num_queries(5):
        client.get(_url("bids-xlsx", announced))


def test_the_comparison_downloads_as_a_workbook(login, ppk, opened, bidder, second_bidder):
    response = login(ppk).get(_url("bids-xlsx", opened))
    assert response.status_code == 200
    assert response["Content-Type"] == views.XLSX
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="penawaran-{opened.rup_code}.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    first = 7  # after the six item columns, six per bidder, cheapest first
    assert second_bidder[1].name in sheet.cell(4, first).value
    assert bidder[1].name in sheet.cell(4, first + 6).value
    assert sheet.cell(6, 2).value == "Meja belajar siswa"
    assert sheet.cell(6, first).value == second_bidder[2].name
    assert sheet.cell(6, first + 1).value == 1100000  # unit price, a number
    assert sheet.cell(6, first + 1).number_format == exports.RUPIAH_FORMAT
    total = sheet.cell(8, first + 2)
    assert sheet.cell(8, 2).value == "Total harga penawaran (Rp)"
    assert isinstance(total.value, int | float)
    assert total.value == 1245000000
    assert isinstance(sheet.cell(8, first + 6 + 2).value, int | float)
    assert sheet.cell(9, first + 3).value == pytest.approx(0.3534, abs=0.0001)
    assert sheet.cell(9, first + 3).number_format == exports.PERCENT_FORMAT


# Winner, objections, award, contract ----------------------------------------------------------


def test_only_the_ppk_announces_the_winner(login, pokja, opened):
    client = login(pokja)
    client.post(_url("evaluate", opened))
    pass_all_bids(opened)
    response = client.post(_url("announce-winner", opened), {"confirm": "on"})
    assert response.status_code == 403
    assert "tidak berwenang mengumumkan pemenang" in response.content.decode()
    opened.refresh_from_db()
    assert (opened.status, opened.winner) == (Status.EVALUATION, None)


def test_announcing_asks_first_and_nothing_happens_without_the_confirmation(login, ppk, opened):
    pass_all_bids(opened)
    client = login(ppk)
    response = client.post(_url("announce-winner", opened), {"reason": "Peringkat 1."})
    assert response.status_code == 200
    assert str(evaluation_views.WINNER_CONFIRM_REQUIRED) in response.content.decode()
    assert 'value="Peringkat 1."' in response.content.decode() or "Peringkat 1." in (
        response.content.decode()
    )
    opened.refresh_from_db()
    assert (opened.status, opened.winner) == (Status.EVALUATION, None)


def test_a_provisional_ranking_cannot_name_a_winner(login, ppk, pokja, opened):
    client = login(ppk)
    client.post(_url("evaluate", opened))
    evaluate_now(opened)  # no verdict yet: the ranking is provisional
    html = client.get(_url("announce-winner", opened)).content.decode()
    assert str(services.RANKING_PROVISIONAL) in html
    assert 'name="confirm"' not in html
    response = client.post(_url("announce-winner", opened), {"confirm": "on"}, follow=True)
    assert str(services.RANKING_PROVISIONAL) in response.content.decode()
    opened.refresh_from_db()
    assert (opened.status, opened.winner) == (Status.EVALUATION, None)


def test_the_confirmation_shows_rank_1_with_its_prices_and_why(
    login, ppk, opened, bidder, second_bidder
):
    pass_all_bids(opened)
    client = login(ppk)
    assert _url("announce-winner", opened) in client.get(_detail(opened)).content.decode()
    html = client.get(_url("announce-winner", opened)).content.decode()
    winner = opened.bids.get(vendor=second_bidder[1], status="active")
    first = opened.evaluation_runs.filter(status="succeeded").latest("created_at")
    first = first.results.get(rank=1)
    assert first.bid == winner
    assert f"Peringkat 1: {second_bidder[1].name}" in html
    assert rupiah(winner.price) in html
    assert rupiah(first.hea) in html
    assert f"peringkat 2 adalah {bidder[1].name}" in html
    response = client.post(
        _url("announce-winner", opened), {"confirm": "on", "reason": "HEA terendah."}
    )
    assert response.status_code == 302
    opened.refresh_from_db()
    assert (opened.status, opened.winner) == (Status.OBJECTION, winner)
    assert opened.events.get(action="announce_winner").reason == "HEA terendah."


def test_answering_an_objection_needs_an_answer(login, ppk, pokja, opened, bidder, second_bidder):
    winner = opened.bids.get(vendor=second_bidder[1], status="active")
    services.package_evaluation_start(package=opened, by=pokja)
    evaluate_now(opened)
    pass_all_bids(opened)
    services.package_winner_announce(package=opened, by=ppk, bid=winner)
    objection = services.objection_file(package=opened, by=bidder[0], text="Harga tidak wajar.")
    url = reverse("procurement:officer-package-answer-objection", args=[opened.pk, objection.pk])
    client = login(pokja)
    response = client.post(url, {"answer": "Tanpa keputusan."}, follow=True)
    assert str(forms.AnswerForm.base_fields["decision"].error_messages["required"]) in (
        response.content.decode()
    )
    response = client.post(url, {"decision": "ditolak", "answer": ""}, follow=True)
    assert str(services.REASON_REQUIRED) in response.content.decode()
    objection.refresh_from_db()
    assert objection.answered_at is None
    answer = {"decision": "ditolak", "answer": "Harga sudah diklarifikasi."}
    html = client.post(url, answer).content.decode()  # asks first, with the decision
    assert f"Putuskan sanggah {bidder[1].name}?" in html
    assert "Harga sudah diklarifikasi." in html
    objection.refresh_from_db()
    assert objection.answered_at is None
    response = client.post(url, answer | CONFIRMED, follow=True)
    assert f"Sanggah ditolak; jawaban dikirim ke {bidder[1].name}" in response.content.decode()
    objection.refresh_from_db()
    assert (objection.answer, objection.answered_by, objection.upheld) == (
        "Harga sudah diklarifikasi.",
        pokja,
        False,
    )
    assert "Harga sudah diklarifikasi." in client.get(_detail(opened)).content.decode()


def test_the_contract_needs_a_number_and_a_date(login, ppk, opened):
    Package.objects.filter(pk=opened.pk).update(
        status=Status.AWARDED, winner=opened.bids.filter(status="active").first()
    )
    client = login(ppk)
    response = client.post(
        _url("contract", opened), {"number": "", "signed_on": ""} | CONFIRMED, follow=True
    )
    assert str(services.CONTRACT_NUMBER_REQUIRED) in response.content.decode()
    response = client.post(
        _url("contract", opened), {"number": "1", "signed_on": "kemarin"} | CONFIRMED
    )
    opened.refresh_from_db()
    assert opened.status == Status.AWARDED


# A whole life --------------------------------------------------------------------------------


def test_a_package_from_draft_to_contract(login, ppk, pokja, bidder, second_bidder, clock):
    now = timezone.localtime(timezone.now())
    client = login(ppk)
    client.post(
        reverse("procurement:officer-package-add"),
        {
            "rup_code": "47110234",
            "title": "Pengadaan meja dan lemari SD",
            "fiscal_year": "2026",
            "category": "goods",
            "method": "tender",
            "pagu": "1.500.000.000",
            "pdn": "on",
            "max_preference_pct": "25",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
            "items-TOTAL_FORMS": "2",
            "items-INITIAL_FORMS": "0",
            "items-0-description": "Meja belajar siswa",
            "items-0-quantity": "1.000",
            "items-0-unit": "unit",
            "items-0-hps_unit_price": "1.200.000",
            "items-1-description": "Lemari arsip",
            "items-1-quantity": "50",
            "items-1-unit": "unit",
            "items-1-hps_unit_price": "3.000.000",
        },
    )
    package = Package.objects.get()
    assert package.hps == D("1350000000")

    client = login(pokja)
    client.post(_url("announce", package), CONFIRMED)
    _submit(package, bidder, "1150000", "2750000")
    _submit(package, second_bidder, "1100000", "2900000")
    assert client.get(_url("bids", package)).status_code == 302  # sealed

    clock.shift(timedelta(days=7, minutes=1))
    assert services.packages_close_due() == [package.pk]
    client = login(pokja)
    response = client.get(_url("bids", package))
    assert [b.vendor for b in response.context["bids"]] == [second_bidder[1], bidder[1]]

    client.post(_url("evaluate", package))
    evaluate_now(package)
    # The pokja passes both bids (no flags) in one step; the ranking becomes final.
    response = client.post(
        reverse("procurement:officer-verdicts-confirm-all", args=[package.pk]), follow=True
    )
    assert "2 penawaran tanpa tanda dinyatakan lulus" in response.content.decode()
    evaluate_now(package)
    client = login(ppk)
    # With the 25% preference the first bid (TKDN 63,69%) has the lowest evaluated price.
    winner = package.bids.get(vendor=bidder[1], status="active")
    response = client.post(
        _url("announce-winner", package),
        {"confirm": "on", "reason": "Harga evaluasi akhir terendah."},
        follow=True,
    )
    assert f"Pemenang diumumkan: {bidder[1].name}" in response.content.decode()
    objection = services.objection_file(
        package=package, by=second_bidder[0], text="Harga kami lebih murah."
    )

    response = client.post(_url("award", package), CONFIRMED, follow=True)
    assert "Masa sanggah masih berjalan" in response.content.decode()
    client = login(pokja)
    client.post(
        reverse("procurement:officer-package-answer-objection", args=[package.pk, objection.pk]),
        {
            "decision": "ditolak",
            "answer": "Harga evaluasi akhir sudah memperhitungkan preferensi TKDN.",
        }
        | CONFIRMED,
    )

    clock.shift(timedelta(days=5, minutes=1))
    client = login(ppk)
    response = client.post(_url("award", package), CONFIRMED, follow=True)
    # The contract value is the winner's bid price, not its evaluated price.
    assert "Pemenang ditetapkan. Nilai kontrak Rp1.287.500.000" in response.content.decode()
    contract = {"number": "027/SPK/DISDIK/2026", "signed_on": now.date().isoformat()}
    # Recording the contract asks first, saying what will happen, with what was entered.
    html = client.post(_url("contract", package), contract).content.decode()
    assert str(views.ASK_CONTRACT) in html
    assert str(views.ASK_CONTRACT_FIXED) in html
    assert 'value="027/SPK/DISDIK/2026"' in html and 'name="konfirmasi" value="ya"' in html
    assert Package.objects.get(pk=package.pk).status == Status.AWARDED
    response = client.post(_url("contract", package), contract | CONFIRMED, follow=True)
    assert "Kontrak 027/SPK/DISDIK/2026 dicatat." in response.content.decode()

    package.refresh_from_db()
    assert package.status == Status.CONTRACTED
    assert (package.winner, package.contract_value) == (winner, D("1287500000"))
    # No low-price clarification: the performance guarantee is 5% of the contract value.
    assert package.performance_guarantee == D("64375000")
    assert [(e.action, e.by) for e in package.events.all()] == [
        ("announce", pokja),
        ("close", None),
        ("evaluate", None),
        ("evaluate", pokja),
        ("evaluate", pokja),  # ranked again after the pokja confirmed both bids
        ("announce_winner", ppk),
        ("award", ppk),
        ("contract", ppk),
    ]
    html = client.get(_detail(package)).content.decode()
    assert "Sistem (otomatis)" in html
    assert "Harga evaluasi akhir terendah." in html


def test_a_product_or_vendor_name_like_a_formula_stays_text_in_the_workbook(
    login, ppk, announced, bidder
):
    _user, vendor, desk, _cabinet = bidder
    desk.name = FORMULA
    desk.save(update_fields=["name"])
    _submit(announced, bidder, "1150000", "2750000")
    _past_deadline(announced)
    services.packages_close_due()
    type(vendor).objects.filter(pk=vendor.pk).update(name="@" + FORMULA[1:])
    response = login(ppk).get(_url("bids-xlsx", announced))
    assert response.status_code == 200
    assert_kept_as_text(response.content)
    assert_kept_as_text(response.content, "@" + FORMULA[1:])
