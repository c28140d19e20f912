import pytest
from django.db import IntegrityError

from accounts.models import Role, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_stores_emails_lower_case():
    user = User.objects.create_user("  Siti.Rahma@Contoh.ID ", "x", full_name="Siti")
    assert user.email == "siti.rahma@contoh.id"


def test_it_finds_users_by_email_in_any_case():
    user = UserFactory(email="budi@contoh.id")
    assert User.objects.get_by_natural_key("BUDI@Contoh.id") == user


def test_the_database_refuses_an_upper_case_email():
    with pytest.raises(IntegrityError, match="user_email_lowercase"):
        User.objects.bulk_create([User(email="Budi@contoh.id", full_name="Budi")])


def test_the_database_refuses_a_second_account_with_the_same_email():
    UserFactory(email="sama@contoh.id")
    with pytest.raises(IntegrityError, match="accounts_user_email_key"):
        User.objects.create_user("SAMA@contoh.id", "x", full_name="Lain")


@pytest.mark.parametrize(
    ("cast", "role"),
    [("vendor_owner", Role.VENDOR), ("officer", Role.OFFICER), ("admin_user", Role.ADMIN)],
)
def test_it_derives_the_role_from_what_the_user_belongs_to(request, cast, role):
    assert request.getfixturevalue(cast).role == role


def test_a_user_who_belongs_nowhere_has_no_role():
    assert UserFactory().role is None
