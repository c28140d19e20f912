"""A vendor's side of a package: the bid form, the receipt, withdrawing, the list of its bids,
the panel on the package page, and the sanggah. And the seal: before closing nobody but the
bidder's own users learns that a bid exists, let alone its price."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from p3dn_portal.lib.fields import AMOUNT_INVALID
from p3dn_portal.lib.formatting import jakarta
from procurement import forms, sealing, services, views
from procurement.models import Bid, BidStatus, Objection, Package
from procurement.rules import Status
from tests.factories import (
    AdminFactory,
    OfficerFactory,
    PackageFactory,
    PackageItemFactory,
    ProductFactory,
    VendorMemberFactory,
    pdf_upload,
)
from tests.procurement.conftest import evaluate_now, lines_for, pass_all_bids, past_deadline
from vendors.models import MemberRole, VendorStatus
from vendors.uploads import DOCUMENT_WRONG_TYPE

pytestmark = pytest.mark.django_db

SECRET_PRICES = ("1.150.000", "2.750.000", "1.287.500.000")


def _detail(package) -> str:
    return reverse("procurement:package-detail", args=[package.pk])


def _edit(package) -> str:
    return reverse("procurement:bid-edit", args=[package.pk])


def _receipt(bid) -> str:
    return reverse("procurement:bid-receipt", args=[bid.pk])


def _withdraw(bid) -> str:
    return reverse("procurement:bid-withdraw", args=[bid.pk])


def _objection(package) -> str:
    return reverse("procurement:objection-file", args=[package.pk])


MY_BIDS = reverse("procurement:my-bids")


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _submit(package, bidder, desk_price="1150000", cabinet_price="2750000") -> Bid:
    user, vendor, desk, cabinet = bidder
    return services.bid_submit(
        package=package,
        vendor=vendor,
        by=user,
        lines=lines_for(package, desk, cabinet, desk_price, cabinet_price),
    )


def _form_data(package, desk, cabinet, **overrides) -> dict:
    first, second = package.items.order_by("position")
    data = {
        f"product_{first.pk}": desk.pk,
        f"quantity_{first.pk}": "1.000",
        f"unit_price_{first.pk}": "1.150.000",
        f"product_{second.pk}": cabinet.pk,
        f"quantity_{second.pk}": "50",
        f"unit_price_{second.pk}": "Rp 2.750.000",
    }
    for key, value in overrides.items():
        field, position = key.rsplit("_", 1)
        item = first if position == "1" else second
        data[f"{field}_{item.pk}"] = value
    return data


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


@pytest.fixture
def named_bidder(bidder):
    """The bidder, with a name no page may show before closing."""
    vendor = bidder[1]
    vendor.name = "PT Penawar Rahasia Sentosa"
    vendor.save()
    return bidder


# The bid form ---------------------------------------------------------------------------------


def test_the_bid_form_needs_a_login(client, announced):
    assert _is_login_redirect(client.get(_edit(announced)))
    assert _is_login_redirect(client.post(_edit(announced), {}))
    assert not Bid.objects.exists()


def test_the_bid_form_is_for_vendors_only(login, announced, ppk, admin_user):
    for user in (ppk, admin_user):
        assert login(user).get(_edit(announced)).status_code == 403


def test_a_draft_package_has_no_bid_form(login, bidder, ppk):
    draft = PackageFactory(opd=ppk.officer.opd, created_by=ppk)
    assert login(bidder[0]).get(_edit(draft)).status_code == 404


def test_the_bid_form_has_a_row_per_item_with_the_vendors_active_products(
    login, announced, bidder, second_bidder
):
    user, vendor, desk, cabinet = bidder
    ProductFactory(vendor=vendor, name="Produk yang dinonaktifkan", is_active=False)
    html = login(user).get(_edit(announced)).content.decode()
    for text in ("Meja belajar siswa kayu jati", "Lemari arsip", "KBLI 31001", "1.000 unit"):
        assert text in html, text
    assert f"{desk.name} — Rp1.150.000 / kg — TKDN 71,30%" in html
    assert f"{cabinet.name} — Rp2.750.000 / kg — TKDN 21,00%" in html
    assert "Produk yang dinonaktifkan" not in html
    assert second_bidder[2].name not in html  # another vendor's product
    # The document's volume is shown, never typed.
    assert 'name="quantity_' not in html


def test_submitting_the_form_seals_a_bid_and_shows_its_receipt(login, announced, bidder):
    user, vendor, desk, cabinet = bidder
    response = login(user).post(_edit(announced), _form_data(announced, desk, cabinet))
    bid = Bid.objects.get()
    assert response.status_code == 302
    assert response.url == _receipt(bid)
    assert _messages(response) == [str(views.BID_SUBMITTED.format(version=1))]
    assert (bid.vendor, bid.version, bid.status, bid.submitted_by) == (
        vendor,
        1,
        BidStatus.ACTIVE,
        user,
    )
    content = services.bid_content(bid).to_dict()
    assert sealing.receipt(content) == bid.receipt_hash
    assert Decimal(content["total"]) == Decimal("1287500000")
    assert [line["unit_price"] for line in content["lines"]] == ["1150000.00", "2750000.00"]
    assert [line["quantity"] for line in content["lines"]] == ["1000.00", "50.00"]


def test_any_user_of_the_vendor_may_bid(login, announced, bidder):
    _, vendor, desk, cabinet = bidder
    staff = VendorMemberFactory(vendor=vendor, role=MemberRole.STAFF).user
    login(staff).post(_edit(announced), _form_data(announced, desk, cabinet))
    assert Bid.objects.get().submitted_by == staff


def test_bad_input_is_explained_on_the_form_keeps_what_was_typed_and_saves_nothing(
    login, announced, bidder
):
    user, _, desk, cabinet = bidder
    data = _form_data(announced, desk, cabinet, unit_price_1="sejuta", unit_price_2="")
    response = login(user).post(_edit(announced), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert str(AMOUNT_INVALID) in html
    assert escape(str(forms.PRICE_REQUIRED_FOR.format(item="Lemari arsip"))) in html
    assert 'value="sejuta"' in html
    assert f'value="{desk.pk}" selected' in html
    assert not Bid.objects.exists()


def test_a_product_of_another_vendor_is_refused(login, announced, bidder, second_bidder):
    user, _, desk, _ = bidder
    their_cabinet = second_bidder[3]
    response = login(user).post(_edit(announced), _form_data(announced, desk, their_cabinet))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Bid.objects.exists()


def test_a_rule_the_service_enforces_is_shown_on_the_form_with_the_typed_values(
    login, announced, bidder
):
    user, _, desk, cabinet = bidder
    Package.objects.filter(pk=announced.pk).update(min_tkdn_pct=Decimal("70"))
    response = login(user).post(_edit(announced), _form_data(announced, desk, cabinet))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        str(services.MIN_TKDN_NOT_MET.format(tkdn="65,93%", minimum="70,00%"))
    ]
    assert 'value="1.150.000"' in response.content.decode()
    assert not Bid.objects.exists()


def test_revising_prefills_the_form_from_the_active_bid(login, announced, bidder):
    user, _, desk, cabinet = bidder
    _submit(announced, bidder, desk_price="1120000")
    html = login(user).get(_edit(announced)).content.decode()
    assert "Ubah penawaran" in html
    assert f'value="{desk.pk}" selected' in html
    assert f'value="{cabinet.pk}" selected' in html
    assert 'value="1.120.000"' in html


def test_revising_keeps_exactly_one_active_bid_and_lists_the_old_version(login, announced, bidder):
    user, vendor, desk, cabinet = bidder
    first = _submit(announced, bidder)
    client = login(user)
    response = client.post(
        _edit(announced), _form_data(announced, desk, cabinet, unit_price_1="1.100.000")
    )
    second = Bid.objects.get(status=BidStatus.ACTIVE)
    assert response.url == _receipt(second)
    first.refresh_from_db()
    assert (first.status, second.version) == (BidStatus.SUPERSEDED, 2)
    assert announced.bids.filter(vendor=vendor, status=BidStatus.ACTIVE).count() == 1
    html = client.get(_receipt(second)).content.decode()
    assert first.receipt_hash in html
    assert "Diganti revisi" in html


def test_a_bid_after_the_deadline_is_refused_even_before_the_closing_job_runs(
    login, announced, bidder
):
    user, _, desk, cabinet = bidder
    past_deadline(announced)
    assert announced.status == Status.ANNOUNCED
    response = login(user).post(_edit(announced), _form_data(announced, desk, cabinet))
    assert response.status_code == 200
    [error] = response.context["form"].non_field_errors().as_data()
    assert error.code == "deadline_passed"
    assert not Bid.objects.exists()


def test_the_form_is_not_offered_once_the_deadline_has_passed(login, announced, bidder):
    with time_machine.travel(announced.closes_at + timedelta(minutes=1), tick=False):
        response = login(bidder[0]).get(_edit(announced))
    assert response.status_code == 302
    assert response.url == _detail(announced)
    assert _messages(response) == [
        str(services.DEADLINE_PASSED.format(closes=jakarta(announced.closes_at)))
    ]


def test_the_form_is_not_offered_for_a_closed_package(login, announced, bidder):
    Package.objects.filter(pk=announced.pk).update(status=Status.CLOSED)
    client = login(bidder[0])
    response = client.get(_edit(announced))
    assert response.url == _detail(announced)
    assert _messages(response) == [str(services.NOT_ANNOUNCED)]
    _, _, desk, cabinet = bidder
    response = client.post(_edit(announced), _form_data(announced, desk, cabinet))
    assert response.context["form"].non_field_errors() == [str(services.NOT_ANNOUNCED)]
    assert not Bid.objects.exists()


def test_an_unverified_vendor_is_told_why_it_cannot_bid(login, announced, bidder):
    user, vendor, desk, cabinet = bidder
    vendor.status, vendor.verified_at = VendorStatus.PENDING, None
    vendor.save()
    client = login(user)
    response = client.get(_edit(announced))
    assert response.url == _detail(announced)
    assert _messages(response) == [str(services.VENDOR_NOT_VERIFIED)]
    response = client.post(_edit(announced), _form_data(announced, desk, cabinet))
    assert response.context["form"].non_field_errors() == [str(services.VENDOR_NOT_VERIFIED)]
    assert not Bid.objects.exists()


# The receipt ----------------------------------------------------------------------------------


def test_the_receipt_shows_the_sealed_content_and_its_hash(login, announced, bidder):
    user, vendor, desk, cabinet = bidder
    bid = _submit(announced, bidder)
    staff = VendorMemberFactory(vendor=vendor, role=MemberRole.STAFF).user
    for viewer in (user, staff):
        html = login(viewer).get(_receipt(bid)).content.decode()
        for text in (
            announced.title,
            bid.receipt_hash,
            f"{timezone.localtime(bid.submitted_at):%H:%M:%S} WIB",
            desk.name,
            cabinet.name,
            "Rp1.150.000,00",
            "Rp1.287.500.000,00",
            "71,30%",
            "65,93%",
            "76,97%",
            "/SJ-IND.8/TKDN/7/2024",
            "Cocok",
        ):
            assert text in html, text
        assert "Tidak cocok" not in html


def test_the_receipt_says_when_the_content_no_longer_matches_the_hash(login, announced, bidder):
    bid = _submit(announced, bidder)
    Bid.objects.filter(pk=bid.pk).update(receipt_hash="0" * 64)
    html = login(bidder[0]).get(_receipt(bid)).content.decode()
    assert "Tidak cocok" in html


def test_the_receipt_lists_withdrawn_versions_with_their_hashes(login, announced, bidder):
    first = _submit(announced, bidder)
    services.bid_withdraw(bid=first, by=bidder[0])
    second = _submit(announced, bidder)
    html = login(bidder[0]).get(_receipt(second)).content.decode()
    assert first.receipt_hash in html
    assert "Ditarik" in html


def test_the_receipt_is_only_for_the_bidders_own_users(
    client, login, announced, named_bidder, outsider_vendor, ppk, other_officer
):
    bid = _submit(announced, named_bidder)
    assert _is_login_redirect(client.get(_receipt(bid)))
    admin = AdminFactory()
    for viewer in (outsider_vendor, ppk, other_officer, admin):
        assert login(viewer).get(_receipt(bid)).status_code == 404


def test_a_receipt_that_does_not_exist_is_a_404(login, bidder):
    assert (
        login(bidder[0]).get(reverse("procurement:bid-receipt", args=[987654])).status_code == 404
    )


def test_the_receipt_stays_the_bidders_after_closing(login, announced, named_bidder, ppk):
    bid = _submit(announced, named_bidder)
    past_deadline(announced)
    services.packages_close_due()
    assert login(ppk).get(_receipt(bid)).status_code == 404
    assert login(named_bidder[0]).get(_receipt(bid)).status_code == 200


# Withdrawing ----------------------------------------------------------------------------------


def test_a_vendor_withdraws_its_bid(login, announced, bidder):
    bid = _submit(announced, bidder)
    response = login(bidder[0]).post(_withdraw(bid))
    assert response.url == _detail(announced)
    assert _messages(response) == [str(views.BID_WITHDRAWN)]
    bid.refresh_from_db()
    assert bid.status == BidStatus.WITHDRAWN


def test_withdrawing_takes_a_post(login, announced, bidder):
    bid = _submit(announced, bidder)
    assert login(bidder[0]).get(_withdraw(bid)).status_code == 405
    bid.refresh_from_db()
    assert bid.status == BidStatus.ACTIVE


def test_nobody_else_can_withdraw_a_bid_or_learn_it_exists(
    client, login, announced, bidder, outsider_vendor, ppk
):
    bid = _submit(announced, bidder)
    assert _is_login_redirect(client.post(_withdraw(bid)))
    for user in (outsider_vendor, ppk):
        assert login(user).post(_withdraw(bid)).status_code == 404
    bid.refresh_from_db()
    assert bid.status == BidStatus.ACTIVE


def test_withdrawing_after_the_deadline_is_refused_with_the_reason(login, announced, bidder):
    bid = _submit(announced, bidder)
    past_deadline(announced)
    response = login(bidder[0]).post(_withdraw(bid))
    assert _messages(response) == [
        str(services.DEADLINE_PASSED.format(closes=jakarta(announced.closes_at)))
    ]
    bid.refresh_from_db()
    assert bid.status == BidStatus.ACTIVE


def test_withdrawing_an_old_version_is_refused(login, announced, bidder):
    first = _submit(announced, bidder)
    _submit(announced, bidder)
    response = login(bidder[0]).post(_withdraw(first))
    assert _messages(response) == [str(services.BID_NOT_ACTIVE)]


# My bids --------------------------------------------------------------------------------------


def test_my_bids_lists_the_vendors_bids_active_first(login, announced, bidder, second_bidder):
    first = _submit(announced, bidder)
    second = _submit(announced, bidder)
    other_package = PackageFactory(status=Status.ANNOUNCED, title="Pengadaan papan tulis")
    PackageItemFactory(package=other_package, position=1)
    user, vendor, desk, _ = bidder
    withdrawn = services.bid_submit(
        package=other_package,
        vendor=vendor,
        by=user,
        lines=[
            services.LineInput(
                item=other_package.items.get(),
                product=desk,
                unit_price=Decimal("1000000"),
            )
        ],
    )
    services.bid_withdraw(bid=withdrawn, by=user)
    theirs = _submit(announced, second_bidder)
    response = login(user).get(MY_BIDS)
    html = response.content.decode()
    receipts = [_receipt(bid) for bid in (second, withdrawn, first)]
    assert sorted(receipts, key=html.index) == receipts  # active first, then newest first
    assert "Pengadaan papan tulis" in html
    assert _receipt(theirs) not in html


def test_my_bids_is_for_vendors_only(client, login, ppk):
    assert _is_login_redirect(client.get(MY_BIDS))
    assert login(ppk).get(MY_BIDS).status_code == 403


@pytest.mark.parametrize("count", [1, 6])
def test_my_bids_query_count_does_not_grow_with_bids(
    login, django_assert_num_queries, announced, bidder, count
):
    for _ in range(count):
        _submit(announced, bidder)
    client = login(bidder[0])
    # 1 user with vendor joined and the unread-notification count for the navbar badge,
    # 2 the data versions; the first time for the data as it is: 3 count of bids,
    # 4 the page of bids with their packages and OPDs joined.
    with django_assert_num_queries(4):
        response = client.get(MY_BIDS)
    assert response.content.decode().count("/tanda-terima/") == count
    with django_assert_num_queries(2):  # the user and the data versions
        client.get(MY_BIDS)


def test_a_new_bid_shows_in_my_bids_already_shown(login, announced, bidder):
    client = login(bidder[0])
    assert "/tanda-terima/" not in client.get(MY_BIDS).content.decode()
    bid = _submit(announced, bidder)
    assert _receipt(bid) in client.get(MY_BIDS).content.decode()


# The vendor's panel on the package page -------------------------------------------------------


def test_a_vendor_without_a_bid_is_invited_to_bid(login, announced, bidder):
    html = login(bidder[0]).get(_detail(announced)).content.decode()
    assert "Ajukan penawaran" in html
    assert _edit(announced) in html


def test_a_vendor_sees_its_own_sealed_bid_on_the_package_page(login, announced, bidder):
    bid = _submit(announced, bidder)
    html = login(bidder[0]).get(_detail(announced)).content.decode()
    for text in (
        bid.receipt_hash,
        "Rp1.287.500.000",
        "65,93%",
        "Ubah penawaran",
        "Tarik penawaran",
        _withdraw(bid),
        _receipt(bid),
    ):
        assert text in html, text


def test_an_unverified_vendor_is_told_on_the_package_page_why_it_cannot_bid(
    login, announced, bidder
):
    vendor = bidder[1]
    vendor.status, vendor.verified_at = VendorStatus.PENDING, None
    vendor.save()
    html = login(bidder[0]).get(_detail(announced)).content.decode()
    assert str(services.VENDOR_NOT_VERIFIED) in html
    assert _edit(announced) not in html


def test_a_medium_vendor_is_told_the_package_is_reserved_for_small_business(
    login, announced, bidder
):
    vendor = bidder[1]
    vendor.scale = "menengah"
    vendor.save()
    html = login(bidder[0]).get(_detail(announced)).content.decode()
    assert str(services.RESERVED_NOT_SMALL.format(scale="Menengah")) in html
    assert _edit(announced) not in html


def test_after_the_deadline_the_panel_no_longer_offers_changes(login, announced, bidder):
    bid = _submit(announced, bidder)
    with time_machine.travel(announced.closes_at + timedelta(minutes=1), tick=False):
        html = login(bidder[0]).get(_detail(announced)).content.decode()
    assert bid.receipt_hash in html
    assert "dibuka saat paket ditutup" in html
    assert _edit(announced) not in html
    assert _withdraw(bid) not in html


def test_after_closing_the_vendor_sees_its_opened_bid(login, announced, bidder):
    bid = _submit(announced, bidder)
    past_deadline(announced)
    services.packages_close_due()
    bid.refresh_from_db()
    html = login(bidder[0]).get(_detail(announced)).content.decode()
    assert "Rp1.287.500.000" in html
    assert f"Dibuka {jakarta(bid.opened_at)}" in html
    assert _edit(announced) not in html


@pytest.mark.parametrize("viewer", ["anonymous", "package_officer", "other_officer", "vendor"])
def test_before_closing_the_package_page_reveals_no_bidder_and_no_price(
    client, login, announced, named_bidder, ppk, viewer
):
    bid = _submit(announced, named_bidder)
    users = {
        "package_officer": ppk,
        "other_officer": OfficerFactory().user,
        "vendor": VendorMemberFactory().user,
    }
    if viewer != "anonymous":
        login(users[viewer])
    response = client.get(_detail(announced))
    assert response.status_code == 200
    html = response.content.decode()
    for secret in ("PT Penawar Rahasia Sentosa", bid.receipt_hash, *SECRET_PRICES):
        assert secret not in html, secret


# The sanggah ----------------------------------------------------------------------------------


@pytest.fixture
def objection_period(announced, bidder, second_bidder, ppk):
    """Both vendors bid; the second wins; the objection period runs."""
    # Without a price preference the cheaper second bid ranks first.
    Package.objects.filter(pk=announced.pk).update(max_preference_pct=0)
    loser = _submit(announced, bidder)
    winner = _submit(announced, second_bidder, desk_price="1100000", cabinet_price="2900000")
    past_deadline(announced)
    services.packages_close_due()
    evaluate_now(announced)
    winner.refresh_from_db()
    pass_all_bids(announced)
    services.package_winner_announce(package=announced, by=ppk, bid=winner)
    announced.refresh_from_db()
    return announced, loser, winner


def test_a_losing_bidder_files_a_sanggah_with_an_attachment(login, objection_period, bidder, ppk):
    package, loser, _ = objection_period
    response = login(bidder[0]).post(
        _objection(package),
        {
            "text": "  Harga pemenang di bawah 80% HPS tanpa klarifikasi.  ",
            "attachment": pdf_upload(),
        },
    )
    assert response.url == _detail(package)
    assert _messages(response) == [str(views.OBJECTION_FILED)]
    objection = Objection.objects.get()
    assert (objection.bid, objection.filed_by) == (loser, bidder[0])
    assert objection.text == "Harga pemenang di bawah 80% HPS tanpa klarifikasi."
    assert objection.attachment.name.endswith(".pdf")
    assert ppk.notifications.filter(link=_detail(package)).exists()


def test_the_losing_bidder_sees_the_sanggah_form_and_later_the_answer(
    login, objection_period, bidder, ppk
):
    package = objection_period[0]
    client = login(bidder[0])
    html = client.get(_detail(package)).content.decode()
    assert _objection(package) in html
    assert "bukan pemenang" in html
    objection = services.objection_file(package=package, by=bidder[0], text="Mohon klarifikasi.")
    services.objection_answer(objection=objection, by=ppk, answer="Harga sudah diklarifikasi.")
    html = client.get(_detail(package)).content.decode()
    assert "Mohon klarifikasi." in html
    assert "Harga sudah diklarifikasi." in html


def test_the_winner_and_a_vendor_without_a_bid_get_no_sanggah_form(
    login, objection_period, second_bidder, outsider_vendor
):
    package = objection_period[0]
    winner_html = login(second_bidder[0]).get(_detail(package)).content.decode()
    assert "Pemenang" in winner_html
    for user in (second_bidder[0], outsider_vendor):
        assert _objection(package) not in login(user).get(_detail(package)).content.decode()


def test_the_winner_cannot_file_a_sanggah(login, objection_period, second_bidder):
    package = objection_period[0]
    response = login(second_bidder[0]).post(_objection(package), {"text": "Keberatan."})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [str(services.OBJECTION_BY_WINNER)]
    assert not Objection.objects.exists()


def test_a_vendor_without_a_bid_cannot_file_a_sanggah(login, objection_period, outsider_vendor):
    package = objection_period[0]
    response = login(outsider_vendor).post(_objection(package), {"text": "Keberatan."})
    assert response.context["form"].non_field_errors() == [str(services.OBJECTION_NOT_BIDDER)]
    assert not Objection.objects.exists()


def test_a_sanggah_needs_text_and_a_real_document(login, objection_period, bidder):
    package = objection_period[0]
    client = login(bidder[0])
    response = client.post(_objection(package), {"text": "   "})
    assert response.status_code == 200
    assert response.context["form"].errors["text"]
    fake = SimpleUploadedFile("bukti.pdf", b"bukan pdf sungguhan", content_type="application/pdf")
    response = client.post(_objection(package), {"text": "Keberatan harga.", "attachment": fake})
    assert response.context["form"].errors["attachment"] == [str(DOCUMENT_WRONG_TYPE)]
    assert "Keberatan harga." in response.content.decode()
    assert not Objection.objects.exists()


def test_a_sanggah_after_the_objection_period_is_refused(login, objection_period, bidder):
    package = objection_period[0]
    Package.objects.filter(pk=package.pk).update(
        objection_ends_at=timezone.now() - timedelta(minutes=1)
    )
    package.refresh_from_db()
    client = login(bidder[0])
    assert "Masa sanggah sudah berakhir." in client.get(_detail(package)).content.decode()
    response = client.post(_objection(package), {"text": "Terlambat."})
    [error] = response.context["form"].non_field_errors().as_data()
    assert error.code == "closed"
    assert not Objection.objects.exists()


def test_a_sanggah_outside_the_objection_period_is_refused(login, announced, bidder):
    _submit(announced, bidder)
    response = login(bidder[0]).post(_objection(announced), {"text": "Terlalu cepat."})
    [error] = response.context["form"].non_field_errors().as_data()
    assert error.code == "wrong_state"
    assert not Objection.objects.exists()


def test_the_sanggah_page_is_for_logged_in_vendors(client, login, objection_period, ppk):
    package = objection_period[0]
    assert _is_login_redirect(client.post(_objection(package), {"text": "x"}))
    assert login(ppk).post(_objection(package), {"text": "x"}).status_code == 403
    assert not Objection.objects.exists()
