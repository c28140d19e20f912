"""What the fuzz tests found, each pinned as a plain example (the hypothesis example database
is not kept in the repository): every one of these was a server error."""

import pytest
from django.urls import reverse
from django.utils import timezone

from p3dn_portal.lib.request_limits import BAD_ADMIN_LINK, NULL_CHARACTER
from tests import factories
from vendors.admin import TKDNCertificateAdminForm
from vendors.models import Product, VendorStatus


def test_a_bmp_out_of_range_in_the_admin_is_a_form_error(db):
    """The constraint's message "BMP harus antara 0 dan 15%" was formatted with `%`."""
    certificate = factories.TKDNCertificateFactory()
    form = TKDNCertificateAdminForm(data={"bmp_pct": "-1"}, instance=certificate)
    assert not form.is_valid()
    assert "BMP harus antara 0 dan 15%." in form.errors["__all__"]


def test_a_next_that_is_no_path_goes_home_after_the_code_step(login, admin_user):
    """`redirect("x")` took the word for a view name: NoReverseMatch."""
    response = login(admin_user).post(reverse("accounts:otp-verify"), {"next": "profil"})
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_an_edited_registration_step_is_a_bad_request(db, client):
    user = factories.UserFactory(email_verified_at=timezone.now())
    client.force_login(user, backend="accounts.backends.EmailBackend")
    response = client.post(
        reverse("vendors:register"), {"registration_wizard-current_step": "bukan-langkah"}
    )
    assert response.status_code == 400


def test_adding_a_row_to_a_package_with_an_edited_row_count_shows_the_form(login, officer):
    response = login(officer).post(
        reverse("procurement:officer-package-add"),
        {"tambah_baris": "1", "items-TOTAL_FORMS": " ", "items-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 200
    assert response.context["items"].total_form_count() == 1


def test_an_admin_autocomplete_with_an_edited_id_shows_the_form_again(login, admin_user):
    response = login(admin_user).post(
        reverse("admin:vendors_product_add"),
        {"vendor": " ", "name": "Meja", "kbli": "31001", "unit": "unit", "unit_price": "1"},
    )
    assert response.status_code == 200
    assert "vendor" in response.context["adminform"].form.errors
    assert not Product.objects.exists()


def test_a_nul_character_in_a_list_filter_is_a_bad_request_not_a_database_error(login, admin_user):
    client = login(admin_user)
    url = reverse("admin:vendors_tkdncertificate_changelist")
    response = client.get(url, {"status__exact": "\x00"})
    assert response.status_code == 400
    assert response.content.decode() == str(NULL_CHARACTER)
    assert client.get(url, {"q": "a\x00b"}).status_code == 400
    assert client.post(url, {"action": "\x00"}).status_code == 400
    assert client.get(url, {"status__exact": "pending"}).status_code == 200


def test_an_empty_to_field_on_an_admin_change_page_is_a_bad_request(login, admin_user):
    vendor = factories.VendorFactory()
    url = reverse("admin:vendors_vendor_change", args=[vendor.pk])
    response = login(admin_user).get(url, {"_to_field": ""})
    assert response.status_code == 400
    assert response.content.decode() == str(BAD_ADMIN_LINK)


def test_an_admin_action_on_ids_that_are_no_ids_is_a_bad_request(login, admin_user):
    vendor = factories.VendorFactory(status=VendorStatus.PENDING, verified_at=None)
    url = reverse("admin:vendors_vendor_changelist")
    client = login(admin_user)
    data = {"action": "reject_with_reason", "_selected_action": [str(vendor.pk), "x1"]}
    response = client.post(url, data)
    assert response.status_code == 400
    assert response.content.decode() == str(BAD_ADMIN_LINK)
    # The page's own ids still reach the action (its confirmation page).
    data["_selected_action"] = [str(vendor.pk)]
    assert client.post(url, data).status_code == 200


@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime:RuntimeWarning")
def test_a_date_without_time_zone_in_an_admin_list_filter_is_no_server_error(login, admin_user):
    url = reverse("admin:vendors_invitation_changelist")
    assert login(admin_user).get(url, {"created_at__lt": "00010101"}).status_code == 200
