"""Deliveries, the BAST with its rating, the flags, and the vendor's answers, through the
services (the contract: 100 desks at Rp1,000,000, TKDN 60 + BMP 10; 10 cabinets at
Rp2,000,000, TKDN 30 + BMP 5; offered TKDN 55.00)."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Notification
from audit.models import AuditAction, AuditEntry
from contracts import services
from contracts.models import ContractStatus, Delivery, FlagKind, Handover, Rating, VendorResponse
from contracts.services import DeliveryLineInput, RatingInput
from tests.contracts.conftest import make_contract
from tests.factories import (
    OfficerFactory,
    ProductFactory,
    TKDNCertificateFactory,
    VendorMemberFactory,
)

GOOD = RatingInput(quality=4, cost=3, time=3, service=4)


def _lines(contract):
    return list(contract.lines.order_by("position"))


def _deliver(contract, ppk, *quantities, day=None, desk=None):
    """Quantities (delivered, accepted) for the desks, then the cabinets; `desk`: the desk
    line's product and reason."""
    lines = _lines(contract)
    given = []
    for line, (delivered, accepted) in zip(lines, quantities, strict=False):
        options = (desk or {}) if line.position == 1 else {}
        given.append(DeliveryLineInput(line, D(delivered), D(accepted), **options))
    return services.delivery_record(
        contract=contract, by=ppk, delivered_on=day or timezone.localdate(), lines=given
    )


def test_a_partial_delivery_is_recorded_with_the_certificate_of_the_day(
    contract, desk_ppk, supplier
):
    delivery = _deliver(contract, desk_ppk, ("60", "58"), ("0", "0"))

    contract.refresh_from_db()
    assert (delivery.number, contract.status) == (1, ContractStatus.DELIVERING)
    (row,) = delivery.lines.all()
    desk = supplier[2]
    assert (row.product, row.quantity_delivered, row.quantity_accepted) == (desk, D("60"), D("58"))
    assert row.tkdn_certificate == desk.tkdn_certificates.get()
    assert (row.tkdn_pct, row.bmp_pct, row.substitution_reason) == (D("60.00"), D("10.00"), "")
    entry = AuditEntry.objects.get(action=AuditAction.DELIVERY_RECORDED)
    assert entry.object_id == contract.pk and entry.actor == desk_ppk
    vendor_user = supplier[0]
    assert Notification.objects.filter(
        user=vendor_user, kind="contracts/delivery_recorded"
    ).exists()


def test_a_second_delivery_counts_from_what_remains(contract, desk_ppk):
    _deliver(contract, desk_ppk, ("60", "58"))
    # 100 - 58 accepted = 42 remain: 43 is refused, nothing saved.
    with pytest.raises(ValidationError, match="sisa kontrak") as refused:
        _deliver(contract, desk_ppk, ("43", "43"))
    assert "melebihi sisa kontrak (42)" in refused.value.messages[0]
    assert Delivery.objects.count() == 1
    second = _deliver(contract, desk_ppk, ("42", "42"), ("10", "10"))
    assert second.number == 2


def test_accepted_above_delivered_and_nothing_delivered_are_refused(contract, desk_ppk):
    with pytest.raises(ValidationError, match="melebihi volume dikirim"):
        _deliver(contract, desk_ppk, ("5", "6"))
    with pytest.raises(ValidationError, match="sedikitnya satu barang"):
        _deliver(contract, desk_ppk, ("0", "0"), ("0", "0"))
    assert not Delivery.objects.exists()


def test_dates_in_the_future_or_before_the_contract_are_refused(contract, desk_ppk):
    with pytest.raises(ValidationError, match="sesudah hari ini"):
        _deliver(contract, desk_ppk, ("1", "1"), day=timezone.localdate() + timedelta(days=1))
    with pytest.raises(ValidationError, match="sebelum tanggal kontrak"):
        _deliver(contract, desk_ppk, ("1", "1"), day=contract.signed_on - timedelta(days=1))


