"""The contract pages: who opens what (anonymous, wrong role, another OPD's or vendor's
contract), bad input (a clear message, nothing saved), the BAST asking first, and lists
whose query count does not grow with their rows."""

from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts import services
from contracts.models import ContractStatus, Delivery, Handover, Rating, VendorResponse
from contracts.services import DeliveryLineInput, RatingInput
from p3dn_portal.lib.confirm import CONFIRMED
from tests.contracts.conftest import make_contract
from tests.factories import OfficerFactory, VendorMemberFactory


def _url(name, *args):
    return reverse(f"contracts:{name}", args=args)


def _deliver(contract, ppk, desks="10", accepted=None):
    line = contract.lines.order_by("position").first()
    return services.delivery_record(
        contract=contract,
        by=ppk,
        delivered_on=timezone.localdate(),
        lines=[DeliveryLineInput(line, D(desks), D(accepted or desks))],
    )


def _handed_over(contract, ppk):
    _deliver(contract, ppk)
    services.handover_sign(
        contract=contract,
        by=ppk,
        signed_on=timezone.localdate(),
        rating=RatingInput(4, 4, 4, 4),
    )
    contract.refresh_from_db()
    return contract


def _delivery_post(contract, **fields):
    desk, cabinet = contract.lines.order_by("position")
    data = {"delivered_on": timezone.localdate().isoformat(), "note": ""}
    for line in (desk, cabinet):
        data[f"line_{line.pk}_product"] = line.product_id
    data.update({k.replace("DESK", f"line_{desk.pk}"): v for k, v in fields.items()})
    return data


# Who opens what --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("officer-contract", "get"),
        ("officer-delivery-record", "get"),
        ("officer-handover", "get"),
        ("vendor-contract", "get"),
        ("vendor-handover-acknowledge", "post"),
        ("vendor-rating-answer", "post"),
        ("handover-document", "get"),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, contract, name, method):
    response = getattr(client, method)(_url(name, contract.pk))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_vendors_are_refused_officer_pages_and_officers_vendor_pages(
    login, contract, supplier, desk_ppk
):
    vendor = login(supplier[0])
    for name in ("officer-contracts",):
        assert vendor.get(_url(name)).status_code == 403
    for name in ("officer-contract", "officer-delivery-record", "officer-handover"):
        assert vendor.get(_url(name, contract.pk)).status_code == 403
    officer = login(desk_ppk)
    assert officer.get(_url("vendor-contracts")).status_code == 403
    assert officer.get(_url("vendor-contract", contract.pk)).status_code == 403
    assert officer.post(_url("vendor-rating-answer", contract.pk)).status_code == 403


def test_another_opds_officer_finds_nothing(login, contract):
    stranger = login(OfficerFactory(position="ppk").user)
    for name in ("officer-contract", "officer-delivery-record", "officer-handover"):
        assert stranger.get(_url(name, contract.pk)).status_code == 404
    assert contract.number not in stranger.get(_url("officer-contracts")).content.decode()


def test_another_vendor_finds_nothing(login, contract, desk_ppk):
    delivery = _deliver(contract, desk_ppk)
    stranger = login(VendorMemberFactory().user)
    assert stranger.get(_url("vendor-contract", contract.pk)).status_code == 404
    response = stranger.post(_url("vendor-delivery-respond", delivery.pk), {"response": "confirm"})
    assert response.status_code == 404
    assert stranger.post(_url("vendor-handover-acknowledge", contract.pk)).status_code == 404
    assert contract.number not in stranger.get(_url("vendor-contracts")).content.decode()
    delivery.refresh_from_db()
    assert delivery.vendor_response == VendorResponse.PENDING


def test_only_the_ppk_records_and_signs(login, contract, desk_ppk):
    pokja = login(OfficerFactory(opd=desk_ppk.officer.opd, position="pokja").user)
    assert pokja.get(_url("officer-contract", contract.pk)).status_code == 200
    assert pokja.get(_url("officer-delivery-record", contract.pk)).status_code == 403
    assert pokja.post(_url("officer-delivery-record", contract.pk), {}).status_code == 403
    assert pokja.get(_url("officer-handover", contract.pk)).status_code == 403
    assert not Delivery.objects.exists()


