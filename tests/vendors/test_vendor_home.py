import pytest
from django.urls import reverse

from tests.factories import VendorFactory, VendorMemberFactory
from vendors.models import MemberRole, VendorStatus

pytestmark = pytest.mark.django_db

HOME = reverse("vendors:home")


def test_it_shows_the_company_and_its_status(login, vendor_owner):
    vendor = vendor_owner.vendor_membership.vendor
    html = login(vendor_owner).get(HOME).content.decode()
    assert vendor.name in html
    assert "Terverifikasi" in html


def test_it_tells_a_pending_vendor_what_happens_next(login):
    member = VendorMemberFactory(
        vendor=VendorFactory(status=VendorStatus.PENDING, verified_at=None)
    )
    html = login(member.user).get(HOME).content.decode()
    assert "Menunggu verifikasi" in html
    assert "belum dapat mengajukan penawaran" in html


def test_it_lists_only_the_users_own_company_members(
    login, vendor_owner, vendor_staff, outsider_vendor
):
    html = login(vendor_owner).get(HOME).content.decode()
    assert vendor_staff.email in html
    assert outsider_vendor.email not in html
    assert outsider_vendor.vendor_membership.vendor.name not in html


def test_staff_see_the_same_company(login, vendor_owner, vendor_staff):
    html = login(vendor_staff).get(HOME).content.decode()
    assert vendor_owner.vendor_membership.vendor.name in html


@pytest.mark.parametrize("members", [1, 12])
def test_its_query_count_does_not_grow_with_members(
    login, vendor_owner, django_assert_num_queries, members
):
    vendor = vendor_owner.vendor_membership.vendor
    VendorMemberFactory.create_batch(members, vendor=vendor, role=MemberRole.STAFF)
    client = login(vendor_owner)
    # 1 user with vendor and OPD joined, 2 members with their users, 3 product counts,
    # 4-5 TKDN and halal certificates needing attention, 6-7 certificate counts by status,
    # 8 its blacklistings in force (the navbar's unread count comes with 1)
    with django_assert_num_queries(8):
        assert client.get(HOME).status_code == 200