def test_another_product_needs_a_reason(contract, desk_ppk, supplier):
    other = ProductFactory(vendor=supplier[1], name="Meja lipat", kbli="31001")
    TKDNCertificateFactory(vendor=supplier[1], products=[other], tkdn_pct=D("20"), bmp_pct=D("0"))
    with pytest.raises(ValidationError, match="produk lain"):
        _deliver(contract, desk_ppk, ("10", "10"), desk={"product": other})
    delivery = _deliver(
        contract,
        desk_ppk,
        ("10", "10"),
        desk={"product": other, "substitution_reason": "Model lama tidak diproduksi lagi."},
    )
    (row,) = delivery.lines.all()
    assert (row.product, row.tkdn_pct, row.substitution_reason) == (
        other,
        D("20.00"),
        "Model lama tidak diproduksi lagi.",
    )


def test_a_product_of_another_vendor_is_refused(contract, desk_ppk):
    stranger = ProductFactory()
    with pytest.raises(ValidationError, match="milik penyedia kontrak"):
        _deliver(
            contract, desk_ppk, ("1", "1"), desk={"product": stranger, "substitution_reason": "x"}
        )


def test_a_lapsed_offered_certificate_flags_the_contract_and_needs_a_reason(
    contract, desk_ppk, supplier
):
    user, _vendor, desk, _cabinet = supplier
    offered = desk.tkdn_certificates.get()
    offered.status = "rejected"  # revoked after the bid
    offered.rejection_reason = "Dicabut Kemenperin."
    offered.save()
    with pytest.raises(ValidationError, match="sertifikat lain"):
        _deliver(contract, desk_ppk, ("10", "10"))
    assert not contract.flags.exists()

    delivery = _deliver(
        contract, desk_ppk, ("10", "10"), desk={"substitution_reason": "Sertifikat dicabut."}
    )

    (row,) = delivery.lines.all()
    assert (row.tkdn_certificate, row.tkdn_pct) == (None, D("0"))
    (flag,) = contract.flags.all()
    assert flag.kind == FlagKind.CERTIFICATE_LAPSED
    assert (flag.detail["certificate"], flag.detail["lapse"]) == (offered.number, "revoked")
    assert AuditEntry.objects.filter(action=AuditAction.CONTRACT_FLAGGED).count() == 1
    assert Notification.objects.filter(user=user, kind="contracts/flag_raised").exists()
    # The same lapse is flagged once.
    _deliver(contract, desk_ppk, ("5", "5"), desk={"substitution_reason": "Sertifikat dicabut."})
    assert contract.flags.count() == 1


def test_an_expired_certificate_is_replaced_by_the_one_valid_that_day(contract, desk_ppk, supplier):
    _user, vendor, desk, _cabinet = supplier
    offered = desk.tkdn_certificates.get()
    offered.expires_on = timezone.localdate() - timedelta(days=2)
    offered.save()
    renewed = TKDNCertificateFactory(
        vendor=vendor, products=[desk], tkdn_pct=D("58"), bmp_pct=D("9")
    )

    delivery = _deliver(
        contract, desk_ppk, ("10", "10"), desk={"substitution_reason": "Diperpanjang."}
    )

    (row,) = delivery.lines.all()
    assert (row.tkdn_certificate, row.tkdn_pct) == (renewed, D("58.00"))
    assert contract.flags.get().detail["lapse"] == "expired"


def test_only_the_ppk_of_the_contracts_opd_records(contract, desk_ppk, supplier):
    pokja = OfficerFactory(opd=desk_ppk.officer.opd, position="pokja").user
    with pytest.raises(PermissionDenied, match="Hanya PPK"):
        _deliver(contract, pokja, ("1", "1"))
    with pytest.raises(PermissionDenied, match="OPD lain"):
        _deliver(contract, OfficerFactory(position="ppk").user, ("1", "1"))
    with pytest.raises(PermissionDenied, match="OPD lain"):
        _deliver(contract, supplier[0], ("1", "1"))


