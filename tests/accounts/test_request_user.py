"""The user of every request, loaded with its memberships in one query written once per
process (accounts.backends): the same objects as the ORM's select_related gives, read
afresh on every request, so a role removed, a company deactivated or an account switched
off shows on the next page; the cached navigation bar follows them, and its key holds the
language and the version of its template and code."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.backends import EMAIL_BACKEND, JOINED, EmailBackend
from accounts.models import Notification, User
from p3dn_portal.lib import fragments as p3dn
from tests import factories

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")
PACKAGES = reverse("procurement:public-packages")


def _orm(user_id: int) -> User:
    return User.objects.select_related(*JOINED).get(pk=user_id)


def _values(instance) -> list:
    return [getattr(instance, field.attname) for field in instance._meta.concrete_fields]


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user, backend=EMAIL_BACKEND)
    return client


@pytest.mark.parametrize("kind", ["vendor_owner", "officer", "admin_user", "nobody"])
def test_the_user_and_memberships_are_what_the_orm_loads(request, kind, django_assert_num_queries):
    user = factories.UserFactory() if kind == "nobody" else request.getfixturevalue(kind)
    expected = _orm(user.pk)
    with django_assert_num_queries(1):
        loaded = EmailBackend().get_user(user.pk)
        # Everything the role checks and the pages read of it comes with it.
        role, member, officer = loaded.role, loaded.vendor_member, loaded.opd_officer
        if member is not None:
            assert _values(member.vendor) == _values(expected.vendor_member.vendor)
            assert member.user is loaded
        if officer is not None:
            assert _values(officer.opd) == _values(expected.opd_officer.opd)
            assert officer.user is loaded
    assert _values(loaded) == _values(expected)
    assert loaded._state.adding is False and loaded._state.db == "default"
    assert role == expected.role
    assert (member is None) == (expected.vendor_member is None)
    assert (officer is None) == (expected.opd_officer is None)
    if member is not None:
        assert _values(member) == _values(expected.vendor_member)


def test_an_unknown_or_malformed_id_is_nobody():
    assert EmailBackend().get_user(10**9) is None
    assert EmailBackend().get_user("bukan-angka") is None


def test_a_removed_membership_shows_on_the_next_request(vendor_owner):
    client = _logged_in(vendor_owner)
    assert "Pemilik" in client.get(PROFILE).content.decode()
    assert reverse("vendors:products") in client.get(PACKAGES).content.decode()
    vendor_owner.vendor_membership.delete()
    html = client.get(PROFILE).content.decode()
    assert "Belum terhubung dengan usaha." in html
    assert reverse("vendors:products") not in client.get(PACKAGES).content.decode()
    assert client.get(reverse("vendors:products")).status_code in (302, 403)


def test_a_deactivated_company_takes_its_users_role_on_the_next_request(vendor_owner):
    client = _logged_in(vendor_owner)
    assert reverse("vendors:products") in client.get(PACKAGES).content.decode()
    vendor = vendor_owner.vendor_membership.vendor
    type(vendor).objects.filter(pk=vendor.pk).update(status="inactive")  # no save(), no signal
    assert reverse("vendors:products") not in client.get(PACKAGES).content.decode()


def test_a_new_officer_post_shows_on_the_next_request():
    user = factories.UserFactory()
    client = _logged_in(user)
    home = f'href="{reverse("procurement:home")}"'
    assert home not in client.get(PACKAGES).content.decode()
    factories.OfficerFactory(user=user)
    assert home in client.get(PACKAGES).content.decode()


def test_a_deactivated_account_is_logged_out_on_the_next_request(vendor_owner):
    client = _logged_in(vendor_owner)
    assert client.get(PROFILE).status_code == 200
    User.objects.filter(pk=vendor_owner.pk).update(is_active=False)
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_unread_count_follows_notifications_on_every_request(vendor_owner):
    client = _logged_in(vendor_owner)
    assert "belum dibaca" not in client.get(PROFILE).content.decode()
    Notification.objects.create(user=vendor_owner, message="Satu")
    Notification.objects.create(user=vendor_owner, message="Dua")
    assert 'badge text-bg-warning">2<' in client.get(PROFILE).content.decode()
    Notification.objects.filter(user=vendor_owner).update(read_at=timezone.now())
    assert "belum dibaca" not in client.get(PROFILE).content.decode()
    # The page that marks them read shows none unread itself.
    Notification.objects.create(user=vendor_owner, message="Tiga")
    html = client.get(reverse("accounts:notifications")).content.decode()
    assert "belum dibaca" not in html


def test_the_bar_is_kept_per_language(vendor_owner, settings):
    client = _logged_in(vendor_owner)
    assert "Keluar" in client.get(PROFILE).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(PROFILE).content.decode()
    assert ">Log out<" in html
    assert ">Keluar<" not in html


def test_the_bar_is_rendered_anew_when_its_template_or_code_changes(
    vendor_owner, monkeypatch, tmp_path
):
    client = _logged_in(vendor_owner)
    client.get(PROFILE)
    before = p3dn.navbar_version()
    kept = set(p3dn.navbars_kept)
    changed = tmp_path / "navbar.html"
    changed.write_text(p3dn.NAVBAR_SOURCES[0].read_text() + "<!-- versi baru -->")
    monkeypatch.setattr(p3dn, "NAVBAR_SOURCES", (changed, *p3dn.NAVBAR_SOURCES[1:]))
    p3dn.navbar_version.cache_clear()
    try:
        assert p3dn.navbar_version() != before
        client.get(PROFILE)
        assert set(p3dn.navbars_kept) - kept  # a new key: not the bar of the code before
    finally:
        p3dn.navbar_version.cache_clear()


def _refused(*args, **kwargs):
    raise AssertionError("not asked")


def test_the_bar_is_kept_in_the_process_and_in_the_cache(vendor_owner, monkeypatch):
    client = _logged_in(vendor_owner)
    first = client.get(PROFILE).content.decode()
    with monkeypatch.context() as patched:
        patched.setattr(p3dn, "cached", _refused)  # the process has it
        assert client.get(PROFILE).content.decode().count("nav-link") == first.count("nav-link")
    p3dn.navbars_kept.clear()  # as another worker: the cache server has it
    with monkeypatch.context() as patched:
        patched.setattr(p3dn, "render_to_keep", _refused)
        assert client.get(PROFILE).content.decode().count("nav-link") == first.count("nav-link")
    assert len(p3dn.navbars_kept) == 1


def test_the_process_keeps_a_bounded_number_of_bars(vendor_owner):
    for number in range(p3dn.NAVBAR_KEPT):
        p3dn.navbars_kept[f"lama-{number}"] = ""
    _logged_in(vendor_owner).get(PROFILE)
    assert len(p3dn.navbars_kept) == p3dn.NAVBAR_KEPT
    assert "lama-0" not in p3dn.navbars_kept


def test_a_simple_page_costs_one_query(vendor_owner, django_assert_num_queries):
    """The profile page (the bench's ceiling): the user with its memberships and unread
    count; the session from the cache, the navbar from the process."""
    client = _logged_in(vendor_owner)
    client.get(PROFILE)
    with django_assert_num_queries(1):
        assert client.get(PROFILE).status_code == 200
