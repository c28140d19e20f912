"""The blacklist (daftar hitam): the listing period and its edges, the services (audited, the
vendor told by mail and in the portal), the Dinas admin's pages and the lift action, the
directory's mark and the vendor's own notice."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Notification
from audit.models import AuditAction, AuditEntry
from tests.factories import (
    AdminFactory,
    OfficerFactory,
    ProductFactory,
    TKDNCertificateFactory,
    UserFactory,
    VendorFactory,
    VendorMemberFactory,
)
from vendors import directory, rules, services
from vendors.models import Blacklisting

D0 = date(2026, 3, 2)
REASON = "Wanprestasi: barang tidak dikirim sesuai kontrak KTR/027/DISDIK/2026."
REFERENCE = "KEP-123/DH/2026"


def _today() -> date:
    return timezone.localdate()


def _listing(vendor, admin, *, starts_on=None, ends_on=None, **fields) -> Blacklisting:
    return services.blacklisting_create(
        vendor=vendor,
        by=admin,
        reason=fields.get("reason", REASON),
        decision_reference=fields.get("decision_reference", REFERENCE),
        starts_on=starts_on or _today(),
        ends_on=ends_on,
    )


@pytest.fixture
def dinas(db):
    return AdminFactory()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what a write queues for its commit (the mail), as the commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def listed_vendor(vendor_owner):
    return vendor_owner.vendor_membership.vendor


# The period: first day, last day, lifted -------------------------------------------------


@pytest.mark.parametrize(
    ("day", "listed"),
    [
        (D0 - timedelta(days=1), False),  # the day before it starts
        (D0, True),  # its first day
        (D0 + timedelta(days=29), True),  # its last day
        (D0 + timedelta(days=30), False),  # the day after
    ],
)
def test_a_listing_holds_from_its_first_to_its_last_day_both_included(day, listed):
    last = D0 + timedelta(days=29)
    assert rules.listed_on(starts_on=D0, ends_on=last, lifted_on=None, day=day) is listed


def test_a_lifted_listing_holds_until_the_day_before_the_lift():
    lifted = D0 + timedelta(days=10)
    common = {"starts_on": D0, "ends_on": D0 + timedelta(days=29), "lifted_on": lifted}
    assert rules.listed_on(day=lifted - timedelta(days=1), **common)
    assert not rules.listed_on(day=lifted, **common)


def test_an_indefinite_listing_holds_until_lifted():
    assert rules.listed_on(starts_on=D0, ends_on=None, lifted_on=None, day=date(2040, 1, 1))
    assert rules.lifted_early(ends_on=None, lifted_on=date(2040, 1, 1))
    assert not rules.lifted_early(ends_on=D0, lifted_on=None)


def test_the_query_and_the_rule_agree_at_every_edge(listed_vendor, dinas):
    ends = D0 + timedelta(days=29)
    with_end = _listing(listed_vendor, dinas, starts_on=D0, ends_on=ends)
    other = VendorFactory()
    lifted = _listing(other, dinas, starts_on=D0, ends_on=None)
    Blacklisting.objects.filter(pk=lifted.pk).update(
        lifted_on=D0 + timedelta(days=5), lift_reason="Putusan banding.", lifted_by=dinas
    )
    lifted.refresh_from_db()
    for offset in (-1, 0, 4, 5, 29, 30):
        day = D0 + timedelta(days=offset)
        found = set(Blacklisting.objects.listed_on(day).values_list("pk", flat=True))
        expected = {b.pk for b in (with_end, lifted) if b.is_listed_on(day)}
        assert found == expected, day
    assert listed_vendor.is_blacklisted_on(ends)
    assert not listed_vendor.is_blacklisted_on(ends + timedelta(days=1))
    assert listed_vendor.blacklisting_on(D0) == with_end
    assert other.blacklisting_on(D0 + timedelta(days=5)) is None


# The database holds the invariants --------------------------------------------------------


def test_the_database_refuses_an_end_before_the_start_and_an_early_lift_without_reason(
    listed_vendor, dinas
):
    with pytest.raises(IntegrityError, match="blacklisting_ends_after_start"), transaction.atomic():
        Blacklisting.objects.create(
            vendor=listed_vendor,
            reason=REASON,
            decision_reference=REFERENCE,
            starts_on=D0,
            ends_on=D0,
            decided_by=dinas,
        )
    with (
        pytest.raises(IntegrityError, match="blacklisting_early_lift_has_reason"),
        transaction.atomic(),
    ):
        Blacklisting.objects.create(
            vendor=listed_vendor,
            reason=REASON,
            decision_reference=REFERENCE,
            starts_on=D0,
            ends_on=D0 + timedelta(days=30),
            decided_by=dinas,
            lifted_on=D0 + timedelta(days=3),
            lifted_by=dinas,
        )


# Services -----------------------------------------------------------------------------------


def test_listing_a_vendor_is_audited_and_its_users_are_told_why_and_until_when(
    listed_vendor, vendor_owner, dinas, committed
):
    ends = _today() + timedelta(days=365)
    with committed():
        listing = _listing(listed_vendor, dinas, ends_on=ends)
    entry = AuditEntry.objects.get(action=AuditAction.VENDOR_BLACKLISTED)
    assert (entry.actor, entry.object_id, entry.object_type) == (
        dinas,
        listing.pk,
        "vendors.blacklisting",
    )
    assert entry.changes["decision_reference"] == [None, REFERENCE]
    assert entry.changes["ends_on"] == [None, ends.isoformat()]
    assert listing.decided_by == dinas
    assert listing.history.get().history_change_reason == f"Dicatat: {REFERENCE}"
    (message,) = mail.outbox
    assert message.to == [vendor_owner.email]
    assert listed_vendor.name in message.subject and "daftar hitam" in message.subject
    assert REASON in message.body and REFERENCE in message.body
    assert listing.period_display() in message.body
    assert Notification.objects.get(user=vendor_owner).kind == "vendors/blacklisted"


def test_the_vendors_mail_is_in_its_users_language(listed_vendor, vendor_owner, dinas, committed):
    vendor_owner.language = "en"
    vendor_owner.save()
    with committed():
        _listing(listed_vendor, dinas, ends_on=_today() + timedelta(days=30))
    (message,) = mail.outbox
    assert "blacklist" in message.subject.lower()
    assert "Dinas PPKUKM" in message.body and "Alasan" not in message.body


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"reason": "  "}, "reason", services.BLACKLIST_REASON_REQUIRED),
        ({"decision_reference": ""}, "decision_reference", services.BLACKLIST_REFERENCE_REQUIRED),
        ({"ends_on": D0}, "ends_on", services.BLACKLIST_ENDS_BEFORE_START),
        ({"ends_on": D0 - timedelta(days=1)}, "ends_on", services.BLACKLIST_ENDS_BEFORE_START),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(
    listed_vendor, dinas, fields, field, message
):
    data = {
        "reason": REASON,
        "decision_reference": REFERENCE,
        "starts_on": D0,
        "ends_on": None,
        **fields,
    }
    with pytest.raises(ValidationError, match=r"Tulis|Tanggal") as error:
        services.blacklisting_create(vendor=listed_vendor, by=dinas, **data)
    assert error.value.message_dict[field] == [str(message)]
    assert not Blacklisting.objects.exists()
    assert not AuditEntry.objects.exists()
    assert mail.outbox == []


def test_two_decisions_over_the_same_days_are_refused(listed_vendor, dinas):
    first = _listing(listed_vendor, dinas, starts_on=D0, ends_on=D0 + timedelta(days=30))
    with pytest.raises(ValidationError, match="sudah masuk daftar hitam pada sebagian masa itu"):
        _listing(listed_vendor, dinas, starts_on=D0 + timedelta(days=30), decision_reference="X")
    # The next day is free.
    _listing(
        listed_vendor,
        dinas,
        starts_on=D0 + timedelta(days=31),
        ends_on=D0 + timedelta(days=60),
        decision_reference="KEP-2",
    )
    assert listed_vendor.blacklistings.count() == 2
    assert first.pk


def test_a_correction_is_audited_and_told_and_a_lifted_decision_stays_as_it_was(
    listed_vendor, dinas, committed
):
    listing = _listing(listed_vendor, dinas, ends_on=_today() + timedelta(days=30))
    later = _today() + timedelta(days=90)
    with committed():
        services.blacklisting_update(blacklisting=listing, by=dinas, ends_on=later)
    entry = AuditEntry.objects.get(action=AuditAction.BLACKLISTING_CHANGED)
    assert entry.changes == {
        "ends_on": [(_today() + timedelta(days=30)).isoformat(), later.isoformat()]
    }
    assert len(mail.outbox) == 1 and "diubah" in mail.outbox[0].subject
    services.blacklisting_lift(blacklisting=listing, by=dinas, reason="Putusan banding.")
    with pytest.raises(ValidationError, match="tidak dapat diubah") as error:
        services.blacklisting_update(blacklisting=listing, by=dinas, reason="Lain.")
    assert error.value.messages == [str(services.BLACKLIST_LIFTED_LOCKED)]


def test_lifting_early_needs_a_reason_and_is_audited_and_told(listed_vendor, dinas, committed):
    listing = _listing(listed_vendor, dinas, starts_on=_today() - timedelta(days=3), ends_on=None)
    mail.outbox.clear()
    with pytest.raises(ValidationError, match="alasan pencabutan") as error:
        services.blacklisting_lift(blacklisting=listing, by=dinas, reason=" ")
    assert error.value.message_dict == {
        "lift_reason": [str(services.BLACKLIST_LIFT_REASON_REQUIRED)]
    }
    with pytest.raises(ValidationError, match="masa depan") as error:
        services.blacklisting_lift(
            blacklisting=listing, by=dinas, reason="x", on=_today() + timedelta(days=1)
        )
    assert error.value.message_dict == {"lifted_on": [str(services.BLACKLIST_LIFT_IN_FUTURE)]}
    listing.refresh_from_db()
    assert listing.lifted_on is None and mail.outbox == []
    with committed():
        services.blacklisting_lift(blacklisting=listing, by=dinas, reason="Putusan banding PTUN.")
    listing.refresh_from_db()
    assert (listing.lifted_on, listing.lifted_by, listing.lift_reason) == (
        _today(),
        dinas,
        "Putusan banding PTUN.",
    )
    assert not listed_vendor.is_blacklisted_on(_today())
    assert listed_vendor.is_blacklisted_on(_today() - timedelta(days=1))
    entry = AuditEntry.objects.get(action=AuditAction.BLACKLISTING_LIFTED)
    assert entry.note == "Putusan banding PTUN."
    assert entry.changes["lifted_on"] == [None, _today().isoformat()]
    (message,) = mail.outbox
    assert "dicabut" in message.subject and "Putusan banding PTUN." in message.body
    with pytest.raises(ValidationError, match="sudah dicabut"):
        services.blacklisting_lift(blacklisting=listing, by=dinas, reason="lagi")


def test_an_ended_listing_is_not_lifted(listed_vendor, dinas):
    listing = _listing(
        listed_vendor,
        dinas,
        starts_on=_today() - timedelta(days=30),
        ends_on=_today() - timedelta(days=1),
    )
    with pytest.raises(ValidationError, match="sudah berakhir"):
        services.blacklisting_lift(blacklisting=listing, by=dinas, reason="x")


# The directory and the vendor's own page ------------------------------------------------------


def _certified_product(vendor):
    product = ProductFactory(vendor=vendor, name="Meja belajar jati")
    TKDNCertificateFactory(vendor=vendor, products=[product])
    return product


def test_the_directory_marks_a_blacklisted_vendor_with_its_period(client, listed_vendor, dinas):
    _certified_product(listed_vendor)
    clean = VendorFactory(name="CV Bersih Sentosa")
    _certified_product(clean)
    listing = _listing(listed_vendor, dinas, ends_on=_today() + timedelta(days=30))
    directory.listing_current(on=_today())
    html = client.get(reverse("vendors:directory")).content.decode()
    assert html.count("blacklist-badge") == 1
    assert f"Daftar hitam: {listing.period_display()}" in html
    page = client.get(reverse("vendors:directory-vendor", args=[listed_vendor.pk]))
    assert f"Daftar hitam: {listing.period_display()}" in page.content.decode()
    assert REFERENCE in page.content.decode()
    other = client.get(reverse("vendors:directory-vendor", args=[clean.pk])).content.decode()
    assert "blacklist-badge" not in other


def test_the_directory_drops_the_mark_once_lifted(client, listed_vendor, dinas):
    _certified_product(listed_vendor)
    listing = _listing(listed_vendor, dinas, starts_on=_today() - timedelta(days=2), ends_on=None)
    directory.listing_current(on=_today())
    assert "blacklist-badge" in client.get(reverse("vendors:directory")).content.decode()
    services.blacklisting_lift(blacklisting=listing, by=dinas, reason="Dicabut PA.")
    # The lift moved the data versions on: the cached list is computed again.
    assert "blacklist-badge" not in client.get(reverse("vendors:directory")).content.decode()


def test_the_directory_badge_in_english(client, listed_vendor, dinas):
    _certified_product(listed_vendor)
    listing = _listing(listed_vendor, dinas, ends_on=_today() + timedelta(days=30))
    directory.listing_current(on=_today())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("vendors:directory")).content.decode()
    with translation.override("en"):
        period = listing.period_display()
    assert f"Blacklisted: {period}" in html


def test_the_vendor_sees_its_listing_with_reason_and_period(
    login, vendor_owner, vendor_staff, listed_vendor, dinas
):
    listing = _listing(listed_vendor, dinas, ends_on=_today() + timedelta(days=30))
    for user in (vendor_owner, vendor_staff):
        html = login(user).get(reverse("vendors:home")).content.decode()
        assert "blacklist-notice" in html
        assert listing.period_display() in html and REFERENCE in html and REASON in html
        assert "tetapi sedang masuk daftar hitam" in html
        assert "Anda dapat mengajukan penawaran" not in html
    other = VendorMemberFactory().user
    assert "blacklist-notice" not in login(other).get(reverse("vendors:home")).content.decode()


def test_a_lifted_or_ended_listing_is_no_longer_on_the_vendors_page(
    login, vendor_owner, listed_vendor, dinas
):
    _listing(
        listed_vendor,
        dinas,
        starts_on=_today() - timedelta(days=30),
        ends_on=_today() - timedelta(days=1),
    )
    html = login(vendor_owner).get(reverse("vendors:home")).content.decode()
    assert "blacklist-notice" not in html


# The Dinas admin's pages ----------------------------------------------------------------------


CHANGELIST = "admin:vendors_blacklisting_changelist"


@pytest.fixture
def admin_client(login, dinas):
    return login(dinas)


def test_the_list_filters_by_state_and_searches_by_name_nib_and_reference(
    admin_client, listed_vendor, dinas
):
    today = _today()
    listed_vendor.name = "PT Sinar Mebel Cakung"
    listed_vendor.save()
    now = _listing(listed_vendor, dinas, ends_on=today + timedelta(days=30))
    soon = _listing(
        VendorFactory(), dinas, starts_on=today + timedelta(days=5), decision_reference="KEP-9"
    )
    ended = _listing(
        VendorFactory(),
        dinas,
        starts_on=today - timedelta(days=30),
        ends_on=today - timedelta(days=1),
        decision_reference="KEP-8",
    )
    lifted = _listing(
        VendorFactory(), dinas, starts_on=today - timedelta(days=3), decision_reference="KEP-7"
    )
    services.blacklisting_lift(blacklisting=lifted, by=dinas, reason="Banding diterima.")
    url = reverse(CHANGELIST)

    def shown(params):
        response = admin_client.get(url, params)
        assert response.status_code == 200
        return {b.pk for b in response.context["cl"].result_list}

    assert shown({"keadaan": "berlaku"}) == {now.pk}
    assert shown({"keadaan": "akan"}) == {soon.pk}
    assert shown({"keadaan": "berakhir"}) == {ended.pk}
    assert shown({"keadaan": "dicabut"}) == {lifted.pk}
    assert shown({"q": listed_vendor.name}) == {now.pk}
    assert shown({"q": listed_vendor.nib}) == {now.pk}
    assert shown({"q": "KEP-9"}) == {soon.pk}


def test_the_admin_records_a_decision_through_the_service(
    admin_client, listed_vendor, dinas, committed
):
    with committed():
        response = admin_client.post(
            reverse("admin:vendors_blacklisting_add"),
            {
                "vendor": listed_vendor.pk,
                "decision_reference": REFERENCE,
                "reason": REASON,
                "starts_on": _today().isoformat(),
                "ends_on": (_today() + timedelta(days=60)).isoformat(),
            },
        )
    assert response.status_code == 302
    listing = Blacklisting.objects.get()
    assert (listing.vendor, listing.decided_by) == (listed_vendor, dinas)
    assert AuditEntry.objects.filter(action=AuditAction.VENDOR_BLACKLISTED).count() == 1
    assert len(mail.outbox) == 1
    # A correction through the change form is audited too.
    response = admin_client.post(
        reverse("admin:vendors_blacklisting_change", args=[listing.pk]),
        {
            "decision_reference": REFERENCE,
            "reason": "Alasan yang diperbaiki.",
            "starts_on": _today().isoformat(),
            "ends_on": (_today() + timedelta(days=60)).isoformat(),
        },
    )
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.reason == "Alasan yang diperbaiki."
    assert AuditEntry.objects.get(action=AuditAction.BLACKLISTING_CHANGED).changes == {
        "reason": [REASON, "Alasan yang diperbaiki."]
    }


def test_the_admin_form_says_what_is_wrong_and_saves_nothing(admin_client, listed_vendor):
    response = admin_client.post(
        reverse("admin:vendors_blacklisting_add"),
        {
            "vendor": listed_vendor.pk,
            "decision_reference": REFERENCE,
            "reason": REASON,
            "starts_on": "2026-03-02",
            "ends_on": "2026-03-01",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["ends_on"] == [
        str(services.BLACKLIST_ENDS_BEFORE_START)
    ]
    assert not Blacklisting.objects.exists() and mail.outbox == []


def test_a_decision_is_never_deleted(admin_client, listed_vendor, dinas):
    listing = _listing(listed_vendor, dinas)
    response = admin_client.get(reverse("admin:vendors_blacklisting_delete", args=[listing.pk]))
    assert response.status_code == 403
    response = admin_client.post(
        reverse(CHANGELIST), {"action": "delete_selected", "_selected_action": [listing.pk]}
    )
    assert Blacklisting.objects.filter(pk=listing.pk).exists()


def test_the_lift_action_asks_for_the_day_and_the_reason_first(
    admin_client, listed_vendor, dinas, committed
):
    listing = _listing(listed_vendor, dinas, starts_on=_today() - timedelta(days=1))
    mail.outbox.clear()
    url = reverse(CHANGELIST)
    selection = {"action": "lift_selected", "_selected_action": [listing.pk]}
    page = admin_client.post(url, selection)
    assert page.status_code == 200
    assert "admin/vendors/blacklisting/lift.html" in [t.name for t in page.templates]
    assert REFERENCE in page.content.decode()
    listing.refresh_from_db()
    assert listing.lifted_on is None
    # Lifted early without a reason: the page again, with what to write.
    again = admin_client.post(
        url, {**selection, "apply": "1", "lifted_on": _today().isoformat(), "reason": ""}
    )
    assert again.status_code == 200
    assert str(services.BLACKLIST_LIFT_REASON_REQUIRED) in again.content.decode()
    listing.refresh_from_db()
    assert listing.lifted_on is None and mail.outbox == []
    with committed():
        done = admin_client.post(
            url,
            {**selection, "apply": "1", "lifted_on": _today().isoformat(), "reason": "Banding."},
        )
    assert done.status_code == 302
    listing.refresh_from_db()
    assert (listing.lifted_on, listing.lift_reason, listing.lifted_by) == (
        _today(),
        "Banding.",
        dinas,
    )
    assert len(mail.outbox) == 1
    # A lifted decision is read only.
    change = admin_client.get(reverse("admin:vendors_blacklisting_change", args=[listing.pk]))
    assert change.status_code == 200 and not change.context["has_change_permission"]


@pytest.mark.parametrize("who", ["officer", "vendor", "staff_without_group"])
def test_only_dinas_admins_open_the_blacklist(login, listed_vendor, dinas, who):
    listing = _listing(listed_vendor, dinas)
    if who == "officer":
        user = OfficerFactory().user
    elif who == "vendor":
        user = VendorMemberFactory().user
    else:
        user = UserFactory(is_staff=True)
    client = login(user)
    for url in (
        reverse(CHANGELIST),
        reverse("admin:vendors_blacklisting_add"),
        reverse("admin:vendors_blacklisting_change", args=[listing.pk]),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:  # to the admin's sign-in
            assert "admin" not in response.url.split("?")[0] or "login" in response.url
    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "lift_selected",
            "_selected_action": [listing.pk],
            "apply": "1",
            "lifted_on": _today().isoformat(),
            "reason": "x",
        },
    )
    listing.refresh_from_db()
    assert listing.lifted_on is None
