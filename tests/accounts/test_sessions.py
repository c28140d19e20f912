"""Sessions are read from the cache (Redis) and written through to PostgreSQL: a logged-in
request costs no session query, and a session whose cache entry is lost (Redis flushed or
restarted) is read back from the database, so nobody is logged out."""

import pytest
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

NOTIFICATIONS = reverse("accounts:notifications")  # a page for logged-in users only
SESSION_TABLE = Session._meta.db_table


def _session_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if SESSION_TABLE in q["sql"]]


def test_a_logged_in_request_reads_its_session_from_the_cache(login, vendor_owner):
    client = login(vendor_owner)
    session_key = client.session.session_key
    assert cache.get(KEY_PREFIX + session_key) is not None
    with CaptureQueriesContext(connection) as queries:
        response = client.get(NOTIFICATIONS)
    assert response.status_code == 200
    assert response.wsgi_request.user == vendor_owner
    assert _session_queries(queries) == []


def test_a_session_lost_from_the_cache_is_read_back_from_the_database(login, vendor_owner):
    client = login(vendor_owner)
    session_key = client.session.session_key
    cache.delete(KEY_PREFIX + session_key)
    assert cache.get(KEY_PREFIX + session_key) is None
    with CaptureQueriesContext(connection) as queries:
        response = client.get(NOTIFICATIONS)
    assert response.status_code == 200  # still logged in, not sent to the login page
    assert response.wsgi_request.user == vendor_owner
    assert len(_session_queries(queries)) == 1  # read from PostgreSQL
    assert cache.get(KEY_PREFIX + session_key) is not None  # and put back in the cache
    with CaptureQueriesContext(connection) as queries:
        client.get(NOTIFICATIONS)
    assert _session_queries(queries) == []
