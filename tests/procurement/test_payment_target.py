"""The OPD's payment target: its PPK or KPA sets it, every officer of the OPD reads it, the
change is audited; bad input is refused with a message and nothing saved."""

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db
URL = reverse("procurement:opd-payment-target")


def test_anonymous_goes_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_vendors_and_admins_are_refused(client, login, vendor_owner, admin_user):
    login(vendor_owner)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"payment_target_days": "10"}).status_code == 403


@pytest.mark.parametrize("position", ["ppk", "kpa"])
def test_the_ppk_or_kpa_sets_it_and_it_is_audited(client, login, position):
    officer = OfficerFactory(position=position)
    login(officer.user)
    assert 'value="15"' in client.get(URL).content.decode()
    response = client.post(URL, {"payment_target_days": "10"})
    assert response.status_code == 302
    officer.opd.refresh_from_db()
    assert officer.opd.payment_target_days == 10
    entry = AuditEntry.objects.get(action=AuditAction.OPD_PAYMENT_TARGET_SET)
    assert entry.changes == {"payment_target_days": [15, 10]}
    assert entry.actor == officer.user


@pytest.mark.parametrize("position", ["pokja", "bendahara", "pptk"])
def test_other_positions_read_it_but_cannot_set_it(client, login, position):
    officer = OfficerFactory(position=position)
    login(officer.user)
    html = client.get(URL).content.decode()
    assert "Target sekarang: 15 hari kalender." in html
    assert client.post(URL, {"payment_target_days": "10"}).status_code == 403
    officer.opd.refresh_from_db()
    assert officer.opd.payment_target_days == 15


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "Target pembayaran antara 1 dan 365 hari kalender."),
        ("400", "Target pembayaran antara 1 dan 365 hari kalender."),
        ("lima", "Tulis target sebagai bilangan bulat hari, misalnya 15."),
        ("", "Isi target pembayaran dalam hari, misalnya 15."),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(client, login, value, message):
    officer = OfficerFactory(position="ppk")
    login(officer.user)
    response = client.post(URL, {"payment_target_days": value})
    assert response.status_code == 200  # the form again, with what is wrong
    assert message in response.content.decode()
    officer.opd.refresh_from_db()
    assert officer.opd.payment_target_days == 15
    assert not AuditEntry.objects.filter(action=AuditAction.OPD_PAYMENT_TARGET_SET).exists()


def test_it_changes_only_the_officers_own_opd(client, login):
    officer = OfficerFactory(position="ppk")
    other = OfficerFactory(position="ppk")
    login(officer.user)
    client.post(URL, {"payment_target_days": "7", "opd": other.opd.pk})
    other.opd.refresh_from_db()
    officer.opd.refresh_from_db()
    assert (officer.opd.payment_target_days, other.opd.payment_target_days) == (7, 15)


def test_the_officer_home_shows_the_target(client, login):
    officer = OfficerFactory(position="pokja")
    login(officer.user)
    html = client.get(reverse("procurement:home")).content.decode()
    assert "Lunas paling lambat 15 hari kalender setelah BAST." in html
