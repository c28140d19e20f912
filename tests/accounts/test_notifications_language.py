"""A notification reads in the reader's language, whatever the recipient's language was when
it was written; mail goes out in the recipient's saved language."""

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts import services
from accounts.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOTIFICATIONS = reverse("accounts:notifications")


def _request_meeting(user):
    services.notify(
        users=[user],
        template="matching/meeting_requested",
        context={"requester": SimpleNamespace(name="CV Batik Betawi"), "meeting": None},
        link="/temu-bisnis/",
    )
    return Notification.objects.get(user=user)


@pytest.mark.parametrize(
    ("reader", "title"),
    [
        ("id", "Permintaan pertemuan dari CV Batik Betawi"),
        ("en", "Meeting request from CV Batik Betawi"),
    ],
)
def test_a_notification_reads_in_the_readers_language(login, vendor_owner, reader, title):
    assert vendor_owner.language == "id"
    notification = _request_meeting(vendor_owner)
    assert notification.kind == "matching/meeting_requested"
    assert notification.message == "Permintaan pertemuan dari CV Batik Betawi"
    client = login(vendor_owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = reader
    html = client.get(NOTIFICATIONS).content.decode()
    assert title in html
    other = "Meeting request" if reader == "id" else "Permintaan pertemuan"
    assert other not in html


def test_the_message_field_is_the_recipients_language(vendor_owner):
    vendor_owner.language = "en"
    vendor_owner.save()
    assert _request_meeting(vendor_owner).message == "Meeting request from CV Batik Betawi"


def test_a_row_from_before_the_texts_shows_its_stored_message(login, vendor_owner):
    Notification.objects.create(user=vendor_owner, message="Paket 123 ditutup")
    client = login(vendor_owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Paket 123 ditutup" in client.get(NOTIFICATIONS).content.decode()


def test_the_mail_of_a_notification_is_in_the_recipients_saved_language(
    vendor_owner, django_capture_on_commit_callbacks
):
    vendor_owner.language = "en"
    vendor_owner.save()
    with django_capture_on_commit_callbacks(execute=True):
        _request_meeting(vendor_owner)
    assert [m.subject for m in mail.outbox] == ["Meeting request from CV Batik Betawi"]


def test_the_reset_mail_is_in_the_recipients_language_not_the_pages(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="jane@contoh.id", language="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password-reset"), {"email": "jane@contoh.id"})
    (message,) = mail.outbox
    assert "Atur ulang" not in message.subject, message.subject
    assert "Atur ulang" not in message.body
