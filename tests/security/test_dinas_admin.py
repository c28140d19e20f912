"""A Dinas PPKUKM admin (signed in with its code, the group's permissions only, not a
superuser) as an attacker who wants to learn who bid, and at what price, before the deadline,
or to give itself more power than its group: each way the security review found, tried
against the real admin."""

import io
import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from accounts import services as account_services
from accounts.admin import NEW_USER_LINK_SENT, RESET_LINK_SENT
from accounts.models import OutgoingMail, User
from audit.models import AuditAction, AuditEntry
from p3dn_portal.lib.admin_lookups import DATE_OUT_OF_RANGE, LOOKUP_REFUSED, DeclaredLookupsOnly
from procurement import services as procurement_services
from procurement.models import Bid, Officer
from procurement.rules import Status, bid_is_sealed, sealed_bids
from tests import factories
from tests.procurement.conftest import _bidder, lines_for, past_deadline
from vendors import services as vendor_services
from vendors.admin import MEMBER_IS_ADMIN, VENDOR_NOT_DELETED
from vendors.models import Invitation, MemberRole, VendorMember, VendorStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def dinas(login, admin_user):
    """The attacker: a Dinas PPKUKM admin, code step passed, the group's permissions only."""
    assert not admin_user.is_superuser
    return login(admin_user)


@pytest.fixture
def superuser_client(client):
    from tests.otp import sign_in_with_otp

    superuser = factories.UserFactory(is_staff=True, is_superuser=True)
    return sign_in_with_otp(client, superuser)


def _announced(ppk):
    package = factories.PackageFactory(opd=ppk.officer.opd, created_by=ppk, status=Status.ANNOUNCED)
    factories.PackageItemFactory(
        package=package, position=1, quantity=Decimal("1000"), hps_unit_price=Decimal("1000000")
    )
    factories.PackageItemFactory(
        package=package, position=2, quantity=Decimal("50"), hps_unit_price=Decimal("3000000")
    )
    return package


@pytest.fixture
def sealed():
    """An announced package with one sealed bid, and a package nobody bid on."""
    ppk = factories.OfficerFactory(position="ppk").user
    package = _announced(ppk)
    bidder = _bidder("71.30", "12", "1150000", "2750000")
    user, vendor, desk, cabinet = bidder
    bid = procurement_services.bid_submit(
        package=package, vendor=vendor, by=user, lines=lines_for(package, desk, cabinet)
    )
    quiet = _announced(ppk)
    idle_vendor = factories.VendorMemberFactory().vendor
    return {
        "ppk": ppk,
        "package": package,
        "bid": bid,
        "bidder": user,
        "vendor": vendor,
        "quiet": quiet,
        "idle_vendor": idle_vendor,
    }


def _changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


# 1. Who bid, through admin list filters ---------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [{"bids": "{bid}"}, {"bids__isnull": "False"}, {"bids__vendor": "{vendor}"}],
    ids=["bids", "bids__isnull", "bids__vendor"],
)
def test_the_package_list_refuses_a_filter_on_its_bids(dinas, sealed, query):
    params = {
        k: v.format(bid=sealed["bid"].pk, vendor=sealed["vendor"].pk) for k, v in query.items()
    }
    response = dinas.get(reverse("admin:procurement_package_changelist"), params)
    assert response.status_code == 400
    key = next(iter(params))
    assert response.content.decode() == LOOKUP_REFUSED.format(key=key)
    assert sealed["package"].title not in response.content.decode()


@pytest.mark.parametrize("query", [{"bids": "{bid}"}, {"bids__isnull": "False"}])
def test_the_vendor_list_refuses_a_filter_on_its_bids(dinas, sealed, query):
    params = {k: v.format(bid=sealed["bid"].pk) for k, v in query.items()}
    response = dinas.get(reverse("admin:vendors_vendor_changelist"), params)
    assert response.status_code == 400
    assert sealed["vendor"].name not in response.content.decode()


def test_every_admin_of_the_site_takes_its_declared_lookups_only():
    undeclared = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, DeclaredLookupsOnly)
    ]
    assert not undeclared


