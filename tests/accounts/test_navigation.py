import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from p3dn_portal.navigation import navigation_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _urls(user) -> list[str]:
    return [item.url for item in navigation_for(user)]


DIRECTORY = reverse("vendors:directory")
PACKAGES = reverse("procurement:public-packages")
MATCHING = reverse("matching:events")


def test_it_shows_vendors_their_company_products_certificates_bids_and_packages(vendor_owner):
    assert _urls(vendor_owner) == [
        reverse("vendors:home"),
        reverse("vendors:products"),
        reverse("vendors:certificates"),
        reverse("procurement:my-bids"),
        PACKAGES,
        MATCHING,
    ]


def test_it_shows_officers_their_opd_its_packages_and_the_directory(officer):
    assert _urls(officer) == [
        reverse("procurement:home"),
        reverse("procurement:officer-packages"),
        reverse("dashboards:home"),
        MATCHING,
        DIRECTORY,
    ]


def test_it_shows_admins_django_admin(admin_user):
    assert _urls(admin_user) == [
        reverse("dashboards:home"),
        reverse("admin:index"),
        MATCHING,
        PACKAGES,
        DIRECTORY,
    ]


def test_it_shows_anonymous_users_the_programme_packages_directory_open_data_and_sign_up():
    assert _urls(AnonymousUser()) == [
        reverse("landing"),
        PACKAGES,
        DIRECTORY,
        reverse("opendata:index"),
        reverse("accounts:signup"),
    ]


def test_it_shows_a_user_without_a_role_the_company_registration():
    assert _urls(UserFactory()) == [reverse("vendors:register"), PACKAGES, DIRECTORY]


@pytest.mark.parametrize(
    ("cast", "shown", "hidden"),
    [
        ("vendor_owner", "Beranda usaha", "Beranda OPD"),
        ("officer", "Beranda OPD", "Beranda usaha"),
        ("admin_user", "Admin Dinas PPKUKM", "Beranda usaha"),
    ],
)
def test_it_renders_the_role_navigation_in_the_page(request, login, cast, shown, hidden):
    client = login(request.getfixturevalue(cast))
    html = client.get(reverse("accounts:profile")).content.decode()
    assert shown in html
    assert hidden not in html


def test_an_admin_goes_from_django_admin_to_the_portal_and_back(login, admin_user):
    """The admin's "Ke portal" lands on the programme dashboard (not back on /admin/), whose
    menu leads to Django admin."""
    client = login(admin_user)
    admin_page = client.get(reverse("admin:index")).content.decode()
    assert f'<a href="{reverse("home")}">Ke portal</a>' in admin_page
    portal = client.get(reverse("home"), follow=True)
    assert portal.redirect_chain == [(reverse("dashboards:home"), 302)]
    assert f'href="{reverse("admin:index")}"' in portal.content.decode()
