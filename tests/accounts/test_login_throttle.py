"""Wrong passwords for one email from one address lock that pair out for a while (axes)."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.security import client_ip
from tests.factories import PASSWORD
from tests.otp import otp_device, totp_now

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
WRONG = "kata-sandi-yang-salah"


def _attempt(client, email, password, **headers):
    return client.post(LOGIN, {"username": email, "password": password}, **headers)


def _fail(client, email, times, **headers):
    for number in range(1, times + 1):
        response = _attempt(client, email, WRONG, **headers)
        # The form again, with its error; the fifth failure already answers with the lockout.
        assert response.status_code == (200 if number < 5 else 429)


def test_the_limit_is_five_failures_and_the_pause_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_RESET_ON_SUCCESS


def test_five_wrong_passwords_lock_the_email_out_even_with_the_right_one(client, vendor_owner):
    _fail(client, vendor_owner.email, 4)
    response = _attempt(client, vendor_owner.email, WRONG)
    assert response.status_code == 429
    response = _attempt(client, vendor_owner.email, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_says_in_indonesian_what_to_do(client, vendor_owner):
    _fail(client, vendor_owner.email, 4)
    response = _attempt(client, vendor_owner.email, WRONG)
    html = response.content.decode()
    assert response.status_code == 429
    assert '<html lang="id">' in html
    assert "Terlalu banyak percobaan masuk" in html
    assert "Tunggu 15 menit, lalu coba lagi." in html
    assert reverse("accounts:password-reset") in html


def test_the_lockout_page_follows_the_chosen_language(client, vendor_owner):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _fail(client, vendor_owner.email, 5)
    response = _attempt(client, vendor_owner.email, PASSWORD)
    assert response.status_code == 429
    assert '<html lang="en">' in response.content.decode()


def test_the_pair_is_locked_not_the_email_everywhere_nor_the_address(client, vendor_owner, officer):
    _fail(client, vendor_owner.email, 5, REMOTE_ADDR="198.51.100.7")
    elsewhere = _attempt(Client(), vendor_owner.email, PASSWORD, REMOTE_ADDR="198.51.100.8")
    assert elsewhere.status_code == 302
    colleague = _attempt(Client(), officer.email, PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert colleague.status_code == 302


def test_capitals_in_the_email_do_not_start_a_fresh_count(client, vendor_owner):
    for typed in ("A", "B", "C", "D", "E"):
        email = vendor_owner.email.upper() if typed in "ACE" else vendor_owner.email
        _attempt(client, email, WRONG)
    assert _attempt(client, vendor_owner.email, PASSWORD).status_code == 429


def test_a_successful_login_clears_the_count(client, vendor_owner):
    _fail(client, vendor_owner.email, 4)
    assert _attempt(client, vendor_owner.email, PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    _fail(client, vendor_owner.email, 4)
    assert _attempt(client, vendor_owner.email, PASSWORD).status_code == 302


def test_the_lockout_ends_after_fifteen_minutes(client, vendor_owner):
    with time_machine.travel("2026-03-02 09:00:00+07:00", tick=False) as clock:
        _fail(client, vendor_owner.email, 5)
        clock.shift(timedelta(minutes=14))
        assert _attempt(client, vendor_owner.email, PASSWORD).status_code == 429
        # A try during the lockout starts the pause again.
        clock.shift(timedelta(minutes=15, seconds=1))
        assert _attempt(client, vendor_owner.email, PASSWORD).status_code == 302


def test_a_new_password_from_the_emailed_link_ends_the_lockout(client, vendor_owner):
    _fail(client, vendor_owner.email, 5)
    uid = urlsafe_base64_encode(force_bytes(vendor_owner.pk))
    token = default_token_generator.make_token(vendor_owner)
    url = reverse("accounts:password-reset-confirm", args=[uid, token])
    form_url = client.get(url).url  # Django swaps the token for a session one
    new_password = "kopi-tubruk-pagi-hari"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=vendor_owner.email).exists()
    assert _attempt(client, vendor_owner.email, new_password).status_code == 302


def test_an_admin_is_locked_out_too_and_the_admin_login_is_the_same_form(client, admin_user):
    device = otp_device(admin_user)
    assert client.get("/admin/login/").url.startswith(LOGIN)
    _fail(client, admin_user.email, 5)
    assert _attempt(client, admin_user.email, PASSWORD).status_code == 429
    assert client.get("/admin/").status_code == 302
    assert client.post(reverse("accounts:otp-verify"), {"token": totp_now(device)}).url.startswith(
        LOGIN
    )


def test_behind_the_proxy_the_client_is_the_address_the_proxy_saw(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "203.0.113.5"
    settings.TRUSTED_PROXY_COUNT = 2
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5, 10.0.0.3")
    assert client_ip(request) == "203.0.113.5"
    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.5", REMOTE_ADDR="192.0.2.1")
    assert client_ip(request) == "192.0.2.1"


def test_a_spoofed_forwarded_for_does_not_escape_the_lockout(client, vendor_owner, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        _attempt(
            client,
            vendor_owner.email,
            WRONG,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.5",
            REMOTE_ADDR="10.0.0.2",
        )
    response = _attempt(
        client,
        vendor_owner.email,
        PASSWORD,
        HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.5",
        REMOTE_ADDR="10.0.0.2",
    )
    assert response.status_code == 429
    other_client = _attempt(
        Client(),
        vendor_owner.email,
        PASSWORD,
        HTTP_X_FORWARDED_FOR="203.0.113.6",
        REMOTE_ADDR="10.0.0.2",
    )
    assert other_client.status_code == 302