def test_the_printed_bast_is_for_the_opd_and_the_vendor_only(
    login, client, contract, desk_ppk, supplier
):
    assert login(desk_ppk).get(_url("handover-document", contract.pk)).status_code == 404
    _handed_over(contract, desk_ppk)
    for user in (desk_ppk, supplier[0]):
        client.logout()
        response = login(user).get(_url("handover-document", contract.pk))
        assert response.status_code == 200
        assert contract.handover.number in response.content.decode()
    client.logout()
    other_opd = login(OfficerFactory(position="ppk").user)
    assert other_opd.get(_url("handover-document", contract.pk)).status_code == 404
    client.logout()
    other_vendor = login(VendorMemberFactory().user)
    assert other_vendor.get(_url("handover-document", contract.pk)).status_code == 404


# The PPK's pages --------------------------------------------------------------------------


def test_the_ppk_records_a_partial_delivery(login, contract, desk_ppk):
    client = login(desk_ppk)
    response = client.post(
        _url("officer-delivery-record", contract.pk),
        _delivery_post(contract, DESK_delivered="60", DESK_accepted="58"),
    )
    assert response.status_code == 302
    delivery = Delivery.objects.get()
    (row,) = delivery.lines.all()
    assert (row.quantity_delivered, row.quantity_accepted) == (D("60"), D("58"))
    page = client.get(_url("officer-contract", contract.pk)).content.decode()
    assert "Pengiriman ke-1" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"DESK_delivered": "101", "DESK_accepted": "101"}, "melebihi sisa kontrak"),
        ({"DESK_delivered": "5", "DESK_accepted": "6"}, "melebihi volume dikirim"),
        ({"DESK_delivered": "lima"}, "Isi volume dengan angka"),
        ({"DESK_delivered": "-1"}, "tidak boleh kurang dari nol"),
        ({}, "sedikitnya satu barang"),
        ({"DESK_delivered": "5", "delivered_on": ""}, "Isi tanggal barang diterima"),
    ],
)
def test_bad_deliveries_are_refused_with_a_message_and_nothing_saved(
    login, contract, desk_ppk, fields, message
):
    response = login(desk_ppk).post(
        _url("officer-delivery-record", contract.pk), _delivery_post(contract, **fields)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Delivery.objects.exists()


def test_another_product_without_a_reason_is_refused_by_name(login, contract, desk_ppk, supplier):
    cabinet = supplier[3]
    data = _delivery_post(contract, DESK_delivered="5")
    desk_line = contract.lines.order_by("position").first()
    data[f"line_{desk_line.pk}_product"] = cabinet.pk
    response = login(desk_ppk).post(_url("officer-delivery-record", contract.pk), data)
    assert response.status_code == 200
    assert "tulis alasannya" in response.content.decode()
    assert not Delivery.objects.exists()


def test_the_bast_asks_first_and_requires_the_rating(login, contract, desk_ppk):
    _deliver(contract, desk_ppk)
    client = login(desk_ppk)
    url = _url("officer-handover", contract.pk)
    today = timezone.localdate().isoformat()

    missing = client.post(url, {"signed_on": today, "quality": "4", "cost": "4", "time": "4"})
    assert missing.status_code == 200
    assert "Pilih nilai 1 sampai 4" in missing.content.decode()
    low = client.post(
        url, {"signed_on": today, "quality": "2", "cost": "4", "time": "4", "service": "4"}
    )
    assert low.status_code == 200
    assert "Tulis catatan untuk nilai 1" in low.content.decode()
    data = {"signed_on": today, "quality": "4", "cost": "3", "time": "4", "service": "4"}
    asked = client.post(url, data)
    assert asked.status_code == 200
    assert "Ya, tandatangani BAST" in asked.content.decode()
    assert not Handover.objects.exists() and not Rating.objects.exists()

    done = client.post(url, {**data, **CONFIRMED})

    assert done.status_code == 302
    contract.refresh_from_db()
    assert contract.status == ContractStatus.HANDED_OVER
    assert contract.rating.marks == (4, 3, 4, 4)


# The vendor's pages -----------------------------------------------------------------------


def test_the_vendor_confirms_disputes_acknowledges_and_answers(login, contract, desk_ppk, supplier):
    first = _deliver(contract, desk_ppk, "10")
    second = _deliver(contract, desk_ppk, "10", "8")
    client = login(supplier[0])
    page = client.get(_url("vendor-contract", contract.pk)).content.decode()
    assert "Konfirmasi pengiriman" in page

    client.post(_url("vendor-delivery-respond", first.pk), {"response": "confirm"})
    refused = client.post(
        _url("vendor-delivery-respond", second.pk), {"response": "dispute"}, follow=True
    )
    assert "Tulis apa yang dibantah" in refused.content.decode()
    client.post(
        _url("vendor-delivery-respond", second.pk),
        {"response": "dispute", "vendor_note": "Dua meja tidak cacat."},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.vendor_response, second.vendor_response) == ("confirmed", "disputed")

    services.handover_sign(
        contract=contract,
        by=desk_ppk,
        signed_on=timezone.localdate(),
        rating=RatingInput(3, 3, 2, 3, "Terlambat dua hari."),
    )
    page = client.get(_url("vendor-contract", contract.pk)).content.decode()
    assert "Terlambat dua hari." in page and "Akui BAST" in page
    client.post(_url("vendor-handover-acknowledge", contract.pk))
    empty = client.post(_url("vendor-rating-answer", contract.pk), {"answer": ""}, follow=True)
    assert "Tulis jawaban Anda" in empty.content.decode()
    client.post(_url("vendor-rating-answer", contract.pk), {"answer": "Hujan deras di jalan."})
    contract.refresh_from_db()
    assert contract.handover.vendor_acknowledged_by == supplier[0]
    assert contract.rating.vendor_answer == "Hujan deras di jalan."


def test_the_vendor_sees_the_flag_and_its_reason(login, contract, desk_ppk, supplier):
    desk = supplier[2]
    certificate = desk.tkdn_certificates.get()
    certificate.expires_on = timezone.localdate() - timezone.timedelta(days=1)
    certificate.save()
    line = contract.lines.order_by("position").first()
    services.delivery_record(
        contract=contract,
        by=desk_ppk,
        delivered_on=timezone.localdate(),
        lines=[DeliveryLineInput(line, D("5"), D("5"), substitution_reason="Sertifikat habis.")],
    )
    page = login(supplier[0]).get(_url("vendor-contract", contract.pk)).content.decode()
    assert certificate.number in page
    assert "kedaluwarsa" in page
    assert "PPK menindaklanjutinya sesuai kontrak" in page


# Lists: a fixed number of queries -------------------------------------------------------


@pytest.mark.parametrize("count", [1, 6])
def test_the_opd_list_runs_a_fixed_number_of_queries(
    login, desk_ppk, supplier, django_assert_num_queries, count
):
    for n in range(count):
        contract = make_contract(desk_ppk, supplier, number=f"KTR/{n}")
        if n % 2:
            _handed_over(contract, desk_ppk)
    client = login(desk_ppk)
    # 1 the user with its officer seat and OPD (and the navbar's unread count), 2 the count,
    # 3 the page of contracts with OPD, vendor, package and BAST
    with django_assert_num_queries(3):
        response = client.get(_url("officer-contracts"))
    assert len(response.context["contracts"]) == count


@pytest.mark.parametrize("count", [1, 6])
def test_the_vendor_list_runs_a_fixed_number_of_queries(
    login, desk_ppk, supplier, django_assert_num_queries, count
):
    for n in range(count):
        make_contract(desk_ppk, supplier, number=f"KTR/{n}")
    client = login(supplier[0])
    with django_assert_num_queries(3):
        response = client.get(_url("vendor-contracts"))
    assert len(response.context["contracts"]) == count


@pytest.mark.parametrize("deliveries", [1, 4])
def test_the_contract_page_runs_a_fixed_number_of_queries(
    login, contract, desk_ppk, django_assert_num_queries, deliveries
):
    for _ in range(deliveries):
        _deliver(contract, desk_ppk, "5")
    client = login(desk_ppk)
    # 1 the user with its officer seat (and the navbar's unread count), 2 the contract with
    # OPD, vendor, package and BAST, 3 its lines with products, 4 deliveries with who recorded
    # and answered, 5 their lines with product, certificate and contract line, 6 flags, 7 the
    # rating
    with django_assert_num_queries(7):
        response = client.get(_url("officer-contract", contract.pk))
    assert len(response.context["page"].deliveries) == deliveries


def test_the_package_page_leads_to_the_contract(login, contracted, ppk):
    package, _winner = contracted
    page = login(ppk).get(reverse("procurement:package-detail", args=[package.pk]))
    assert _url("officer-contract", package.contract.pk) in page.content.decode()


def test_an_empty_post_says_what_is_missing(login, contract, desk_ppk):
    client = login(desk_ppk)
    delivery = client.post(_url("officer-delivery-record", contract.pk), {})
    assert delivery.status_code == 200
    assert "Isi tanggal barang diterima" in delivery.content.decode()
    handover = client.post(_url("officer-handover", contract.pk), {})
    assert handover.status_code == 200
    assert "Isi tanggal BAST" in handover.content.decode()
    assert not Delivery.objects.exists() and not Handover.objects.exists()
