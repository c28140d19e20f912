"""Default-deny: anonymous users go to the login page; each role only reaches its pages."""

import pytest
from django.urls import reverse

from accounts.decorators import WRONG_ROLE
from accounts.models import Role

pytestmark = pytest.mark.django_db

PROTECTED = [
    "home",
    "accounts:profile",
    "accounts:password-change",
    "vendors:home",
    "procurement:home",
]
PUBLIC = ["landing", "accounts:login", "accounts:password-reset", "healthz"]


@pytest.mark.parametrize("name", PROTECTED)
def test_it_sends_anonymous_users_to_login(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={url}"


@pytest.mark.parametrize("name", [n for n in PUBLIC if n != "healthz"])
def test_it_serves_public_pages_to_anonymous_users(client, name):
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize(
    ("cast", "url_name"),
    [
        ("officer", "vendors:home"),
        ("admin_user", "vendors:home"),
        ("vendor_owner", "procurement:home"),
        ("admin_user", "procurement:home"),
    ],
)
def test_it_refuses_the_wrong_role_with_a_clear_page(request, login, cast, url_name):
    user = request.getfixturevalue(cast)
    response = login(user).get(reverse(url_name))
    assert response.status_code == 403
    expected_role = Role.VENDOR if url_name.startswith("vendors") else Role.OFFICER
    message = WRONG_ROLE.format(role=expected_role.label, current=user.role.label)
    assert message in response.content.decode()


def test_it_keeps_non_staff_out_of_django_admin(login, vendor_owner):
    response = login(vendor_owner).get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_it_gives_admins_their_group_permissions_in_django_admin(login, admin_user):
    client = login(admin_user)
    assert not admin_user.is_superuser
    assert client.get(reverse("admin:vendors_vendor_changelist")).status_code == 200
    assert client.get(reverse("admin:procurement_opd_changelist")).status_code == 200
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_it_shows_the_custom_404_page(login, vendor_owner):
    response = login(vendor_owner).get("/tidak-ada/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan (404)" in response.content.decode()
