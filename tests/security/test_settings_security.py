"""Production settings (DEBUG off) are strict: secure cookies, HSTS, a working-day session,
strong passwords. Each check starts the settings module afresh in a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from seeding.demo import DEMO_PASSWORD
from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parent.parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 60,
    "ALLOWED_HOSTS": "p3dn.jakarta.go.id",
    "BID_SEALING_KEYS": Fernet.generate_key().decode(),
}
NAMES = [
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_AGE",
    "ADMIN_SESSION_AGE",
    "SESSION_SAVE_EVERY_REQUEST",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "TRUSTED_PROXY_COUNT",
    "X_FRAME_OPTIONS",
    "AUTHENTICATION_BACKENDS",
    "MIDDLEWARE",
]


def _settings(**env: str) -> dict:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "DATABASE_URL"}}
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {NAMES!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**keep, "DJANGO_SETTINGS_MODULE": "p3dn_portal.settings", **PRODUCTION, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def production():
    return _settings()


def test_production_cookies_are_secure_and_sent_over_https_only(production):
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SECURE_SSL_REDIRECT"] is True


def test_production_asks_browsers_for_https_for_a_year(production):
    assert production["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["X_FRAME_OPTIONS"] == "DENY"


def test_a_session_lasts_a_working_day_and_an_admins_less(production):
    assert 8 * 60 * 60 <= production["SESSION_COOKIE_AGE"] <= 12 * 60 * 60
    assert production["ADMIN_SESSION_AGE"] < production["SESSION_COOKIE_AGE"]
    # Renewing it at each request would write the session every time (issue 8's targets).
    assert production["SESSION_SAVE_EVERY_REQUEST"] is False


def test_the_session_ages_come_from_the_environment():
    chosen = _settings(SESSION_COOKIE_AGE="28800", ADMIN_SESSION_AGE="7200")
    assert chosen["SESSION_COOKIE_AGE"] == 28800
    assert chosen["ADMIN_SESSION_AGE"] == 7200


def test_behind_the_proxy_the_scheme_and_the_client_come_from_its_headers(production):
    assert production["SECURE_PROXY_SSL_HEADER"] is None
    assert production["TRUSTED_PROXY_COUNT"] == 0
    proxied = _settings(SECURE_PROXY_SSL_HEADER="1")
    assert proxied["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert proxied["TRUSTED_PROXY_COUNT"] == 1


def test_logins_go_through_the_lockout_and_sessions_through_the_email_backend(production):
    assert production["AUTHENTICATION_BACKENDS"] == [
        "axes.backends.AxesStandaloneBackend",
        "accounts.backends.EmailBackend",
    ]
    middleware = production["MIDDLEWARE"]
    assert middleware[-1] == "axes.middleware.AxesMiddleware"
    assert "csp.middleware.CSPMiddleware" in middleware
    auth = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert middleware[auth + 1 : auth + 3] == [
        "accounts.middleware.OTPMiddleware",
        "accounts.middleware.admins_verified",
    ]


def test_a_production_response_carries_hsts_and_secure_cookies(client, settings, vendor_owner):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    response = client.post(
        reverse("accounts:login"),
        {"username": vendor_owner.email, "password": PASSWORD},
        secure=True,
    )
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response.cookies["sessionid"]["secure"]
    assert response.cookies["sessionid"]["httponly"]
    assert response.cookies["sessionid"]["max-age"] == 10 * 60 * 60


# Passwords ---------------------------------------------------------------------------------

# A weak password -> what the refusal says (among its messages).
WEAK = {
    "pendek-123": "Kata sandi terlalu pendek",
    "12345678901234": "seluruhnya terdiri dari angka",
    "password1234": "Kata sandi ini terlalu umum",
    "Kopi Tubruk": "Kata sandi terlalu pendek",
}


@pytest.mark.parametrize(("password", "message"), WEAK.items())
def test_weak_passwords_are_refused(password, message):
    with pytest.raises(ValidationError, match=message):
        validate_password(password)


def test_twelve_characters_are_the_minimum_and_the_message_is_indonesian():
    with (
        translation.override("id"),
        pytest.raises(
            ValidationError, match=r"Kata sandi terlalu pendek\. Harus mengandung setidaknya"
        ) as error,
    ):
        validate_password("kopi-tubruk")  # 11
    assert "setidaknya 12 karakter" in " ".join(error.value.messages)
    validate_password("kopi-tubruk!")  # 12


@pytest.mark.django_db
def test_a_password_like_the_email_is_refused():
    user = UserFactory.build(email="sriwahyuni.jakarta@contoh.id", full_name="Sri Wahyuni")
    with pytest.raises(ValidationError, match="Kata sandi terlalu mirip dengan alamat email Anda"):
        validate_password("sriwahyuni.jakarta", user)


def test_the_demo_password_stays_valid():
    validate_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_sign_up_refuses_a_short_password_in_indonesian(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "email": "baru@contoh.id",
            "full_name": "Budi Santoso",
            "phone": "081234567890",
            "password1": "kopi-tubruk",
            "password2": "kopi-tubruk",
        },
    )
    assert response.status_code == 200
    assert "setidaknya 12 karakter" in response.content.decode()


@pytest.mark.django_db
def test_password_change_refuses_a_short_password(login, vendor_owner):
    client = login(vendor_owner)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": "kopi-tubruk", "new_password2": "kopi-tubruk"},
    )
    assert response.status_code == 200
    assert "setidaknya 12 karakter" in response.content.decode()
    vendor_owner.refresh_from_db()
    assert vendor_owner.check_password(PASSWORD)


@pytest.mark.django_db
def test_password_reset_refuses_a_short_password(client, vendor_owner):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(vendor_owner.pk))
    token = default_token_generator.make_token(vendor_owner)
    form_url = client.get(reverse("accounts:password-reset-confirm", args=[uid, token])).url
    response = client.post(
        form_url, {"new_password1": "kopi-tubruk", "new_password2": "kopi-tubruk"}
    )
    assert response.status_code == 200
    assert "setidaknya 12 karakter" in response.content.decode()