@pytest.mark.parametrize(
    "model", list(admin.site._registry), ids=lambda m: m._meta.label_lower.replace(".", "_")
)
def test_every_admin_list_refuses_a_lookup_it_does_not_declare(superuser_client, model):
    # A lookup on the model's own key: Django's admin took it (a filter on any relation's
    # existence works the same way); the portal's lists take their declared filters only.
    response = superuser_client.get(_changelist(model), {"pk__gte": "0"})
    assert response.status_code == 400, model


def test_a_list_still_takes_its_declared_filters_and_date_hierarchy(dinas, sealed):
    url = reverse("admin:procurement_package_changelist")
    response = dinas.get(url, {"status__exact": Status.ANNOUNCED, "closes_at__year": "2026"})
    assert response.status_code == 200
    assert dinas.get(url, {"opd__id__exact": sealed["package"].opd_id}).status_code == 200
    participants = reverse("admin:matching_participant_changelist")
    assert dinas.get(participants, {"event__id__exact": "1"}).status_code == 200
    # Django's own controls: a page, the sort, a search, facets, the error flag.
    controls = {"p": "1", "o": "1", "q": "meja", "_facets": "True"}
    assert dinas.get(url, controls).status_code == 200
    assert dinas.get(url, {"e": "1"}).status_code in (200, 302)


# 8. Malformed admin parameters: 400 with a message, never a server error ------------------------


@pytest.mark.parametrize("year", ["999999999999", "9999", "0", "20x6"])
@pytest.mark.parametrize(
    "url_name, field",
    [
        ("admin:audit_auditentry_changelist", "at"),
        ("admin:procurement_package_changelist", "closes_at"),
        ("admin:accounts_outgoingmail_changelist", "created_at"),
    ],
)
def test_a_date_hierarchy_year_outside_the_calendar_is_a_bad_request(
    superuser_client, url_name, field, year
):
    response = superuser_client.get(reverse(url_name), {f"{field}__year": year})
    assert response.status_code == 400
    assert response.content.decode() == str(DATE_OUT_OF_RANGE)


def test_a_date_hierarchy_month_outside_the_calendar_is_a_bad_request(dinas):
    url = reverse("admin:audit_auditentry_changelist")
    response = dinas.get(url, {"at__year": "2026", "at__month": "13"})
    assert response.status_code == 400
    assert dinas.get(url, {"at__year": "2026", "at__month": "12"}).status_code == 200


def test_the_audit_export_with_an_unknown_parameter_is_a_bad_request(dinas):
    url = reverse("admin:audit_auditentry_export")
    response = dinas.get(url, {"tidak_ada": "1"})
    assert response.status_code == 400
    assert response.content.decode() == LOOKUP_REFUSED.format(key="tidak_ada")
    assert dinas.get(url, {"action__exact": "bid_opened"}).status_code == 200


# 2. Joining the bidder: admin accounts are never vendor members or officers ---------------------


def test_the_dinas_admin_cannot_add_a_member_to_a_vendor(dinas, admin_user, sealed):
    response = dinas.post(
        reverse("admin:vendors_vendormember_add"),
        {"user": admin_user.pk, "vendor": sealed["vendor"].pk, "role": MemberRole.STAFF},
    )
    assert response.status_code == 403
    assert not VendorMember.objects.filter(user=admin_user).exists()


