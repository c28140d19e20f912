"""Sealed bids: what a bid stores before closing, the deadline by the database clock, one
active bid per vendor, the frozen local content, and the receipt."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.urls import reverse

from procurement import services
from procurement.models import Bid, BidStatus, Package
from procurement.rules import Status
from tests.factories import HalalCertificateFactory, VendorFactory, VendorMemberFactory
from tests.procurement.conftest import lines_for, past_deadline
from vendors.models import CertificateStatus, TKDNCertificate

pytestmark = pytest.mark.django_db


def test_a_bid_is_stored_as_ciphertext_until_closing(announced, bidder):
    user, vendor, desk, cabinet = bidder
    bid = services.bid_submit(
        package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
    )
    assert (bid.price, bid.tkdn_pct, bid.opened_at) == (None, None, None)
    assert not bid.lines.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM procurement_bid WHERE id = %s", [bid.pk])
        row_text = repr(cursor.fetchone())
    # What a database dump holds: no unit price, no total, no product name.
    for secret in ("1150000", "2750000", "1287500000", desk.name):
        assert secret not in row_text
        assert secret.encode() not in bytes(bid.sealed_content)
    assert services.bid_content(bid).to_dict()["total"] == "1287500000.00"


def test_the_receipt_is_the_hash_of_the_sealed_content(announced, bidder):
    user, vendor, desk, cabinet = bidder
    bid = services.bid_submit(
        package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
    )
    assert len(bid.receipt_hash) == 64
    assert services.bid_receipt_matches(bid)
    Bid.objects.filter(pk=bid.pk).update(receipt_hash="0" * 64)
    bid.refresh_from_db()
    assert not services.bid_receipt_matches(bid)


def test_a_revision_replaces_the_active_bid_and_keeps_every_version(announced, bidder):
    user, vendor, desk, cabinet = bidder
    first = services.bid_submit(
        package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
    )
    second = services.bid_submit(
        package=announced,
        vendor=vendor,
        by=user,
        lines=lines_for(announced, desk, cabinet, desk_price="1100000"),
    )
    first.refresh_from_db()
    assert (first.version, first.status) == (1, BidStatus.SUPERSEDED)
    assert (second.version, second.status) == (2, BidStatus.ACTIVE)
    assert announced.bids.filter(vendor=vendor).count() == 2


def test_a_withdrawn_bid_leaves_no_active_bid(announced, bidder):
    user, vendor, desk, cabinet = bidder
    bid = services.bid_submit(
        package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
    )
    services.bid_withdraw(bid=bid, by=user)
    assert not announced.bids.filter(status=BidStatus.ACTIVE).exists()


def test_bids_after_the_deadline_are_refused_even_before_the_closing_job_runs(announced, bidder):
    user, vendor, desk, cabinet = bidder
    bid = services.bid_submit(
        package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
    )
    past_deadline(announced)
    assert announced.status == Status.ANNOUNCED  # the job has not closed it yet
    for attempt in (
        lambda: services.bid_submit(
            package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
        ),
        lambda: services.bid_withdraw(bid=bid, by=user),
    ):
        with pytest.raises(ValidationError, match="sudah lewat menurut jam server") as raised:
            attempt()
        assert raised.value.code == "deadline_passed"
    bid.refresh_from_db()
    assert bid.status == BidStatus.ACTIVE


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_from_one_vendor_leave_exactly_one_active_bid(announced, bidder):
    user, vendor, desk, cabinet = bidder
    barrier = threading.Barrier(4)
    errors = []

    def submit():
        try:
            barrier.wait()
            services.bid_submit(
                package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
            )
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    bids = Bid.objects.filter(package=announced, vendor=vendor)
    assert bids.filter(status=BidStatus.ACTIVE).count() == 1
    assert sorted(bids.values_list("version", flat=True)) == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("setup", "code", "message"),
    [
        ("unverified", "vendor_not_verified", "Usaha Anda belum diverifikasi Dinas PPKUKM"),
        ("medium_on_reserved", "reserved", "dicadangkan untuk usaha kecil"),
        ("min_tkdn", "min_tkdn", "di bawah TKDN minimal paket 70"),
        ("halal", "halal_missing", "Paket ini wajib halal"),
    ],
)
def test_ineligible_bids_are_refused_with_the_reason(announced, bidder, setup, code, message):
    user, vendor, desk, cabinet = bidder
    if setup == "unverified":
        vendor.status, vendor.verified_at = "pending", None
        vendor.save()
    elif setup == "medium_on_reserved":
        vendor.scale = "menengah"
        vendor.save()
    elif setup == "min_tkdn":
        Package.objects.filter(pk=announced.pk).update(min_tkdn_pct=Decimal("70"))
    elif setup == "halal":
        Package.objects.filter(pk=announced.pk).update(halal_required=True)
        desk.is_food = True
        desk.save()
    announced.refresh_from_db()
    with pytest.raises(ValidationError, match=message) as raised:
        services.bid_submit(
            package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
        )
    assert raised.value.code == code
    assert not Bid.objects.exists()


def test_a_valid_halal_certificate_lets_a_food_bid_in(announced, bidder):
    user, vendor, desk, cabinet = bidder
    Package.objects.filter(pk=announced.pk).update(halal_required=True)
    announced.refresh_from_db()
    desk.is_food = True
    desk.save()
    HalalCertificateFactory(vendor=vendor, products=[desk])
    services.bid_submit(
        package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
    )
    assert Bid.objects.count() == 1


def test_a_bid_must_use_the_vendors_own_products_for_every_item(announced, bidder, second_bidder):
    user, vendor, desk, cabinet = bidder
    _, _, their_desk, _ = second_bidder
    with pytest.raises(ValidationError, match="Pilih produk milik usaha Anda sendiri"):
        services.bid_submit(
            package=announced,
            vendor=vendor,
            by=user,
            lines=lines_for(announced, their_desk, cabinet),
        )
    with pytest.raises(ValidationError, match=r"Rincian 2\. Lemari arsip belum diisi"):
        services.bid_submit(
            package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)[:1]
        )
    assert not Bid.objects.exists()


def test_closing_opens_the_bids_with_the_local_content_frozen_at_submission(
    announced, bidder, django_capture_on_commit_callbacks
):
    user, vendor, desk, cabinet = bidder
    bid = services.bid_submit(
        package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
    )
    # After submission the certificate is revoked: the submitted bid keeps its snapshot.
    TKDNCertificate.objects.filter(vendor=vendor).update(
        status=CertificateStatus.REJECTED, rejection_reason="x"
    )
    past_deadline(announced)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.packages_close_due() == [announced.pk]
        assert services.packages_close_due() == []
    announced.refresh_from_db()
    bid.refresh_from_db()
    # Closed by the system, which also started the evaluation.
    assert announced.status == Status.EVALUATION
    assert [(e.to_status, e.by) for e in announced.events.all()] == [
        (Status.CLOSED, None),
        (Status.EVALUATION, None),
    ]
    assert announced.evaluation_runs.get().requested_by is None
    # Hand-computed in test_rules: 1,287,500,000 at TKDN 65.93%, TKDN+BMP 76.97%.
    assert (bid.price, bid.tkdn_pct, bid.tkdn_bmp_pct) == (
        Decimal("1287500000.00"),
        Decimal("65.93"),
        Decimal("76.97"),
    )
    desk_line = bid.lines.get(item__position=1)
    assert desk_line.certificate_number.endswith("/SJ-IND.8/TKDN/7/2024")
    assert (desk_line.tkdn_pct, desk_line.bmp_pct) == (Decimal("71.30"), Decimal("12.00"))
    assert bid.opened_at is not None
    assert any(announced.rup_code in m.subject for m in mail.outbox)
    assert user.notifications.filter(message__contains=announced.rup_code).exists()


def test_a_certificate_expiring_before_the_deadline_counts_as_zero(announced, bidder):
    user, vendor, desk, cabinet = bidder
    TKDNCertificate.objects.filter(vendor=vendor).update(
        expires_on=(announced.closes_at - timedelta(days=2)).date()
    )
    bid = services.bid_submit(
        package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
    )
    assert services.bid_content(bid).to_dict()["tkdn_pct"] == "0.00"


def test_other_users_of_the_company_may_bid_but_no_one_else(announced, bidder):
    _, vendor, desk, cabinet = bidder
    colleague = VendorMemberFactory(vendor=vendor, role="staff").user
    services.bid_submit(
        package=announced, vendor=vendor, by=colleague, lines=lines_for(announced, desk, cabinet)
    )
    stranger = VendorMemberFactory(vendor=VendorFactory()).user
    with pytest.raises(PermissionDenied, match="Pilih produk milik usaha Anda sendiri"):
        services.bid_submit(
            package=announced, vendor=vendor, by=stranger, lines=lines_for(announced, desk, cabinet)
        )


def test_admin_lists_do_not_show_sealed_bids(login, admin_user, announced, bidder):
    user, vendor, desk, cabinet = bidder
    services.bid_submit(
        package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
    )
    client = login(admin_user)
    html = client.get(reverse("admin:procurement_bid_changelist")).content.decode()
    assert vendor.name not in html
    package_page = client.get(reverse("admin:procurement_package_change", args=[announced.pk]))
    assert package_page.status_code == 200
    assert vendor.name not in package_page.content.decode()
    past_deadline(announced)
    services.packages_close_due()
    assert vendor.name in client.get(reverse("admin:procurement_bid_changelist")).content.decode()


def test_the_package_page_hides_sealed_bids_from_everyone_but_the_bidder(
    client, login, ppk, announced, bidder, second_bidder
):
    user, vendor, desk, cabinet = bidder
    services.bid_submit(
        package=announced, vendor=vendor, by=user, lines=lines_for(announced, desk, cabinet)
    )
    url = reverse("procurement:package-detail", args=[announced.pk])
    for viewer in (None, ppk, second_bidder[0]):
        page = (login(viewer) if viewer else client).get(url).content.decode()
        assert vendor.name not in page
        assert "1.287.500.000" not in page
