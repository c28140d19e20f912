import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SWITCH = reverse("accounts:language-set")


def test_it_serves_bahasa_indonesia_by_default(client):
    html = client.get(reverse("landing")).content.decode()
    assert '<html lang="id">' in html
    assert "Masuk ke portal" in html


def test_it_switches_an_anonymous_visitor_to_english(client):
    response = client.post(SWITCH, {"language": "en", "next": reverse("landing")})
    assert response.status_code == 302
    assert response.cookies["p3dn_language"].value == "en"
    html = client.get(reverse("landing")).content.decode()
    assert '<html lang="en">' in html
    assert "Log in to the portal" in html


def test_it_remembers_a_users_choice_on_their_account(login, vendor_owner):
    client = login(vendor_owner)
    client.post(SWITCH, {"language": "en", "next": reverse("vendors:home")})
    vendor_owner.refresh_from_db()
    assert vendor_owner.language == "en"
    assert "Business home" in client.get(reverse("vendors:home")).content.decode()


def test_it_ignores_an_unknown_language(login, vendor_owner):
    client = login(vendor_owner)
    response = client.post(SWITCH, {"language": "xx", "next": "/"})
    assert response.status_code == 302
    vendor_owner.refresh_from_db()
    assert vendor_owner.language == "id"


def test_it_translates_form_errors_to_english(client):
    client.post(SWITCH, {"language": "en"})
    response = client.post(reverse("accounts:login"), {"username": "x@contoh.id", "password": "y"})
    assert "Wrong email or password" in response.content.decode()


def test_a_browser_set_to_english_still_gets_indonesian_first(client):
    html = client.get(reverse("landing"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="id">' in html


def test_the_switcher_offers_the_other_language_named_in_itself(client):
    html = client.get(reverse("landing")).content.decode()
    assert 'name="language" value="en" lang="en"' in html
    assert ">English</span>" in html and 'value="id"' not in html
    client.cookies["p3dn_language"] = "en"
    html = client.get(reverse("landing")).content.decode()
    assert 'name="language" value="id" lang="id"' in html
    assert ">Bahasa Indonesia</span>" in html and 'value="en"' not in html
