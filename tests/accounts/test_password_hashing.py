"""Passwords are stored with Argon2id at no less than OWASP's minimum, and an older PBKDF2
hash is upgraded at the user's next login."""

import pytest
from argon2 import extract_parameters
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher
from django.urls import reverse

import p3dn_portal.settings as portal_settings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Kopi-tubruk-2026!"


@pytest.fixture
def portal_hashers(settings):
    """The production hashers (the suite stores passwords with MD5 for speed)."""
    settings.PASSWORD_HASHERS = portal_settings.PASSWORD_HASHERS


def test_a_new_password_is_stored_with_argon2id_at_least_owasp_minimum(portal_hashers):
    user = UserFactory()
    user.set_password(PASSWORD)

    assert identify_hasher(user.password).algorithm == "argon2"
    parameters = extract_parameters(user.password.removeprefix("argon2"))
    assert parameters.type.name == "ID"
    assert parameters.memory_cost >= 19 * 1024
    assert parameters.time_cost >= 2
    assert parameters.parallelism == 1


def test_a_pbkdf2_password_signs_in_and_is_rehashed_with_argon2(portal_hashers, client):
    user = UserFactory()
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "garam-lama-1234")
    user.save(update_fields=["password"])

    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password(PASSWORD)


def test_a_wrong_password_leaves_the_old_hash_alone(portal_hashers, client):
    user = UserFactory()
    old = PBKDF2PasswordHasher().encode(PASSWORD, "garam-lama-1234")
    user.password = old
    user.save(update_fields=["password"])

    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": "salah-sekali-123"}
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password == old
