"""Fragments kept in the cache although they hold forms (the navigation bar): each visitor
gets its own CSRF token, and what the bar shows of the user follows the user."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Notification
from p3dn_portal.lib.fragments import CSRF_PLACEHOLDER

pytestmark = pytest.mark.django_db

PAGE = reverse("procurement:public-packages")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _logged_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_a_cached_navigation_bar_carries_each_visitors_own_token(vendor_owner, outsider_vendor):
    first, second = _logged_in(vendor_owner), _logged_in(outsider_vendor)
    for client in (first, second, first, second):  # the later two come from the cache
        html = client.get(PAGE).content.decode()
        assert CSRF_PLACEHOLDER not in html
        token = TOKEN.search(html).group(1)
        response = client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token})
        assert response.status_code == 302  # not 403: the token is this visitor's
        client.force_login(vendor_owner if client is first else outsider_vendor)


def test_the_bar_shows_the_page_the_user_is_on(vendor_owner, login):
    client = login(vendor_owner)
    bids = reverse("procurement:my-bids")
    for url in (bids, PAGE, bids):
        html = client.get(url).content.decode()
        assert re.search(rf'class="nav-link active" aria-current="page" href="{url}"', html)


def test_the_bar_follows_the_users_name_and_unread_count(vendor_owner, login):
    client = login(vendor_owner)
    client.get(PAGE)
    vendor_owner.full_name = "Siti Rahmawati Baru"
    vendor_owner.save(update_fields=["full_name"])
    Notification.objects.create(user=vendor_owner, message="Uji")
    html = client.get(PAGE).content.decode()
    assert vendor_owner.get_short_name() in html
    assert 'badge text-bg-warning">1<' in html
