"""Admins sign in with the password, then the code of their authenticator app (TOTP)."""

import io
import re
from base64 import b32decode
from urllib.parse import quote

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import otp
from accounts.views import OTP_THROTTLED, OTP_WRONG
from tests.factories import PASSWORD
from tests.otp import otp_device, sign_in_with_otp, totp_now

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:otp-verify")
SETUP = reverse("accounts:otp-setup")
DASHBOARD = reverse("dashboards:home")


def _password_step(client, user, next_url=""):
    data = {"username": user.email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def test_an_admin_goes_from_the_password_to_the_code_step(client, admin_user):
    otp_device(admin_user)
    response = _password_step(client, admin_user, next_url="/admin/")
    assert response.status_code == 302
    assert response.url == f"{VERIFY}?next={quote('/admin/', safe='')}"


def test_an_admin_with_only_the_password_reaches_neither_admin_nor_dashboard(client, admin_user):
    otp_device(admin_user)
    _password_step(client, admin_user)
    for url in ("/admin/", "/admin/vendors/vendor/", DASHBOARD, reverse("matching:events")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(VERIFY), url


def test_the_right_code_signs_the_admin_in_and_goes_on_to_next(client, admin_user):
    device = otp_device(admin_user)
    _password_step(client, admin_user)
    response = client.post(VERIFY, {"token": totp_now(device), "next": "/admin/"})
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/admin/").status_code == 200
    assert client.get(DASHBOARD).status_code == 200


def test_a_signed_in_admins_session_ends_sooner_than_others(client, admin_user):
    device = otp_device(admin_user)
    _password_step(client, admin_user)
    client.post(VERIFY, {"token": totp_now(device)})
    assert client.session.get_expiry_age() == settings.ADMIN_SESSION_AGE
    assert settings.ADMIN_SESSION_AGE < settings.SESSION_COOKIE_AGE


def test_a_wrong_code_is_refused_with_what_to_do(client, admin_user):
    otp_device(admin_user)
    _password_step(client, admin_user)
    response = client.post(VERIFY, {"token": "000000"})
    assert response.status_code == 200
    assert str(OTP_WRONG) in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_codes_are_throttled_after_wrong_ones(client, admin_user):
    device = otp_device(admin_user)
    _password_step(client, admin_user)
    with time_machine.travel("2026-03-02 09:00:00+07:00", tick=False):
        client.post(VERIFY, {"token": "000000"})
        client.post(VERIFY, {"token": "000001"})
        # Right away, even the right code waits out the pause the wrong ones earned.
        response = client.post(VERIFY, {"token": totp_now(device)})
    assert response.status_code == 200
    assert str(OTP_THROTTLED).split("{seconds}")[0] in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_a_code_cannot_be_used_twice(client, admin_user):
    device = otp_device(admin_user)
    with time_machine.travel("2026-03-02 09:00:05+07:00", tick=False):
        code = totp_now(device)
        _password_step(client, admin_user)
        client.post(VERIFY, {"token": code})
        client.post(reverse("accounts:logout"))
        _password_step(client, admin_user)
        response = client.post(VERIFY, {"token": code})
    assert response.status_code == 200
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_the_code_step_does_not_follow_next_off_site(client, admin_user):
    device = otp_device(admin_user)
    _password_step(client, admin_user)
    response = client.post(VERIFY, {"token": totp_now(device), "next": "https://jahat.example/"})
    assert response.url == reverse("home")


def test_an_admin_without_a_device_enrols_one_at_the_first_sign_in(client, admin_user):
    _password_step(client, admin_user)
    assert client.get(VERIFY).url.startswith(SETUP)
    page = client.get(SETUP)
    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(r'<img class="otp-qr" src="data:image/svg\+xml;base64,', html)
    device = TOTPDevice.objects.get(user=admin_user)
    assert not device.confirmed
    secret = otp.device_secret(device)
    assert secret in html
    assert b32decode(secret.replace(" ", "")) == device.bin_key
    # Reloading the page keeps the secret an app may already have scanned.
    assert secret in client.get(SETUP).content.decode()

    response = client.post(SETUP, {"token": totp_now(device), "next": DASHBOARD})
    assert response.url == DASHBOARD
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(DASHBOARD).status_code == 200


def test_enrolment_refuses_a_wrong_code_and_keeps_the_device_unconfirmed(client, admin_user):
    _password_step(client, admin_user)
    client.get(SETUP)
    response = client.post(SETUP, {"token": "123456"})
    assert str(OTP_WRONG) in response.content.decode()
    assert not TOTPDevice.objects.get(user=admin_user).confirmed
    assert client.get("/admin/").status_code == 302


def test_an_admin_with_a_device_cannot_enrol_another(client, admin_user):
    otp_device(admin_user)
    _password_step(client, admin_user)
    assert client.get(SETUP).url.startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=admin_user).count() == 1


def test_vendors_and_officers_sign_in_without_a_code(client, vendor_owner, officer):
    for user in (vendor_owner, officer):
        response = _password_step(client, user)
        assert response.url == reverse("home")
        assert not client.get(reverse("home")).url.startswith(VERIFY)
        assert client.get(VERIFY).url == reverse("home")
        client.post(reverse("accounts:logout"))


def test_the_admin_login_page_sends_to_the_portals_login(client):
    response = client.get("/admin/login/?next=/admin/vendors/")
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/admin/vendors/"


def test_an_admin_can_log_out_between_the_password_and_the_code(client, admin_user):
    otp_device(admin_user)
    _password_step(client, admin_user)
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_the_login_fixture_and_helper_sign_admins_in_fully(login, admin_user, client):
    assert login(admin_user).get("/admin/").status_code == 200
    other = sign_in_with_otp(type(client)(), admin_user)
    assert other.get(DASHBOARD).status_code == 200


def test_a_deleted_device_stops_signing_the_session_in(login, admin_user):
    client = login(admin_user)
    device = otp.confirmed_device(admin_user)
    persistent_id = device.persistent_id
    device.delete()
    # Until its cache entry expires (OTP_DEVICE_CACHE_SECONDS) the session stays signed in.
    assert client.get("/admin/").status_code == 200
    cache.delete(f"otp-device:{persistent_id}")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(VERIFY)


def test_a_signed_in_admin_page_reads_no_device_from_the_database(login, admin_user):
    client = login(admin_user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASHBOARD).status_code == 200
        assert client.get("/admin/").status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if "otp_totp" in q["sql"]]


def test_the_demo_admin_has_the_published_demo_key(db):
    from django.core.management import call_command

    from seeding import demo

    out = io.StringIO()
    call_command("seed_demo", "--force", stdout=out)
    device = TOTPDevice.objects.get(user__email="admin@demo.p3dn.id", confirmed=True)
    assert device.bin_key == b32decode(demo.ADMIN_TOTP_KEY)
    # `make run` prints how to get the code (seed_demo ends with the demo logins).
    assert demo.ADMIN_TOTP_KEY in out.getvalue()
    assert device.config_url in out.getvalue()
