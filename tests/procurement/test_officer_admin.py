import pytest
from django.urls import reverse

from procurement.admin import OFFICER_IS_ADMIN, OFFICER_IS_VENDOR
from procurement.models import Officer
from tests.factories import OPDFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:procurement_officer_add")


def test_an_admin_assigns_an_officer_to_an_opd(login, admin_user):
    user, opd = UserFactory(), OPDFactory()
    response = login(admin_user).post(ADD, {"user": user.pk, "opd": opd.pk, "position": "ppk"})
    assert response.status_code == 302
    assert Officer.objects.get(user=user).opd == opd


def test_a_vendor_user_cannot_be_made_an_officer(login, admin_user, vendor_owner):
    response = login(admin_user).post(
        ADD, {"user": vendor_owner.pk, "opd": OPDFactory().pk, "position": "kpa"}
    )
    vendor = vendor_owner.vendor_membership.vendor
    assert OFFICER_IS_VENDOR.format(vendor=vendor.name) in response.content.decode()
    assert not Officer.objects.filter(user=vendor_owner).exists()


def test_an_admin_cannot_be_made_an_officer(login, admin_user):
    other_admin = UserFactory(is_staff=True)
    response = login(admin_user).post(
        ADD, {"user": other_admin.pk, "opd": OPDFactory().pk, "position": "ppk"}
    )
    assert str(OFFICER_IS_ADMIN) in response.content.decode()
    assert not Officer.objects.exists()