def test_the_vendor_confirms_or_disputes_once(contract, desk_ppk, supplier):
    user = supplier[0]
    first = _deliver(contract, desk_ppk, ("10", "10"))
    second = _deliver(contract, desk_ppk, ("10", "8"))

    with pytest.raises(ValidationError, match="Tulis apa yang dibantah"):
        services.delivery_respond(delivery=second, by=user, confirmed=False, note="  ")
    services.delivery_respond(delivery=first, by=user, confirmed=True)
    services.delivery_respond(delivery=second, by=user, confirmed=False, note="Kami kirim 10 baik.")

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.vendor_response, second.vendor_response) == (
        VendorResponse.CONFIRMED,
        VendorResponse.DISPUTED,
    )
    assert second.vendor_note == "Kami kirim 10 baik."
    with pytest.raises(ValidationError, match="sudah ditanggapi"):
        services.delivery_respond(delivery=first, by=user, confirmed=False, note="x")
    with pytest.raises(PermissionDenied, match="bukan milik perusahaan"):
        services.delivery_respond(delivery=second, by=VendorMemberFactory().user, confirmed=True)
    assert (
        Notification.objects.filter(user=desk_ppk, kind="contracts/delivery_answered").count() == 2
    )
    assert AuditEntry.objects.filter(action=AuditAction.DELIVERY_DISPUTED).count() == 1


def test_the_bast_requires_the_rating(contract, desk_ppk):
    _deliver(contract, desk_ppk, ("100", "100"), ("10", "10"))
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="wajib diisi"):
        services.handover_sign(contract=contract, by=desk_ppk, signed_on=today, rating=None)
    with pytest.raises(ValidationError, match="wajib diisi"):
        services.handover_sign(
            contract=contract, by=desk_ppk, signed_on=today, rating=RatingInput(4, None, 4, 4)
        )
    with pytest.raises(ValidationError, match="Tulis catatan") as low:
        services.handover_sign(
            contract=contract, by=desk_ppk, signed_on=today, rating=RatingInput(2, 4, 4, 4)
        )
    assert "rating_note" in low.value.message_dict
    assert not Handover.objects.exists() and not Rating.objects.exists()


def test_the_bast_closes_deliveries_at_the_offer_without_a_flag(contract, desk_ppk, supplier):
    _deliver(contract, desk_ppk, ("60", "60"))
    _deliver(contract, desk_ppk, ("40", "40"), ("10", "10"))

    handover = services.handover_sign(
        contract=contract,
        by=desk_ppk,
        signed_on=timezone.localdate(),
        rating=RatingInput(2, 4, 3, 4, note="Beberapa meja tergores."),
    )

    contract.refresh_from_db()
    year = timezone.localdate().year
    assert handover.number == f"BAST/{contract.opd.code}/{year}/0001"
    # All delivered at the offer: 120,000,000 at TKDN 55.00, TKDN + BMP 64.17.
    assert (
        handover.accepted_value,
        handover.achieved_tkdn_pct,
        handover.achieved_tkdn_bmp_pct,
    ) == (
        D("120000000.00"),
        D("55.00"),
        D("64.17"),
    )
    assert contract.status == ContractStatus.HANDED_OVER
    assert contract.rating.marks == (2, 4, 3, 4)
    assert not contract.flags.exists()
    with pytest.raises(ValidationError, match="sudah diserahterimakan"):
        _deliver(contract, desk_ppk, ("0", "0"), ("0", "0"))
    with pytest.raises(ValidationError, match="sudah ditandatangani"):
        services.handover_sign(
            contract=contract, by=desk_ppk, signed_on=timezone.localdate(), rating=GOOD
        )
    kinds = set(Notification.objects.filter(user=supplier[0]).values_list("kind", flat=True))
    assert {"contracts/handover_signed", "contracts/vendor_rated"} <= kinds
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {AuditAction.HANDOVER_SIGNED, AuditAction.VENDOR_RATED} <= actions


