"""The notifications page, and the unread count the navbar badge shows."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.context_processors import unread_notifications
from accounts.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOTIFICATIONS = reverse("accounts:notifications")


def _notify(user, message: str, *, minutes_ago: int = 0, read: bool = False, link: str = ""):
    now = timezone.now()
    return Notification.objects.create(
        user=user,
        message=message,
        link=link,
        created_at=now - timedelta(minutes=minutes_ago),
        read_at=now if read else None,
    )


def _shown(response) -> list[str]:
    return [n.message for n in response.context["page_obj"]]


def test_it_needs_a_login(client):
    response = client.get(NOTIFICATIONS)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_it_lists_the_users_own_notifications_newest_first(login, vendor_owner, officer):
    _notify(vendor_owner, "Paket 123 ditutup", minutes_ago=30)
    _notify(vendor_owner, "Pemenang paket 123 diumumkan", minutes_ago=5)
    _notify(officer, "Sanggah baru untuk paket 456")
    response = login(vendor_owner).get(NOTIFICATIONS)
    assert _shown(response) == ["Pemenang paket 123 diumumkan", "Paket 123 ditutup"]
    assert "Sanggah baru" not in response.content.decode()


def test_it_links_each_notification_to_its_page(login, vendor_owner):
    _notify(vendor_owner, "Paket 123 ditutup", link="/pengadaan/paket/123/")
    html = login(vendor_owner).get(NOTIFICATIONS).content.decode()
    assert 'href="/pengadaan/paket/123/"' in html


def test_opening_it_highlights_the_unread_ones_and_marks_them_read(login, vendor_owner):
    _notify(vendor_owner, "Sudah dibaca", minutes_ago=10, read=True)
    unread = _notify(vendor_owner, "Belum dibaca")
    client = login(vendor_owner)
    html = client.get(NOTIFICATIONS).content.decode()
    assert html.count("notification-unread") == 1
    assert (
        html.index("notification-unread") < html.index("Belum dibaca") < html.index("Sudah dibaca")
    )
    unread.refresh_from_db()
    assert unread.read_at is not None
    assert "notification-unread" not in client.get(NOTIFICATIONS).content.decode()


def test_it_leaves_other_users_notifications_unread(login, vendor_owner, vendor_staff):
    theirs = _notify(vendor_staff, "Untuk staf")
    login(vendor_owner).get(NOTIFICATIONS)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_it_shows_thirty_a_page(login, vendor_owner):
    for n in range(35):
        _notify(vendor_owner, f"Pemberitahuan {n:02d}", minutes_ago=n)
    client = login(vendor_owner)
    assert _shown(client.get(NOTIFICATIONS)) == [f"Pemberitahuan {n:02d}" for n in range(30)]
    second = client.get(NOTIFICATIONS, {"page": 2})
    assert _shown(second) == [f"Pemberitahuan {n:02d}" for n in range(30, 35)]
    assert _shown(client.get(NOTIFICATIONS, {"page": "x"}))[0] == "Pemberitahuan 00"


def test_it_says_so_when_there_are_none(login, officer):
    assert "Belum ada pemberitahuan." in login(officer).get(NOTIFICATIONS).content.decode()


@pytest.mark.parametrize("count", [1, 20])
def test_its_query_count_does_not_grow_with_notifications(
    login, vendor_owner, django_assert_num_queries, count
):
    for n in range(count):
        _notify(vendor_owner, f"Pemberitahuan {n}")
    client = login(vendor_owner)
    # 1 user with vendor joined and its unread count, 2 count, 3 the page, 4 marking them
    # read (the navbar's badge then shows none unread without counting again)
    with django_assert_num_queries(4):
        assert client.get(NOTIFICATIONS).status_code == 200


# The unread count for the navbar badge --------------------------------------------------------


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_the_unread_count_counts_only_the_users_unread_notifications(vendor_owner, officer):
    _notify(vendor_owner, "a")
    _notify(vendor_owner, "b")
    _notify(vendor_owner, "c", read=True)
    _notify(officer, "d")
    assert unread_notifications(_request(vendor_owner))["unread_notifications"] == 2
    assert unread_notifications(_request(UserFactory()))["unread_notifications"] == 0


def test_the_unread_count_costs_a_query_only_when_a_page_shows_it(
    vendor_owner, django_assert_num_queries
):
    _notify(vendor_owner, "a")
    with django_assert_num_queries(0):
        context = unread_notifications(_request(vendor_owner))
    with django_assert_num_queries(1):
        assert context["unread_notifications"] == 1
        assert context["unread_notifications"] > 0  # counted once per request


def test_anonymous_visitors_have_no_unread_count(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert unread_notifications(_request(AnonymousUser())) == {"unread_notifications": 0}
