import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")


def test_it_shows_the_users_role_and_company(login, vendor_owner):
    html = login(vendor_owner).get(PROFILE).content.decode()
    assert vendor_owner.vendor_membership.vendor.name in html
    assert "Pemilik" in html


def test_it_saves_the_profile(login, officer):
    client = login(officer)
    response = client.post(
        PROFILE,
        {"full_name": "Rina Kartikasari", "phone": "0812-1111-2222", "language": "en"},
        follow=True,
    )
    # The message is written in the language of the request that saved it.
    assert "Profil disimpan." in response.content.decode()
    officer.refresh_from_db()
    assert (officer.full_name, officer.phone, officer.language) == (
        "Rina Kartikasari",
        "0812-1111-2222",
        "en",
    )


def test_it_refuses_bad_input_and_saves_nothing(login, officer):
    before = officer.full_name
    response = login(officer).post(PROFILE, {"full_name": "", "phone": "x", "language": "xx"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bidang ini tidak boleh kosong" in html
    officer.refresh_from_db()
    assert officer.full_name == before
    assert officer.phone == ""
