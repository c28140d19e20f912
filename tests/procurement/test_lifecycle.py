"""Every transition of a package refuses the wrong role and the wrong state, and records
who, when and why."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from procurement import rules, services
from procurement.models import Bid, Objection, Package
from procurement.rules import Action, Status
from tests.factories import OfficerFactory, OPDFactory, VendorMemberFactory, pdf_upload
from tests.procurement.conftest import (
    evaluate_now,
    item_input,
    lines_for,
    package_fields,
    pass_all_bids,
    past_deadline,
)

pytestmark = pytest.mark.django_db

D = Decimal


def test_a_ppk_creates_a_draft_whose_hps_is_the_sum_of_its_items(ppk):
    package = services.package_save(
        opd=ppk.officer.opd,
        by=ppk,
        items=[item_input(), item_input("10", "5000000")],
        **package_fields(),
    )
    assert package.status == Status.DRAFT
    assert package.hps == D("1250000000.00")
    assert package.reserved_for_small_business
    assert [i.position for i in package.items.all()] == [1, 2]


@pytest.mark.parametrize(
    ("changes", "items", "field"),
    [
        ({"method": "direct_procurement"}, None, "method"),
        ({"pagu": D("1000000000")}, None, "pagu"),
        ({"category": "consultancy", "method": "tender"}, None, "max_preference_pct"),
    ],
)
def test_package_terms_that_break_the_rules_are_refused(ppk, changes, items, field):
    with pytest.raises(ValidationError, match=f"'{field}': ") as raised:
        services.package_save(
            opd=ppk.officer.opd, by=ppk, items=items or [item_input()], **package_fields(**changes)
        )
    assert field in raised.value.message_dict
    assert not Package.objects.exists()


def test_a_package_needs_items(ppk):
    with pytest.raises(
        ValidationError, match="Isi paling sedikit satu rincian barang/jasa dengan volume"
    ):
        services.package_save(opd=ppk.officer.opd, by=ppk, items=[], **package_fields())


def test_an_exception_reason_lifts_the_small_business_reservation(ppk):
    package = services.package_save(
        opd=ppk.officer.opd,
        by=ppk,
        items=[item_input()],
        **package_fields(reservation_exception_reason="Butuh pabrik dengan kapasitas 50.000 unit."),
    )
    assert not package.reserved_for_small_business


def test_only_the_ppk_or_pptk_of_the_opd_edits_packages(ppk, pokja):
    with pytest.raises(
        PermissionDenied, match=r"Jabatan Anda \(Pokja Pemilihan\) tidak berwenang mengubah"
    ):
        services.package_save(
            opd=ppk.officer.opd, by=pokja, items=[item_input()], **package_fields()
        )
    outsider = OfficerFactory(opd=OPDFactory(), position="ppk").user
    with pytest.raises(PermissionDenied, match="Paket ini milik OPD lain"):
        services.package_save(
            opd=ppk.officer.opd, by=outsider, items=[item_input()], **package_fields()
        )


def test_announcing_records_the_event_and_a_past_deadline_is_refused(ppk, pokja):
    package = services.package_save(
        opd=ppk.officer.opd, by=ppk, items=[item_input()], **package_fields()
    )
    services.package_announce(package=package, by=pokja)
    package.refresh_from_db()
    event = package.events.get()
    assert (event.from_status, event.to_status, event.by) == (Status.DRAFT, Status.ANNOUNCED, pokja)
    stale = services.package_save(
        opd=ppk.officer.opd,
        by=ppk,
        items=[item_input()],
        **package_fields(
            rup_code="1",
            opens_at=timezone.now() - timedelta(days=9),
            closes_at=timezone.now() - timedelta(days=1),
        ),
    )
    with pytest.raises(
        ValidationError, match=r"Batas akhir penawaran sudah lewat\. Atur batas akhir yang"
    ) as raised:
        services.package_announce(package=stale, by=ppk)
    assert raised.value.code == "closing_in_past"
    stale.refresh_from_db()
    assert stale.status == Status.DRAFT


def test_an_announced_package_can_no_longer_be_edited(ppk, announced):
    with pytest.raises(ValidationError, match="tidak dapat mengubah paket") as raised:
        services.package_save(
            opd=ppk.officer.opd, by=ppk, items=[item_input()], package=announced, **package_fields()
        )
    assert raised.value.code == "wrong_state"


def test_the_whole_way_to_contract(ppk, pokja, announced, bidder, second_bidder):
    user, vendor, desk, cabinet = bidder
    user2, vendor2, desk2, cabinet2 = second_bidder
    winner_bid = services.bid_submit(
        package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
    )
    loser_bid = services.bid_submit(
        package=announced, vendor=vendor2, by=user2, lines=lines_for(announced, desk2, cabinet2)
    )

    with pytest.raises(
        ValidationError, match="Batas akhir penawaran belum lewat; paket tertutup otomatis"
    ):  # not yet due
        services.package_close(package=announced, by=pokja)
    past_deadline(announced)
    services.package_close(package=announced, by=pokja)
    with pytest.raises(
        PermissionDenied, match=r"Jabatan Anda \(KPA \(Kuasa Pengguna Anggaran\)\) tidak"
    ):  # a pokja runs the selection, the PPK announces
        services.package_evaluation_start(
            package=announced, by=OfficerFactory(opd=ppk.officer.opd, position="kpa").user
        )
    services.package_evaluation_start(package=announced, by=pokja)  # a second run
    evaluate_now(announced)
    winner_bid.refresh_from_db()
    pass_all_bids(announced, by=pokja)
    with pytest.raises(
        PermissionDenied, match=r"Jabatan Anda \(Pokja Pemilihan\) tidak berwenang mengumumkan"
    ):
        services.package_winner_announce(package=announced, by=pokja, bid=winner_bid)
    services.package_winner_announce(package=announced, by=ppk, bid=winner_bid)
    announced.refresh_from_db()
    assert announced.status == Status.OBJECTION
    assert announced.objection_ends_at - timezone.now() > timedelta(days=4, hours=23)

    with pytest.raises(
        ValidationError, match="Pemenang tidak dapat menyanggah penetapannya sendiri"
    ):  # the winner cannot object to its own award
        services.objection_file(package=announced, by=user, text="Keberatan.")
    objection = services.objection_file(
        package=announced, by=user2, text="Harga pemenang tidak wajar."
    )
    with pytest.raises(
        ValidationError, match="Masa sanggah masih berjalan sampai"
    ) as raised:  # objection period still running
        services.package_award(package=announced, by=ppk)
    assert raised.value.code == "running"

    Package.objects.filter(pk=announced.pk).update(
        objection_ends_at=timezone.now() - timedelta(seconds=1)
    )
    announced.refresh_from_db()
    with pytest.raises(
        ValidationError, match="Jawab dulu semua sanggah"
    ) as raised:  # period over, objection not answered
        services.package_award(package=announced, by=ppk)
    assert raised.value.code == "unanswered"
    with pytest.raises(
        ValidationError, match="Masa sanggah sudah berakhir pada"
    ) as raised:  # and too late to object now
        services.objection_file(package=announced, by=user2, text="Lagi.")
    assert raised.value.code == "closed"
    services.objection_answer(objection=objection, by=pokja, answer="Harga sudah dievaluasi wajar.")

    services.package_award(package=announced, by=ppk)
    announced.refresh_from_db()
    assert announced.status == Status.AWARDED
    assert announced.contract_value == winner_bid.price  # the bid price, not an evaluated price
    services.package_contract(
        package=announced, by=ppk, number="027/KTR/DISDIK/2026", signed_on=timezone.localdate()
    )
    announced.refresh_from_db()
    assert announced.status == Status.CONTRACTED
    assert list(announced.events.values_list("to_status", flat=True)) == [
        Status.CLOSED,
        Status.EVALUATION,  # started by the system at closing
        Status.EVALUATION,  # started again by the pokja
        Status.EVALUATION,  # ranked again after the pokja's verdict on the first bid
        Status.EVALUATION,  # and on the second: the ranking is final
        Status.OBJECTION,
        Status.AWARDED,
        Status.CONTRACTED,
    ]
    assert loser_bid.vendor.members.first().user.notifications.count() >= 3


@pytest.mark.parametrize(
    ("action", "status"),
    [
        (lambda p, ppk: services.package_announce(package=p, by=ppk), Status.CLOSED),
        (lambda p, ppk: services.package_award(package=p, by=ppk), Status.ANNOUNCED),
        (
            lambda p, ppk: services.package_contract(
                package=p, by=ppk, number="1", signed_on=timezone.localdate()
            ),
            Status.EVALUATION,
        ),
        (lambda p, ppk: services.package_cancel(package=p, by=ppk, reason="x"), Status.CONTRACTED),
        (lambda p, ppk: services.package_evaluation_start(package=p, by=ppk), Status.DRAFT),
    ],
)
def test_every_transition_refuses_the_wrong_state(ppk, announced, action, status):
    Package.objects.filter(pk=announced.pk).update(status=status)
    announced.refresh_from_db()
    with pytest.raises(ValidationError, match=r"Paket berstatus “[^”]+”: tidak dapat ") as raised:
        action(announced, ppk)
    assert raised.value.code == "wrong_state"
    announced.refresh_from_db()
    assert announced.status == status
    assert not announced.events.exists()


@pytest.mark.parametrize("cast", ["vendor", "other_opd", "admin"])
def test_every_transition_refuses_users_outside_the_opd(announced, cast, vendor_owner, admin_user):
    user = {
        "vendor": vendor_owner,
        "other_opd": OfficerFactory(opd=OPDFactory(), position="ppk").user,
        "admin": admin_user,
    }[cast]
    for action in (
        lambda: services.package_cancel(package=announced, by=user, reason="x"),
        lambda: services.package_close(package=announced, by=user),
        lambda: services.package_announce(package=announced, by=user),
    ):
        with pytest.raises(PermissionDenied, match="Paket ini milik OPD lain"):
            action()


def test_cancelling_needs_a_reason_and_tells_the_bidders(
    ppk, announced, bidder, django_capture_on_commit_callbacks
):
    user, vendor, desk, cabinet = bidder
    services.bid_submit(
        package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
    )
    with pytest.raises(ValidationError, match="Tulis alasannya: peserta dan auditor membacanya"):
        services.package_cancel(package=announced, by=ppk, reason=" ")
    services.package_cancel(
        package=announced, by=ppk, reason="Anggaran dialihkan untuk penanganan banjir."
    )
    announced.refresh_from_db()
    assert announced.status == Status.CANCELLED
    assert announced.events.get().reason == "Anggaran dialihkan untuk penanganan banjir."
    assert user.notifications.filter(message__contains="dibatalkan").exists()


def test_a_package_without_eligible_bids_fails_with_a_reason(ppk, pokja, announced):
    past_deadline(announced)
    services.packages_close_due()
    announced.refresh_from_db()
    services.package_fail(package=announced, by=pokja, reason="Tidak ada penawaran masuk.")
    announced.refresh_from_db()
    assert announced.status == Status.FAILED


def test_an_objection_attachment_is_for_the_opd_and_the_objecting_vendor_only(
    client, login, ppk, announced, bidder, second_bidder
):
    user, vendor, desk, cabinet = bidder
    user2, vendor2, desk2, cabinet2 = second_bidder
    winner = services.bid_submit(
        package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
    )
    services.bid_submit(
        package=announced, vendor=vendor2, by=user2, lines=lines_for(announced, desk2, cabinet2)
    )
    past_deadline(announced)
    services.packages_close_due()
    evaluate_now(announced)
    winner.refresh_from_db()
    pass_all_bids(announced)
    services.package_winner_announce(package=announced, by=ppk, bid=winner)
    objection = services.objection_file(
        package=announced, by=user2, text="Keberatan.", attachment=pdf_upload()
    )
    url = reverse("procurement:objection-attachment", args=[objection.pk])
    for allowed in (ppk, user2):
        response = login(allowed).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    for refused in (user, OfficerFactory(opd=OPDFactory(), position="ppk").user):
        assert login(refused).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def _call(action: str, package, user, bid=None):
    """Each lifecycle action through its service, with valid arguments."""
    calls = {
        Action.ANNOUNCE: lambda: services.package_announce(package=package, by=user),
        Action.CLOSE: lambda: services.package_close(package=package, by=user),
        Action.EVALUATE: lambda: services.package_evaluation_start(package=package, by=user),
        Action.ANNOUNCE_WINNER: lambda: services.package_winner_announce(
            package=package, by=user, bid=bid
        ),
        Action.AWARD: lambda: services.package_award(package=package, by=user),
        Action.CONTRACT: lambda: services.package_contract(
            package=package, by=user, number="1/KTR", signed_on=timezone.localdate()
        ),
        Action.CANCEL: lambda: services.package_cancel(package=package, by=user, reason="x"),
        Action.FAIL: lambda: services.package_fail(package=package, by=user, reason="x"),
        Action.REOPEN: lambda: services.objection_answer(
            objection=_objection(package), by=user, answer="Diterima.", upheld=True
        ),
    }
    return calls[action]()


def _objection(package) -> Objection:
    """A sanggah by a bidder of the package (its bid is never opened here)."""
    member = VendorMemberFactory()
    bid = Bid.objects.create(
        package=package,
        vendor=member.vendor,
        version=1,
        submitted_by=member.user,
        submitted_at=timezone.now(),
        sealed_content=b"",
        receipt_hash="0" * 64,
    )
    return Objection.objects.create(
        package=package, bid=bid, text="Keberatan.", filed_by=member.user
    )


MOVING_ACTIONS = [a for a in Action if rules.TRANSITIONS[a][1] is not None]


@pytest.mark.parametrize("action", MOVING_ACTIONS, ids=str)
def test_each_transition_refuses_every_position_not_allowed_to_take_it(ppk, announced, action):
    for position in {"kpa", "ppk", "pptk", "pejabat_pengadaan", "pokja"} - rules.ALLOWED_POSITIONS[
        action
    ]:
        officer = OfficerFactory(opd=announced.opd, position=position).user
        with pytest.raises(PermissionDenied, match=r"Jabatan Anda \(.+\) tidak berwenang"):
            _call(action, announced, officer)
    assert not announced.events.exists()


@pytest.mark.parametrize("action", MOVING_ACTIONS, ids=str)
def test_each_transition_refuses_every_state_it_cannot_start_from(ppk, announced, action):
    position = sorted(rules.ALLOWED_POSITIONS[action])[0]
    officer = OfficerFactory(opd=announced.opd, position=position).user
    for state in set(Status) - rules.TRANSITIONS[action][0]:
        Package.objects.filter(pk=announced.pk).update(status=state, cancel_reason="Batal.")
        announced.refresh_from_db()
        with pytest.raises(
            ValidationError, match=r"Paket berstatus “[^”]+”: tidak dapat "
        ) as raised:
            _call(action, announced, officer)
        assert raised.value.code == "wrong_state", (action, state)
        announced.refresh_from_db()
        assert announced.status == state
    assert not announced.events.exists()
