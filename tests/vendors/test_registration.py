"""From sign-up to a company waiting for verification, as a new vendor does it."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.services import EMAIL_TAKEN, VERIFICATION_LINK_INVALID
from tests.factories import UserFactory, VendorFactory
from vendors.forms import NPWP_CHECK_DIGIT_WARNING, SIZE_REQUIRED
from vendors.models import MemberRole, Vendor, VendorStatus
from vendors.services import NIB_TAKEN, NPWP_TAKEN
from vendors.validators import KBLI_INVALID, NIB_INVALID

pytestmark = pytest.mark.django_db

SIGNUP = reverse("accounts:signup")
REGISTER = reverse("vendors:register")
SIGNUP_DATA = {
    "email": "Nurul.Aini@Contoh.id",
    "full_name": "Nurul Aini",
    "phone": "0812-3456-7890",
    "password1": "Kerupuk-Condet-2026",
    "password2": "Kerupuk-Condet-2026",
}
IDENTITY = {
    "identitas-name": "UD Kerupuk Kulit Condet",
    "identitas-legal_form": "perorangan",
    "identitas-nib": "9120001234567",
    "identitas-npwp": "01.000.013.1-093.000",
    "identitas-kbli_codes": "10799, 10792",
}
ADDRESS = {
    "alamat-address": "Jl. Raya Condet No. 12",
    "alamat-province": "DKI Jakarta",
    "alamat-city": "Kota Jakarta Timur",
    "alamat-phone": "021-8090000",
}
SIZE = {"skala-capital": "80.000.000", "skala-annual_sales": ""}


def _signup(client, django_capture_on_commit_callbacks, data=SIGNUP_DATA):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(SIGNUP, data)


def _verification_link() -> str:
    return re.search(
        r"http://127\.0\.0\.1:8000(/akun/verifikasi/\S+/)", mail.outbox[-1].body
    ).group(1)


def _step(client, step: str, data: dict):
    return client.post(REGISTER, {"registration_wizard-current_step": step, **data})


@pytest.fixture
def verified_applicant(client, django_capture_on_commit_callbacks):
    _signup(client, django_capture_on_commit_callbacks)
    client.get(_verification_link())
    return User.objects.get(email="nurul.aini@contoh.id")


def test_it_signs_up_logs_in_and_mails_a_verification_link(
    client, django_capture_on_commit_callbacks
):
    response = _signup(client, django_capture_on_commit_callbacks)
    assert response.url == REGISTER
    user = User.objects.get(email="nurul.aini@contoh.id")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert not user.email_verified
    assert mail.outbox[-1].to == ["nurul.aini@contoh.id"]
    assert mail.outbox[-1].subject == "Verifikasi email Anda di P3DN Portal"


def test_it_asks_to_verify_the_email_before_the_company_form(
    client, django_capture_on_commit_callbacks
):
    _signup(client, django_capture_on_commit_callbacks)
    html = client.get(REGISTER).content.decode()
    assert "Verifikasi email Anda" in html
    assert "identitas-nib" not in html


def test_the_link_verifies_the_email(client, verified_applicant):
    assert verified_applicant.email_verified


def test_a_forged_verification_link_is_refused(client, django_capture_on_commit_callbacks):
    _signup(client, django_capture_on_commit_callbacks)
    response = client.get(reverse("accounts:email-verify", args=["bukan-token"]), follow=True)
    assert str(VERIFICATION_LINK_INVALID) in response.content.decode()
    assert not User.objects.get(email="nurul.aini@contoh.id").email_verified


def test_a_taken_email_is_refused_and_nothing_is_created(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="nurul.aini@contoh.id")
    response = _signup(client, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert str(EMAIL_TAKEN) in response.content.decode()
    assert User.objects.count() == 1


def test_a_weak_password_is_refused(client, django_capture_on_commit_callbacks):
    response = _signup(
        client,
        django_capture_on_commit_callbacks,
        {**SIGNUP_DATA, "password1": "123", "password2": "123"},
    )
    assert response.status_code == 200
    assert not User.objects.exists()


def test_it_registers_a_company_pending_verification_with_its_scale(client, verified_applicant):
    assert _step(client, "identitas", IDENTITY).status_code == 200
    assert _step(client, "alamat", ADDRESS).status_code == 200
    response = _step(client, "skala", SIZE)
    assert response.url == reverse("vendors:home")
    vendor = Vendor.objects.get()
    assert vendor.status == VendorStatus.PENDING
    assert (vendor.nib, vendor.npwp) == ("9120001234567", "010000131093000")
    assert vendor.kbli_codes == ["10792", "10799"]
    assert (vendor.scale, vendor.scale_basis) == ("mikro", "capital")
    assert vendor.members.get().user == verified_applicant
    assert vendor.members.get().role == MemberRole.OWNER
    assert vendor.history.count() == 1
    html = client.get(reverse("vendors:home")).content.decode()
    assert "Menunggu verifikasi" in html
    assert "modal usaha" in html


def test_annual_sales_decide_the_scale_and_the_page_says_so(client, verified_applicant):
    _step(client, "identitas", IDENTITY)
    _step(client, "alamat", ADDRESS)
    _step(client, "skala", {"skala-capital": "800.000.000", "skala-annual_sales": "16.000.000.000"})
    vendor = Vendor.objects.get()
    assert (vendor.scale, vendor.scale_basis) == ("menengah", "annual_sales")
    assert "hasil penjualan tahunan" in client.get(reverse("vendors:home")).content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("identitas-nib", "91200012345", NIB_INVALID),
        ("identitas-kbli_codes", "1079, abcde", KBLI_INVALID),
    ],
)
def test_bad_identity_input_shows_what_is_wrong_and_keeps_the_rest(
    client, verified_applicant, field, value, message
):
    response = _step(client, "identitas", {**IDENTITY, field: value})
    html = response.content.decode()
    assert str(message) in html
    assert 'value="UD Kerupuk Kulit Condet"' in html
    assert not Vendor.objects.exists()


def test_a_registered_nib_or_npwp_is_refused_without_saying_whose(client, verified_applicant):
    other = VendorFactory(name="PT Rahasia Sekali", nib="9120001234567", npwp="010000131093000")
    html = _step(client, "identitas", IDENTITY).content.decode()
    assert str(NIB_TAKEN) in html
    assert str(NPWP_TAKEN) in html
    assert other.name not in html


def test_a_mismatched_npwp_check_digit_is_a_warning_the_user_can_confirm(
    client, verified_applicant
):
    data = {**IDENTITY, "identitas-npwp": "01.000.013.2-093.000"}
    html = _step(client, "identitas", data).content.decode()
    assert str(NPWP_CHECK_DIGIT_WARNING) in html
    assert 'type="checkbox" name="identitas-npwp_confirm"' in html
    _step(client, "identitas", {**data, "identitas-npwp_confirm": "on"})
    _step(client, "alamat", ADDRESS)
    _step(client, "skala", SIZE)
    vendor = Vendor.objects.get()
    assert vendor.npwp == "010000132093000"
    assert vendor.npwp_check_digit_confirmed


def test_the_size_step_needs_capital_or_sales(client, verified_applicant):
    _step(client, "identitas", IDENTITY)
    _step(client, "alamat", ADDRESS)
    response = _step(client, "skala", {"skala-capital": "", "skala-annual_sales": ""})
    assert str(SIZE_REQUIRED) in response.content.decode()
    assert not Vendor.objects.exists()


def test_bad_amounts_are_refused_in_indonesian(client, verified_applicant):
    _step(client, "identitas", IDENTITY)
    _step(client, "alamat", ADDRESS)
    response = _step(client, "skala", {"skala-capital": "delapan puluh juta"})
    assert "Tulis angka saja" in response.content.decode()
    assert not Vendor.objects.exists()


def test_a_user_with_a_company_cannot_register_another(login, vendor_owner):
    response = login(vendor_owner).get(REGISTER)
    assert response.url == reverse("home")


def test_anonymous_users_go_to_login_for_the_company_form(client):
    response = client.get(REGISTER)
    assert response.url.startswith(reverse("accounts:login"))


def test_coming_back_to_the_form_resumes_where_the_user_left_off(client, verified_applicant):
    _step(client, "identitas", IDENTITY)
    html = client.get(REGISTER).content.decode()  # a reload, or back from another page
    assert 'name="alamat-address"' in html
    _step(client, "alamat", ADDRESS)
    _step(client, "skala", SIZE)
    assert Vendor.objects.get().nib == "9120001234567"


def test_ulang_starts_the_form_over(client, verified_applicant):
    _step(client, "identitas", IDENTITY)
    html = client.get(REGISTER + "?ulang").content.decode()
    assert 'name="identitas-nib"' in html


def test_resending_the_verification_link_sends_one_mail_a_minute(
    client, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    cache.clear()
    _signup(client, django_capture_on_commit_callbacks)
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:email-verification-resend"))
        client.post(reverse("accounts:email-verification-resend"))
    assert len(mail.outbox) == sent + 1


def test_the_address_step_starts_in_dki_jakarta(client, verified_applicant):
    _step(client, "identitas", IDENTITY)
    html = client.get(REGISTER).content.decode()
    assert '<option value="DKI Jakarta" selected>DKI Jakarta</option>' in html