def test_the_member_form_refuses_an_admin_account_even_to_a_superuser(superuser_client, sealed):
    colleague = factories.AdminFactory()
    response = superuser_client.post(
        reverse("admin:vendors_vendormember_add"),
        {"user": colleague.pk, "vendor": sealed["vendor"].pk, "role": MemberRole.STAFF},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["user"] == [str(MEMBER_IS_ADMIN)]
    assert not VendorMember.objects.filter(user=colleague).exists()


def test_the_services_refuse_an_admin_account_as_a_vendor_user(sealed):
    colleague = factories.AdminFactory()
    invitation = Invitation.objects.create(
        vendor=sealed["vendor"], email=colleague.email, invited_by=sealed["bidder"]
    )
    with pytest.raises(
        ValidationError, match="Akun admin Dinas PPKUKM tidak dapat menjadi pengguna"
    ) as refused:
        vendor_services.invitation_accept(invitation=invitation, user=colleague)
    assert refused.value.messages == [str(vendor_services.ADMIN_CANNOT_JOIN)]
    with pytest.raises(
        ValidationError, match="Akun admin Dinas PPKUKM tidak dapat menjadi pengguna"
    ) as refused:
        vendor_services.member_may_join(colleague)
    assert refused.value.messages == [str(vendor_services.ADMIN_CANNOT_JOIN)]


def test_the_database_refuses_an_admin_account_as_a_vendor_member(sealed):
    colleague = factories.AdminFactory()
    with pytest.raises(IntegrityError, match="admin"), transaction.atomic():
        VendorMember.objects.create(user=colleague, vendor=sealed["vendor"], role="staff")


def test_the_database_refuses_an_admin_account_as_an_officer(sealed):
    colleague = factories.AdminFactory()
    with pytest.raises(IntegrityError, match="admin"), transaction.atomic():
        Officer.objects.create(user=colleague, opd=sealed["ppk"].officer.opd, position="ppk")


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_the_database_refuses_making_a_vendor_user_or_an_officer_an_admin(sealed, flag):
    for user in (sealed["bidder"], sealed["ppk"]):
        with pytest.raises(IntegrityError, match="admin"), transaction.atomic():
            User.objects.filter(pk=user.pk).update(**{flag: True})


def test_the_user_form_refuses_making_a_vendor_user_an_admin(superuser_client, sealed):
    bidder = sealed["bidder"]
    response = superuser_client.post(
        reverse("admin:accounts_user_change", args=[bidder.pk]),
        {
            "email": bidder.email,
            "full_name": bidder.full_name,
            "language": bidder.language,
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    bidder.refresh_from_db()
    assert not bidder.is_staff


def test_the_dinas_admin_sets_no_password_and_sends_a_reset_link_instead(dinas, admin_user, sealed):
    owner = sealed["bidder"]
    password_before = owner.password
    url = reverse("admin:auth_user_password_change", args=[owner.pk])
    page = dinas.get(url)
    assert page.status_code == 200
    assert "password1" not in page.content.decode()
    mails_before = OutgoingMail.objects.filter(to=[owner.email]).count()
    response = dinas.post(
        url, {"password1": "Diambil-alih-2026!", "password2": "Diambil-alih-2026!"}, follow=True
    )
    assert response.status_code == 200
    owner.refresh_from_db()
    assert owner.password == password_before
    assert not owner.check_password("Diambil-alih-2026!")
    messages = [str(m) for m in response.context["messages"]]
    assert RESET_LINK_SENT.format(email=owner.email) in messages
    link_mail = OutgoingMail.objects.filter(to=[owner.email]).order_by("-pk").first()
    assert OutgoingMail.objects.filter(to=[owner.email]).count() == mails_before + 1
    assert "/akun/kata-sandi/" in link_mail.body
    entry = AuditEntry.objects.get(action=AuditAction.PASSWORD_RESET_LINK_SENT)
    assert (entry.actor, entry.object_id) == (admin_user, owner.pk)


def test_a_user_made_in_the_admin_gets_no_password_from_the_admin(dinas, admin_user):
    response = dinas.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Pejabat.Baru@Contoh.id",
            "full_name": "Pejabat Baru",
            "usable_password": "true",
            "password1": "Diketahui-admin-2026",
            "password2": "Diketahui-admin-2026",
        },
        follow=True,
    )
    assert response.status_code == 200
    user = User.objects.get(email="pejabat.baru@contoh.id")
    assert not user.has_usable_password()
    assert NEW_USER_LINK_SENT.format(email=user.email) in [
        str(m) for m in response.context["messages"]
    ]
    assert OutgoingMail.objects.filter(to=[user.email]).exists()
    assert AuditEntry.objects.filter(
        action=AuditAction.PASSWORD_RESET_LINK_SENT, object_id=user.pk, actor=admin_user
    ).exists()


def test_a_deactivated_companys_user_acts_for_it_no_more(client, sealed):
    owner = sealed["bidder"]
    vendor_services.vendor_deactivate(
        vendor=sealed["vendor"], by=factories.AdminFactory(), reason="Usaha tutup"
    )
    owner = User.objects.get(pk=owner.pk)
    assert owner.vendor_member is None
    client.force_login(owner, backend="accounts.backends.EmailBackend")
    assert client.get(reverse("vendors:home")).status_code == 403
    assert client.get(reverse("vendors:register")).status_code == 403
    receipt = reverse("procurement:bid-receipt", args=[sealed["bid"].pk])
    assert client.get(receipt).status_code == 404


# 3. Making itself superuser; the group; the outbox ---------------------------------------------


def test_the_dinas_admin_cannot_make_itself_superuser(dinas, admin_user):
    groups_before = set(admin_user.groups.values_list("pk", flat=True))
    permission = Permission.objects.get(codename="delete_user")
    response = dinas.post(
        reverse("admin:accounts_user_change", args=[admin_user.pk]),
        {
            "email": "penyerang@contoh.id",
            "full_name": admin_user.full_name,
            "language": admin_user.language,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "user_permissions": [permission.pk],
            "groups": [],
        },
    )
    assert response.status_code == 302
    admin_user.refresh_from_db()
    assert not admin_user.is_superuser
    assert admin_user.email != "penyerang@contoh.id"
    assert set(admin_user.groups.values_list("pk", flat=True)) == groups_before
    assert not admin_user.user_permissions.exists()


def test_the_dinas_admin_cannot_change_another_admins_account(dinas):
    colleague = factories.AdminFactory()
    response = dinas.post(
        reverse("admin:accounts_user_change", args=[colleague.pk]),
        {"email": colleague.email, "full_name": "x", "language": "id", "is_active": ""},
    )
    assert response.status_code == 403
    colleague.refresh_from_db()
    assert colleague.is_active


def test_the_admin_group_has_exactly_the_permissions_its_work_needs():
    group = account_services.admin_group_ensure()
    granted = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }
    assert granted == set(account_services.ADMIN_GROUP_PERMISSIONS)
    # Never: deleting users, vendors or members, adding members, any bid or package write,
    # groups and permissions, the outbox.
    forbidden = {
        "accounts.delete_user",
        "vendors.delete_vendor",
        "vendors.add_vendormember",
        "vendors.change_vendormember",
        "procurement.change_bid",
        "procurement.change_package",
        "auth.change_group",
        "auth.change_permission",
        "accounts.view_outgoingmail",
    }
    assert not granted & forbidden


