"""The outbox: mail is kept with the change that causes it, sent once, and a failed send is
tried again later with its error kept."""

from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from accounts import services
from accounts.models import OutgoingMail

pytestmark = pytest.mark.django_db


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


def _queue(**overrides) -> OutgoingMail:
    return services.mail_queue(
        **{"subject": "Uji", "body": "Isi", "to": ["siti@contoh.id"], **overrides}
    )


def test_it_keeps_nothing_when_the_change_is_rolled_back():
    with pytest.raises(RuntimeError, match=r"^$"), transaction.atomic():
        _queue()
        raise RuntimeError
    assert not OutgoingMail.objects.exists()


def test_it_sends_on_commit_and_records_it(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queued = _queue()
    queued.refresh_from_db()
    assert [m.to for m in mail.outbox] == [["siti@contoh.id"]]
    assert queued.sent_at is not None and queued.next_attempt_at is None
    assert queued.attempts == 1


def test_it_sends_a_message_once_however_often_it_is_asked():
    queued = _queue()
    assert services.outgoing_mail_send(mail_id=queued.pk) is True
    assert services.outgoing_mail_send(mail_id=queued.pk) is False
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert services.outgoing_mail_flush() == 0
    assert len(mail.outbox) == 1


def test_it_leaves_a_message_for_the_flush_until_its_grace_has_passed():
    _queue()
    assert services.outgoing_mail_flush() == 0
    with time_machine.travel(timezone.now() + services.OUTBOX_GRACE + timedelta(seconds=1)):
        assert services.outgoing_mail_flush() == 1
    assert len(mail.outbox) == 1


def test_it_tries_a_failed_message_again_later_with_its_error_kept(settings):
    queued = _queue()
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    assert services.outgoing_mail_send(mail_id=queued.pk) is False
    queued.refresh_from_db()
    assert queued.sent_at is None and queued.attempts == 1
    assert "Connection unexpectedly closed" in queued.last_error
    assert queued.next_attempt_at > timezone.now()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.outgoing_mail_flush() == 0  # not due yet
    with time_machine.travel(queued.next_attempt_at + timedelta(seconds=1)):
        assert services.outgoing_mail_flush() == 1
    queued.refresh_from_db()
    assert queued.sent_at is not None and queued.attempts == 2
    assert len(mail.outbox) == 1


def test_it_gives_up_after_the_last_attempt_and_keeps_the_message(settings):
    queued = _queue()
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    for _ in range(services.OUTBOX_MAX_ATTEMPTS):
        services.outgoing_mail_send(mail_id=queued.pk)
    queued.refresh_from_db()
    assert queued.attempts == services.OUTBOX_MAX_ATTEMPTS
    assert (queued.sent_at, queued.next_attempt_at) == (None, None)
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert services.outgoing_mail_flush() == 0


def test_it_forgets_sent_messages_after_thirty_days():
    old, recent, unsent = _queue(), _queue(), _queue()
    OutgoingMail.objects.filter(pk=old.pk).update(sent_at=timezone.now() - timedelta(days=31))
    OutgoingMail.objects.filter(pk=recent.pk).update(sent_at=timezone.now() - timedelta(days=29))
    assert services.outgoing_mail_purge() == 1
    assert set(OutgoingMail.objects.values_list("pk", flat=True)) == {recent.pk, unsent.pk}
