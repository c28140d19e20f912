"""The life cycle of the keys that seal bids: each bid names its key, a key missing from the
configuration is reported (startup, /healthz, migrate) long before a deadline, and rotation
re-seals every bid with the new key without touching its receipt."""

import base64
import hashlib
import importlib
import io
import logging

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from audit.models import AuditAction, AuditEntry, SystemJob
from procurement import checks, sealing, sealing_keys, services
from procurement.models import Bid
from tests.procurement.conftest import lines_for, past_deadline

pytestmark = pytest.mark.django_db

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()


@pytest.fixture
def old_key(settings):
    settings.BID_SEALING_KEYS = [OLD]
    return settings


def _submit(package, bidder, **prices) -> Bid:
    user, vendor, desk, cabinet = bidder
    return services.bid_submit(
        package=package, vendor=vendor, by=user, lines=lines_for(package, desk, cabinet, **prices)
    )


def test_a_bid_names_the_key_that_sealed_it(old_key, announced, bidder):
    bid = _submit(announced, bidder)
    assert bid.sealing_key_id == sealing.key_id(OLD) == sealing.current_key_id()
    assert len(bid.sealing_key_id) == sealing.KEY_ID_LENGTH
    # The id says nothing about the key.
    assert bid.sealing_key_id not in OLD


def test_a_new_key_put_first_seals_new_bids_and_the_old_one_still_opens_old_bids(
    old_key, announced, bidder, second_bidder
):
    old_bid = _submit(announced, bidder)
    old_key.BID_SEALING_KEYS = [NEW, OLD]
    new_bid = _submit(announced, second_bidder)
    assert (old_bid.sealing_key_id, new_bid.sealing_key_id) == (
        sealing.key_id(OLD),
        sealing.key_id(NEW),
    )
    assert services.bid_content(old_bid).to_dict()["total"] == "1287500000.00"
    assert services.bid_receipt_matches(new_bid)
    assert sealing_keys.keys_missing() == {}


def test_a_rotated_key_opens_old_bids_at_their_deadline(old_key, announced, bidder):
    bid = _submit(announced, bidder)
    receipt, ciphertext = bid.receipt_hash, bytes(bid.sealed_content)
    old_key.BID_SEALING_KEYS = [NEW, OLD]

    report = sealing_keys.bids_reseal()

    assert report.resealed == {sealing.key_id(OLD): 1}
    bid.refresh_from_db()
    assert bid.sealing_key_id == sealing.key_id(NEW)
    assert bytes(bid.sealed_content) != ciphertext
    assert bid.receipt_hash == receipt  # the receipt hashes the content, not the ciphertext
    # The old key dropped: the bid still opens, at the deadline too.
    old_key.BID_SEALING_KEYS = [NEW]
    assert services.bid_receipt_matches(bid)
    assert sealing_keys.keys_missing() == {}
    past_deadline(announced)
    assert services.packages_close_due() == [announced.pk]
    bid.refresh_from_db()
    assert bid.opened_at is not None
    assert str(bid.price) == "1287500000.00"


def test_rotation_writes_an_audit_row_per_bid_and_nothing_when_run_again(
    old_key, announced, bidder, second_bidder
):
    first, second = _submit(announced, bidder), _submit(announced, second_bidder)
    old_key.BID_SEALING_KEYS = [NEW, OLD]

    assert sealing_keys.bids_reseal(batch_size=1).total == 2

    entries = AuditEntry.objects.filter(action=AuditAction.BID_RESEALED).order_by("object_id")
    assert [(e.object_id, e.job, e.actor, e.package_id) for e in entries] == [
        (first.pk, SystemJob.SEALING_KEYS_ROTATE, None, announced.pk),
        (second.pk, SystemJob.SEALING_KEYS_ROTATE, None, announced.pk),
    ]
    assert entries[0].changes == {"sealing_key_id": [sealing.key_id(OLD), sealing.key_id(NEW)]}
    after = {bid.pk: bytes(bid.sealed_content) for bid in Bid.objects.all()}

    again = sealing_keys.bids_reseal()

    assert (again.total, again.unreadable) == (0, [])
    assert AuditEntry.objects.filter(action=AuditAction.BID_RESEALED).count() == 2
    assert {bid.pk: bytes(bid.sealed_content) for bid in Bid.objects.all()} == after


def test_rotation_stopped_midway_goes_on_where_it_stopped(
    old_key, announced, bidder, second_bidder
):
    first, second = _submit(announced, bidder), _submit(announced, second_bidder)
    old_key.BID_SEALING_KEYS = [NEW, OLD]

    def interrupted(report):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt, match=r"^$"):
        sealing_keys.bids_reseal(batch_size=1, progress=interrupted)

    # The first batch was committed with its audit row; the second was not touched.
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.sealing_key_id, second.sealing_key_id) == (
        sealing.key_id(NEW),
        sealing.key_id(OLD),
    )
    assert AuditEntry.objects.filter(action=AuditAction.BID_RESEALED).count() == 1

    assert sealing_keys.bids_reseal(batch_size=1).resealed == {sealing.key_id(OLD): 1}
    assert set(Bid.objects.values_list("sealing_key_id", flat=True)) == {sealing.key_id(NEW)}


