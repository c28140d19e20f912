"""The admin names third-party apps and models in the reader's language, not by their raw
labels ("AXES", "OTP_TOTP", "TOTP devices")."""

import re

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation
from django.utils.html import strip_tags

pytestmark = pytest.mark.django_db

NAMES = {
    "id": ("Pembatasan percobaan masuk", "Verifikasi dua langkah", "Perangkat TOTP"),
    "en": ("Sign-in attempt limits", "Two-step verification", "TOTP devices"),
}


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_admin_index_names_axes_and_otp_in_the_readers_language(login, admin_user, language):
    client = login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    text = strip_tags(client.get("/admin/").content.decode())
    for name in NAMES[language]:
        assert name in text, name
    for raw in ("AXES", "OTP_TOTP", "Otp_Totp", "Axes"):
        assert not re.search(rf"\b{raw}\b", text), raw
    if language == "id":
        assert "TOTP devices" not in text


def test_the_device_model_keeps_django_otps_declared_meta_for_migrations():
    """The names are set when the app is ready; migrations read the declared Meta, so the
    model's migration state is django-otp's own (makemigrations stays clean)."""
    meta = apps.get_model("otp_totp", "TOTPDevice")._meta
    assert meta.original_attrs["verbose_name"] == "TOTP device"
    with translation.override("en"):
        assert str(meta.verbose_name_plural) == "TOTP devices"
        assert str(meta.verbose_name) == "TOTP device"
    with translation.override("id"):
        assert str(meta.verbose_name_plural) == "perangkat TOTP"