def test_the_outbox_is_for_superusers_only(dinas):
    response = dinas.get(reverse("admin:accounts_outgoingmail_changelist"))
    assert response.status_code == 403


def test_the_outbox_shows_no_message_about_a_sealed_bid(superuser_client, sealed):
    receipt = OutgoingMail.objects.get(bid=sealed["bid"])
    other = account_services.mail_queue(subject="Pengumuman umum", body="-", to=["x@contoh.id"])
    response = superuser_client.get(reverse("admin:accounts_outgoingmail_changelist"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Pengumuman umum" in text
    assert receipt.subject not in text
    change = reverse("admin:accounts_outgoingmail_change", args=[receipt.pk])
    assert superuser_client.get(change).status_code == 302  # "does not exist", to the list
    assert (
        superuser_client.get(
            reverse("admin:accounts_outgoingmail_change", args=[other.pk])
        ).status_code
        == 200
    )


# 4. Bids never opened stay sealed for ever --------------------------------------------------------


@pytest.fixture
def cancelled(sealed):
    package = sealed["package"]
    procurement_services.package_cancel(package=package, by=sealed["ppk"], reason="Anggaran")
    package.refresh_from_db()
    assert package.status == Status.CANCELLED
    return sealed


def test_the_bid_admin_never_shows_a_bid_that_was_never_opened(dinas, cancelled):
    bid = cancelled["bid"]
    response = dinas.get(reverse("admin:procurement_bid_changelist"))
    assert bid.receipt_hash not in response.content.decode()
    assert cancelled["vendor"].name not in response.content.decode()
    change = dinas.get(reverse("admin:procurement_bid_change", args=[bid.pk]))
    assert change.status_code == 302


def test_the_audit_log_never_shows_a_bid_that_was_never_opened(dinas, cancelled):
    bid = cancelled["bid"]
    text = dinas.get(reverse("admin:audit_auditentry_changelist")).content.decode()
    assert "Dibatalkan" in text or "dibatalkan" in text.lower()
    assert bid.receipt_hash not in text
    assert cancelled["vendor"].name not in text
    entry = AuditEntry.objects.get(action=AuditAction.BID_SUBMITTED, object_id=bid.pk)
    page = dinas.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    assert page.status_code == 302
    workbook = dinas.get(reverse("admin:audit_auditentry_export"))
    cells = [
        str(cell.value)
        for sheet in load_workbook(io.BytesIO(workbook.content)).worksheets
        for row in sheet.iter_rows()
        for cell in row
    ]
    assert not any(bid.receipt_hash in c or cancelled["vendor"].name in c for c in cells)


def test_an_admin_autocomplete_never_offers_a_bid_that_was_never_opened(dinas, cancelled):
    response = dinas.get(
        reverse("admin:autocomplete"),
        {"app_label": "procurement", "model_name": "objection", "field_name": "bid", "term": ""},
    )
    assert response.status_code == 200
    assert response.json()["results"] == []
    assert Bid.objects.filter(pk=cancelled["bid"].pk).exists()


# 6. Deleting a vendor tells nothing ---------------------------------------------------------------


def test_deleting_a_vendor_is_refused_the_same_way_whether_it_bid_or_not(dinas, sealed):
    pages = []
    for vendor in (sealed["vendor"], sealed["idle_vendor"]):
        response = dinas.get(reverse("admin:vendors_vendor_delete", args=[vendor.pk]))
        assert response.status_code == 403
        text = response.content.decode()
        assert escape(str(VENDOR_NOT_DELETED)) in text
        # The page is the same but for the link back to it (and the form token).
        text = text.replace(f"/{vendor.pk}/", "/<id>/")
        pages.append(re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", text))
    assert pages[0] == pages[1]


def test_a_vendor_is_deactivated_instead_and_the_log_says_who(dinas, admin_user, sealed):
    vendor = sealed["vendor"]
    response = dinas.post(
        reverse("admin:vendors_vendor_changelist"),
        {"action": "deactivate_selected", "_selected_action": [vendor.pk]},
    )
    assert response.status_code == 302
    vendor.refresh_from_db()
    assert vendor.status == VendorStatus.INACTIVE
    assert AuditEntry.objects.filter(
        action=AuditAction.VENDOR_DEACTIVATED, object_id=vendor.pk, actor=admin_user
    ).exists()


def test_the_sealed_bids_filter_agrees_with_the_rule(cancelled):
    ppk = cancelled["ppk"]
    opened = _announced(ppk)
    user, vendor, desk, cabinet = _bidder("40.00", "5", "1100000", "2900000")
    procurement_services.bid_submit(
        package=opened, vendor=vendor, by=user, lines=lines_for(opened, desk, cabinet)
    )
    past_deadline(opened)
    procurement_services.packages_close_due()
    bids = list(Bid.objects.select_related("package"))
    assert len(bids) == 2
    by_rule = {
        bid.pk
        for bid in bids
        if bid_is_sealed(package_status=bid.package.status, opened=bid.opened_at is not None)
    }
    assert set(Bid.objects.filter(sealed_bids()).values_list("pk", flat=True)) == by_rule
    assert by_rule == {cancelled["bid"].pk}


def test_the_dinas_admin_sees_every_inline_of_the_pages_it_opens(admin_user):
    from django.test import RequestFactory

    from matching.admin import NeedInline

    request = RequestFactory().get("/admin/")
    request.user = admin_user
    hidden = []
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_permission(request):
            continue
        inlines = [
            *model_admin.inlines,
            *([NeedInline] if model._meta.model_name == "participant" else []),
        ]
        for inline_class in inlines:
            inline = inline_class(model, admin.site)
            if not inline.has_view_permission(request):
                hidden.append(f"{model._meta.label}: {inline_class.__name__}")
    assert not hidden


def test_a_membership_of_a_role_the_portal_does_not_know_acts_for_no_company(client, sealed):
    owner = sealed["bidder"]
    VendorMember.objects.filter(user=owner).update(role="admin")
    owner = User.objects.get(pk=owner.pk)
    assert owner.vendor_member is None and owner.role is None
    client.force_login(owner, backend="accounts.backends.EmailBackend")
    assert client.get(reverse("vendors:home")).status_code == 403
    assert (
        client.get(reverse("procurement:bid-receipt", args=[sealed["bid"].pk])).status_code == 404
    )