def test_the_rotate_command_reports_each_old_key_and_says_when_old_keys_may_go(
    old_key, announced, bidder
):
    _submit(announced, bidder)
    old_key.BID_SEALING_KEYS = [NEW, OLD]
    out = io.StringIO()
    call_command("sealing_rotate", "--batch-size", "10", stdout=out)
    text = out.getvalue()
    assert f"Sealing key {sealing.key_id(NEW)}: 1 bid(s) re-sealed" in text
    assert f"1 from key {sealing.key_id(OLD)}" in text
    assert "older keys may now be removed" in text
    again = io.StringIO()
    call_command("sealing_rotate", stdout=again)
    assert "0 bid(s) re-sealed; every bid was already sealed with it." in again.getvalue()


def test_the_rotate_command_fails_naming_bids_no_key_opens(old_key, announced, bidder):
    bid = _submit(announced, bidder)
    old_key.BID_SEALING_KEYS = [NEW]  # OLD is lost

    with pytest.raises(CommandError, match="could not be re-sealed") as error:
        call_command("sealing_rotate", stdout=io.StringIO())

    assert str(error.value) == sealing_keys.BIDS_UNREADABLE.format(count=1, ids=str(bid.pk))
    bid.refresh_from_db()
    assert bid.sealing_key_id == sealing.key_id(OLD)  # left as it was, for when OLD is found


def test_a_removed_key_is_reported_by_the_health_check_before_any_deadline(
    old_key, client, announced, bidder, caplog
):
    bid = _submit(announced, bidder)
    assert announced.closes_at > bid.submitted_at  # the deadline is days away
    assert client.get(reverse("healthz")).json()["checks"]["bid_sealing_keys"] == "ok"
    old_key.BID_SEALING_KEYS = [NEW]

    with caplog.at_level(logging.ERROR):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["bid_sealing_keys"]
    assert body["checks"]["bid_sealing_keys"] == "down"
    assert body["checks"]["database"] == "ok"
    message = sealing_keys.KEYS_MISSING.format(count=1, ids=sealing.key_id(OLD))
    assert message in caplog.text
    assert OLD not in caplog.text and OLD not in response.content.decode()


def test_a_removed_key_stops_migrate_through_the_system_check(old_key, announced, bidder):
    _submit(announced, bidder)
    assert checks.sealing_keys_cover_every_bid(databases=["default"]) == []
    old_key.BID_SEALING_KEYS = [NEW]

    (error,) = checks.sealing_keys_cover_every_bid(databases=["default"])

    assert error.id == "procurement.E001"
    assert error.msg == sealing_keys.KEYS_MISSING.format(count=1, ids=sealing.key_id(OLD))
    # Checks that do not touch the database do not run it.
    assert checks.sealing_keys_cover_every_bid(databases=None) == []


def test_a_removed_key_is_logged_when_a_web_or_worker_process_starts(
    old_key, announced, bidder, caplog
):
    _submit(announced, bidder)
    old_key.BID_SEALING_KEYS = [NEW]
    with caplog.at_level(logging.ERROR, logger="procurement.sealing_keys"):
        sealing_keys.log_keys_check()
    assert sealing.key_id(OLD) in caplog.text


def test_the_key_check_costs_one_query_however_many_keys_sealed_bids(
    old_key, announced, bidder, second_bidder, django_assert_num_queries
):
    _submit(announced, bidder)
    old_key.BID_SEALING_KEYS = [NEW, OLD]
    _submit(announced, second_bidder)
    with django_assert_num_queries(1):  # the distinct key ids, through the index
        assert sealing_keys.keys_missing() == {}
    assert sorted(sealing_keys.key_ids_in_use()) == sorted(
        [sealing.key_id(OLD), sealing.key_id(NEW)]
    )


def test_bids_sealed_with_the_key_once_derived_from_secret_key_are_labelled_with_its_id(
    old_key, announced, bidder
):
    """Upgrading: the migration names the derived key, so the check says which key to put in
    BID_SEALING_KEYS (the README says how to compute it from SECRET_KEY)."""
    from django.conf import settings

    derived = base64.urlsafe_b64encode(
        hashlib.sha256(f"p3dn-bid-sealing:{settings.SECRET_KEY}".encode()).digest()
    ).decode()
    bid = _submit(announced, bidder)
    unknown = _submit(announced, bidder)  # a second version; sealed below with no known key
    Bid.objects.filter(pk=bid.pk).update(
        sealed_content=Fernet(derived).encrypt(b"{}"), sealing_key_id=""
    )
    Bid.objects.filter(pk=unknown.pk).update(
        sealed_content=Fernet(NEW).encrypt(b"{}"), sealing_key_id=""
    )
    migration = importlib.import_module("procurement.migrations.0007_bid_sealing_key_id")

    migration.label_sealing_keys(apps, None)

    assert dict(Bid.objects.values_list("pk", "sealing_key_id")) == {
        bid.pk: sealing.key_id(derived),
        unknown.pk: "",
    }
    assert sealing_keys.keys_missing() == {sealing.key_id(derived): 1, sealing_keys.NO_KEY_ID: 1}


def test_a_worker_checks_the_keys_as_it_starts(old_key, announced, bidder, caplog):
    from celery.signals import worker_ready

    _submit(announced, bidder)
    old_key.BID_SEALING_KEYS = [NEW]
    with caplog.at_level(logging.ERROR, logger="procurement.sealing_keys"):
        worker_ready.send(sender=None)
    assert sealing.key_id(OLD) in caplog.text
