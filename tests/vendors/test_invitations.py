import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory
from vendors import services
from vendors.models import Invitation, MemberRole, VendorMember

pytestmark = pytest.mark.django_db

MEMBERS = reverse("vendors:members")


def _invite(client, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(MEMBERS, {"email": email})


def _link() -> str:
    return re.search(
        r"http://127\.0\.0\.1:8000(/penyedia/undangan/\S+/)", mail.outbox[-1].body
    ).group(1)


def test_an_owner_invites_a_colleague_who_signs_up_and_joins_as_staff(
    client, login, vendor_owner, django_capture_on_commit_callbacks
):
    vendor = vendor_owner.vendor_membership.vendor
    owner_client = login(vendor_owner)
    assert (
        _invite(owner_client, "Rekan@Contoh.id", django_capture_on_commit_callbacks).url == MEMBERS
    )
    assert mail.outbox[-1].to == ["rekan@contoh.id"]
    assert vendor.name in mail.outbox[-1].subject
    link = _link()
    owner_client.post(reverse("accounts:logout"))

    page = client.get(link).content.decode()
    assert "rekan@contoh.id" in page
    response = client.post(
        link,
        {
            "full_name": "Ahmad Fauzi",
            "phone": "",
            "password1": "Batik-Betawi-77",
            "password2": "Batik-Betawi-77",
        },
    )
    assert response.url == reverse("vendors:home")
    user = User.objects.get(email="rekan@contoh.id")
    assert user.email_verified  # the invitation reached that address
    assert user.vendor_membership.vendor == vendor
    assert user.vendor_membership.role == MemberRole.STAFF
    assert client.get(link).status_code == 410  # used once


def test_an_existing_user_without_a_company_accepts_while_logged_in(
    login, vendor_owner, django_capture_on_commit_callbacks
):
    invitee = UserFactory(email="lina@contoh.id")
    _invite(login(vendor_owner), "lina@contoh.id", django_capture_on_commit_callbacks)
    link = _link()
    response = login(invitee).post(link)
    assert response.url == reverse("vendors:home")
    assert VendorMember.objects.get(user=invitee).role == MemberRole.STAFF


def test_the_invitation_is_only_for_the_invited_address(
    login, vendor_owner, django_capture_on_commit_callbacks
):
    _invite(login(vendor_owner), "lina@contoh.id", django_capture_on_commit_callbacks)
    link = _link()
    stranger = UserFactory(email="orang.lain@contoh.id")
    response = login(stranger).post(link)
    assert str(services.INVITATION_EMAIL_MISMATCH) in response.content.decode()
    assert not VendorMember.objects.filter(user=stranger).exists()


def test_staff_cannot_invite(login, vendor_staff):
    response = login(vendor_staff).post(MEMBERS, {"email": "x@contoh.id"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_a_user_of_another_company_cannot_be_invited(login, vendor_owner, outsider_vendor):
    response = login(vendor_owner).post(MEMBERS, {"email": outsider_vendor.email})
    html = response.content.decode()
    assert str(services.INVITE_OTHER_VENDOR) in html
    assert outsider_vendor.vendor_membership.vendor.name not in html
    assert not Invitation.objects.exists()


def test_a_forged_invitation_link_is_refused(client):
    response = client.get(reverse("vendors:invitation-accept", args=["palsu"]))
    assert response.status_code == 410
    assert str(services.INVITATION_USED) in response.content.decode()


def test_the_owner_removes_staff_but_not_themselves(login, vendor_owner, vendor_staff):
    client = login(vendor_owner)
    owner_member = vendor_owner.vendor_membership
    response = client.post(reverse("vendors:member-remove", args=[owner_member.pk]), follow=True)
    assert str(services.MEMBER_REMOVE_OWNER) in response.content.decode()
    client.post(reverse("vendors:member-remove", args=[vendor_staff.vendor_membership.pk]))
    assert not VendorMember.objects.filter(user=vendor_staff).exists()


def test_an_owner_cannot_remove_another_companys_member(login, vendor_owner, outsider_vendor):
    their_member = outsider_vendor.vendor_membership
    assert (
        login(vendor_owner)
        .post(reverse("vendors:member-remove", args=[their_member.pk]))
        .status_code
        == 404
    )
    assert VendorMember.objects.filter(pk=their_member.pk).exists()


def test_staff_log_in_and_see_their_company(client, login, vendor_owner, vendor_staff):
    response = client.post(
        reverse("accounts:login"), {"username": vendor_staff.email, "password": PASSWORD}
    )
    assert response.url == reverse("home")
    html = client.get(reverse("vendors:home")).content.decode()
    assert vendor_owner.vendor_membership.vendor.name in html
