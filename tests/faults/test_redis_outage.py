"""Redis (broker, cache, sessions) dies while vendors bid or upload certificates and officers
close packages: the change is saved (the file in the private folder or bucket) and the user
sees success; the mail it causes waits in the outbox and goes out, once, when Redis is back
and the flush job runs on a real worker."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, OutgoingMail
from accounts.services import OUTBOX_GRACE
from accounts.tasks import outgoing_mail_flush, outgoing_mail_send
from p3dn_portal.celery import app as celery_app
from p3dn_portal.lib.confirm import CONFIRMED
from procurement.models import Bid, EvaluationRun, Package, RunStatus
from procurement.rules import Status
from procurement.tasks import evaluations_requeue
from procurement.views import PACKAGE_CLOSED
from tests.factories import (
    PASSWORD,
    PDF_BYTES,
    AdminFactory,
    OfficerFactory,
    PackageFactory,
    PackageItemFactory,
    ProductFactory,
    TKDNCertificateFactory,
    VendorMemberFactory,
    pdf_upload,
)
from tests.storage import stored_files
from vendors.models import MemberRole, TKDNCertificate
from vendors.services import certificate_verify

# Each runs with the uploads in a folder and in an S3 bucket (tests/storage.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.both_storages]

# A bid with Redis down costs one refused connection, not a retry loop (measured: about
# 0.05 s more than with Redis up on the development machine); the bound leaves room for a
# slow, shared CI machine.
REQUEST_WITH_REDIS_DOWN_MAX_SECONDS = 3.0


def _bidder():
    owner = VendorMemberFactory(role=MemberRole.OWNER).user
    vendor = owner.vendor_membership.vendor
    staff = VendorMemberFactory(vendor=vendor, role=MemberRole.STAFF).user
    desk = ProductFactory(vendor=vendor, unit_price=Decimal("1150000"), kbli="31001")
    TKDNCertificateFactory(
        vendor=vendor, products=[desk], tkdn_pct=Decimal("60.00"), bmp_pct=Decimal("10")
    )
    return owner, staff, vendor, desk


def _announced_package(ppk):
    package = PackageFactory(opd=ppk.officer.opd, created_by=ppk, status=Status.ANNOUNCED)
    item = PackageItemFactory(
        package=package, position=1, quantity=Decimal("100"), hps_unit_price=Decimal("1200000")
    )
    return package, item


def _bid_form(item, product, price: str) -> dict:
    return {
        f"product_{item.pk}": product.pk,
        f"unit_price_{item.pk}": price,
    }


def _flush_as_beat_would(queue: str) -> int:
    """The flush job as beat sends it a few minutes later, run by a real worker."""
    with time_machine.travel(timezone.now() + OUTBOX_GRACE + timedelta(seconds=5), tick=True):
        return outgoing_mail_flush.apply_async(queue=queue).get(timeout=60)


def test_a_bid_sent_while_redis_is_down_is_saved_and_mailed_once_redis_is_back(
    portal_on_private_redis, private_redis, client
):
    queue = portal_on_private_redis
    ppk = OfficerFactory(position="ppk").user
    package, item = _announced_package(ppk)
    owner, staff, vendor, desk = _bidder()

    private_redis.kill()
    # Logging in and reading the session work without Redis (the session is in PostgreSQL).
    response = client.post(
        reverse("accounts:login"), {"username": owner.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    bid_url = reverse("procurement:bid-edit", args=[package.pk])
    assert client.get(bid_url).status_code == 200

    started = time.monotonic()
    response = client.post(bid_url, _bid_form(item, desk, "1150000"))
    elapsed = time.monotonic() - started

    bid = Bid.objects.get(package=package, vendor=vendor)
    assert response.status_code == 302
    assert response.url == reverse("procurement:bid-receipt", args=[bid.pk])
    assert client.get(response.url).status_code == 200
    print(f"\nBid submission with Redis down: {elapsed:.3f} s")
    assert elapsed < REQUEST_WITH_REDIS_DOWN_MAX_SECONDS
    # Told in the portal at once; the mail waits in the outbox.
    told = Notification.objects.filter(user__in=[owner, staff], link__contains=package.pk)
    assert told.count() == 2
    waiting = OutgoingMail.objects.filter(sent_at__isnull=True)
    assert sorted(m.to for m in waiting) == sorted([[owner.email], [staff.email]])
    assert mail.outbox == []

    private_redis.start()
    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30
    ):
        assert _flush_as_beat_would(queue) == 2
        # At least once, never twice: another flush, and a second delivery of a message's
        # task, send nothing again.
        assert _flush_as_beat_would(queue) == 0
        first = waiting.model.objects.order_by("pk").first()
        assert outgoing_mail_send.apply_async(args=[first.pk], queue=queue).get(timeout=60) is False

    assert sorted(m.to for m in mail.outbox) == sorted([[owner.email], [staff.email]])
    assert all(package.rup_code in m.subject and bid.receipt_hash in m.body for m in mail.outbox)
    assert not OutgoingMail.objects.filter(sent_at__isnull=True).exists()
    assert Notification.objects.filter(user__in=[owner, staff]).count() == 2


def test_a_package_closed_while_redis_is_down_is_closed_and_its_bidders_are_told_after(
    portal_on_private_redis, private_redis, client
):
    queue = portal_on_private_redis
    ppk = OfficerFactory(position="ppk").user
    package, item = _announced_package(ppk)
    bidders = [_bidder() for _ in range(2)]
    for (owner, _staff, _vendor, desk), price in zip(bidders, ["1150000", "1100000"], strict=True):
        client.force_login(owner)
        url = reverse("procurement:bid-edit", args=[package.pk])
        assert client.post(url, _bid_form(item, desk, price)).status_code == 302
    Package.objects.filter(pk=package.pk).update(
        opens_at=timezone.now() - timedelta(days=8), closes_at=timezone.now() - timedelta(seconds=1)
    )
    receipts = set(OutgoingMail.objects.values_list("pk", flat=True))

    private_redis.kill()
    client.force_login(ppk)
    started = time.monotonic()
    response = client.post(
        reverse("procurement:officer-package-close", args=[package.pk]), CONFIRMED, follow=True
    )
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert str(PACKAGE_CLOSED) in response.content.decode()
    print(f"\nPackage closing with Redis down: {elapsed:.3f} s")
    assert elapsed < REQUEST_WITH_REDIS_DOWN_MAX_SECONDS
    package.refresh_from_db()
    assert package.status == Status.EVALUATION
    assert Bid.objects.filter(package=package, opened_at__isnull=False).count() == 2
    run = EvaluationRun.objects.get(package=package)
    assert run.status == RunStatus.QUEUED  # the broker did not take it: it waits
    closing_notices = OutgoingMail.objects.exclude(pk__in=receipts)
    bidder_emails = sorted([u.email] for b in bidders for u in b[:2])
    assert sorted(m.to for m in closing_notices) == bidder_emails
    assert not closing_notices.filter(sent_at__isnull=False).exists()

    private_redis.start()
    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30
    ):
        sent = _flush_as_beat_would(queue)
        with time_machine.travel(timezone.now() + timedelta(minutes=3), tick=True):
            assert evaluations_requeue.apply_async(queue=queue).get(timeout=60) == [run.pk]
        run.refresh_from_db()
        deadline = time.monotonic() + 60
        while run.status != RunStatus.SUCCEEDED and time.monotonic() < deadline:
            time.sleep(0.1)
            run.refresh_from_db()
        assert _flush_as_beat_would(queue) == 0

    print(f"Mails delivered after Redis returned: {sent}")
    # The four closing notices and the four bid receipts (whose on-commit task had no worker
    # yet, so the flush sent them too), each exactly once.
    assert sent == 8
    closed_mails = [m for m in mail.outbox if "ditutup" in m.subject]
    assert sorted(m.to for m in closed_mails) == bidder_emails
    assert len(mail.outbox) == 8
    assert run.status == RunStatus.SUCCEEDED
    assert run.results.count() == 2


def test_a_certificate_uploaded_while_redis_is_down_is_stored_and_its_verification_mailed_after(
    portal_on_private_redis, private_redis, client
):
    queue = portal_on_private_redis
    owner = VendorMemberFactory(role=MemberRole.OWNER).user
    product = ProductFactory(vendor=owner.vendor_membership.vendor)
    admin = AdminFactory()

    private_redis.kill()
    response = client.post(
        reverse("accounts:login"), {"username": owner.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    started = time.monotonic()
    response = client.post(
        reverse("vendors:certificate-add", args=["tkdn"]),
        {
            "number": "1234/SJ-IND.8/TKDN/7/2024",
            "products": [product.pk],
            "tkdn_pct": "45,50",
            "bmp_pct": "10",
            "issued_on": "2024-07-15",
            "expires_on": "2029-07-14",
            "basis": "lvi",
            "file": pdf_upload(),
        },
    )
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert response.url == reverse("vendors:certificates")
    print(f"\nCertificate upload with Redis down: {elapsed:.3f} s")
    assert elapsed < REQUEST_WITH_REDIS_DOWN_MAX_SECONDS
    certificate = TKDNCertificate.objects.get()
    assert stored_files() == {certificate.file.name: PDF_BYTES}
    download = client.get(reverse("vendors:certificate-file", args=["tkdn", certificate.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    # Dinas PPKUKM verifies it, still without Redis: the vendor's mail waits in the outbox.
    certificate_verify(certificate=certificate, by=admin)
    assert OutgoingMail.objects.get(sent_at__isnull=True).to == [owner.email]
    assert mail.outbox == []

    private_redis.start()
    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30
    ):
        assert _flush_as_beat_would(queue) == 1
        assert _flush_as_beat_would(queue) == 0

    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert certificate.number in mail.outbox[0].body
    # The file is untouched by the outage and the verification.
    assert stored_files() == {certificate.file.name: PDF_BYTES}