def test_an_achieved_tkdn_below_the_offer_is_flagged_by_points_and_value(
    contract, desk_ppk, supplier
):
    _user, vendor, _desk, _cabinet = supplier
    cheaper = ProductFactory(vendor=vendor, name="Meja impor rakitan", kbli="31001")
    TKDNCertificateFactory(vendor=vendor, products=[cheaper], tkdn_pct=D("20"), bmp_pct=D("0"))
    # 50 desks as bid (TKDN 60, BMP 10), 50 of the other (TKDN 20, BMP 0), 10 cabinets (30, 5):
    # TKDN = (50M x 60 + 50M x 20 + 20M x 30) / 120M = 4,600M / 120M = 38.33
    # TKDN + BMP = (50M x 70 + 50M x 20 + 20M x 35) / 120M = 5,200M / 120M = 43.33
    # Shortfall 55.00 - 38.33 = 16.67 points; 120,000,000 x 16.67% = Rp20,004,000.
    _deliver(contract, desk_ppk, ("50", "50"), ("10", "10"))
    _deliver(
        contract,
        desk_ppk,
        ("50", "50"),
        desk={"product": cheaper, "substitution_reason": "Stok habis."},
    )

    handover = services.handover_sign(
        contract=contract, by=desk_ppk, signed_on=timezone.localdate(), rating=GOOD
    )

    assert (handover.achieved_tkdn_pct, handover.achieved_tkdn_bmp_pct) == (D("38.33"), D("43.33"))
    (flag,) = contract.flags.all()
    assert (flag.kind, flag.shortfall_pct, flag.shortfall_value) == (
        FlagKind.TKDN_SHORTFALL,
        D("16.67"),
        D("20004000.00"),
    )
    entry = AuditEntry.objects.get(action=AuditAction.CONTRACT_FLAGGED)
    assert "16.67" in entry.summary


def test_bast_numbers_run_per_opd_and_year(desk_ppk, supplier):
    first = make_contract(desk_ppk, supplier, number="KTR/1")
    second = make_contract(desk_ppk, supplier, number="KTR/2")
    numbers = []
    for contract in (first, second):
        _deliver(contract, desk_ppk, ("1", "1"))
        numbers.append(
            services.handover_sign(
                contract=contract, by=desk_ppk, signed_on=timezone.localdate(), rating=GOOD
            ).number[-4:]
        )
    assert numbers == ["0001", "0002"]


def test_nothing_accepted_no_bast(contract, desk_ppk):
    with pytest.raises(ValidationError, match="Belum ada barang"):
        services.handover_sign(
            contract=contract, by=desk_ppk, signed_on=timezone.localdate(), rating=GOOD
        )


def test_the_vendor_acknowledges_and_answers_once(contract, desk_ppk, supplier):
    user = supplier[0]
    with pytest.raises(ValidationError, match="BAST belum"):
        services.handover_acknowledge(contract=contract, by=user)
    _deliver(contract, desk_ppk, ("1", "1"))
    services.handover_sign(
        contract=contract, by=desk_ppk, signed_on=timezone.localdate(), rating=GOOD
    )

    services.handover_acknowledge(contract=contract, by=user)
    with pytest.raises(ValidationError, match="sudah diakui"):
        services.handover_acknowledge(contract=contract, by=user)
    with pytest.raises(ValidationError, match="Tulis jawaban"):
        services.rating_answer(contract=contract, by=user, answer=" ")
    services.rating_answer(contract=contract, by=user, answer="Terima kasih.")
    with pytest.raises(ValidationError, match="hanya sekali"):
        services.rating_answer(contract=contract, by=user, answer="Lagi.")
    with pytest.raises(PermissionDenied, match="bukan milik perusahaan"):
        services.rating_answer(contract=contract, by=desk_ppk, answer="x")

    contract.refresh_from_db()
    assert contract.handover.vendor_acknowledged_by == user
    assert contract.rating.vendor_answer == "Terima kasih."
    kinds = set(Notification.objects.filter(user=desk_ppk).values_list("kind", flat=True))
    assert {"contracts/handover_acknowledged", "contracts/rating_answered"} <= kinds


def test_the_vendor_keeps_the_average_of_every_mark_of_its_ratings(desk_ppk, supplier):
    # Two contracts rated (4, 4, 3, 3) and (2, 4, 4, 4): marks 14 + 14 = 28 over 8 = 3.50.
    for number, rating in (
        ("KTR/A", RatingInput(4, 4, 3, 3)),
        ("KTR/B", RatingInput(2, 4, 4, 4, note="Terlambat.")),
    ):
        contract = make_contract(desk_ppk, supplier, number=number)
        _deliver(contract, desk_ppk, ("1", "1"))
        services.handover_sign(
            contract=contract, by=desk_ppk, signed_on=timezone.localdate(), rating=rating
        )
    vendor = supplier[1]
    vendor.refresh_from_db()
    assert (vendor.rating_overall, vendor.rating_count) == (D("3.50"), 2)
    assert (vendor.rating_quality, vendor.rating_service) == (D("3.00"), D("3.50"))
