import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.views import PASSWORD_CHANGED
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_it_mails_a_reset_link_that_sets_a_new_password(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="siti@contoh.id")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password-reset"), {"email": "SITI@contoh.id"})
    assert response.url == reverse("accounts:password-reset-done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["siti@contoh.id"]
    assert message.subject == "Atur ulang kata sandi P3DN Portal"

    link = re.search(r"http://testserver(/akun/kata-sandi/atur/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new_password = "Batik-Betawi-2026!"
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert response.url == reverse("accounts:password-reset-complete")
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_it_does_not_reveal_whether_an_email_is_registered(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password-reset"), {"email": "tidak@ada.id"})
    assert response.url == reverse("accounts:password-reset-done")
    assert mail.outbox == []


def test_it_queues_the_reset_mail_only_after_commit(client, django_capture_on_commit_callbacks):
    UserFactory(email="budi@contoh.id")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("accounts:password-reset"), {"email": "budi@contoh.id"})
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_it_changes_the_password_of_a_logged_in_user(login, vendor_owner):
    client = login(vendor_owner)
    new_password = "Kerupuk-Condet-77"
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
        follow=True,
    )
    assert str(PASSWORD_CHANGED) in response.content.decode()
    vendor_owner.refresh_from_db()
    assert vendor_owner.check_password(new_password)


def test_it_refuses_a_password_change_with_a_wrong_old_password(login, vendor_owner):
    client = login(vendor_owner)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": "salah", "new_password1": "Abcdef-12345", "new_password2": "Abcdef-12345"},
    )
    assert response.status_code == 200
    assert "Kata sandi lama Anda salah." in response.content.decode()
    vendor_owner.refresh_from_db()
    assert vendor_owner.check_password(PASSWORD)


def test_the_forms_say_kata_sandi_everywhere(login, vendor_owner):
    html = login(vendor_owner).get(reverse("accounts:password-change")).content.decode()
    assert "Kata sandi lama" in html
    assert "Ulangi kata sandi baru" in html
    assert "Sandi" not in html.replace("Kata sandi", "").replace("kata sandi", "")
