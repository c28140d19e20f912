import pytest
from django.urls import reverse

from accounts.forms import LoginForm
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def test_it_logs_in_by_email(client, vendor_owner):
    response = client.post(LOGIN, {"username": vendor_owner.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(vendor_owner.pk)


def test_it_ignores_the_case_and_spaces_of_the_email(client, vendor_owner):
    typed = f"  {vendor_owner.email.upper()} "
    response = client.post(LOGIN, {"username": typed, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(vendor_owner.pk)


def test_it_refuses_a_wrong_password_with_what_to_do_next(client, vendor_owner):
    response = client.post(LOGIN, {"username": vendor_owner.email, "password": "salah"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert str(LoginForm.error_messages["invalid_login"]) in response.content.decode()


def test_it_refuses_an_inactive_user(client):
    user = UserFactory(is_active=False)
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_follows_next_after_login(client, officer):
    target = reverse("procurement:home")
    response = client.post(
        f"{LOGIN}?next={target}", {"username": officer.email, "password": PASSWORD, "next": target}
    )
    assert response.url == target


def test_it_does_not_redirect_off_site_after_login(client, officer):
    evil = "https://contoh-jahat.example/"
    response = client.post(LOGIN, {"username": officer.email, "password": PASSWORD, "next": evil})
    assert response.url == reverse("home")


def test_it_sets_the_language_cookie_to_the_users_choice(client):
    user = UserFactory(language="en")
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD})
    assert response.cookies["p3dn_language"].value == "en"


def test_it_logs_out_on_post(login, vendor_owner):
    client = login(vendor_owner)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("cast", "destination"),
    [
        ("vendor_owner", "vendors:home"),
        ("officer", "procurement:home"),
        ("admin_user", "dashboards:home"),
    ],
)
def test_it_sends_each_role_to_its_home(request, login, cast, destination):
    client = login(request.getfixturevalue(cast))
    response = client.get(reverse("home"))
    assert response.url == reverse(destination)


def test_it_sends_a_user_without_a_role_to_the_company_registration(login):
    client = login(UserFactory())
    assert client.get(reverse("home")).url == reverse("vendors:register")


def test_it_says_goodbye_after_logout(login, vendor_owner):
    response = login(vendor_owner).post(reverse("accounts:logout"), follow=True)
    assert "Anda sudah keluar." in response.content.decode()


def test_the_email_field_is_an_email_input_once(client, db):
    html = client.get(reverse("accounts:login")).content.decode()
    field = next(tag for tag in html.split("<input")[1:] if 'name="username"' in tag)
    assert field.count("type=") == 1 and 'type="email"' in field
