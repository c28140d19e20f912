"""PostgreSQL restarts while the portal runs (a real gunicorn with production settings and
persistent connections, on a private cluster): requests in between get a clean 503 page
that says to try again, and the portal serves again as soon as PostgreSQL is back, without
being restarted. A write (a sign-up: the account and its verification mail, in one
transaction) is made before, during and after: the one during fails and leaves nothing, the
others each leave exactly their rows."""

import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg.conninfo import make_conninfo

from accounts.models import User
from p3dn_portal.middleware import DATABASE_RETRY_AFTER
from tests.faults.conftest import REPO, START_TIMEOUT, free_port, wait_until

# Both gunicorn workers keep a connection (CONN_MAX_AGE): enough requests to reach each.
REQUESTS_PER_CHECK = 8


class Response:
    def __init__(self, status: int, headers: dict[str, str], text: str) -> None:
        self.status_code, self.headers, self.text = status, headers, text

    def json(self) -> dict:
        return json.loads(self.text)


class Portal:
    def __init__(self, port: int) -> None:
        self.port = port

    def get(self, path: str) -> Response:
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            client.request("GET", path)
            answer = client.getresponse()
            return Response(answer.status, dict(answer.getheaders()), answer.read().decode())
        finally:
            client.close()


class Visitor:
    """One browser: keeps its cookies (session, CSRF) and posts forms."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode(form)
        try:
            client.request(method, path, body=body, headers=headers)
            answer = client.getresponse()
            for name, value in answer.getheaders():
                if name.lower() == "set-cookie":
                    self.cookies.update((k, m.value) for k, m in SimpleCookie(value).items())
            return Response(answer.status, dict(answer.getheaders()), answer.read().decode())
        finally:
            client.close()


SIGNUP = "/akun/daftar/"
PASSWORD = "Kopi-tubruk-2026!"


def signup_form(visitor: Visitor, email: str) -> dict:
    """The sign-up form as the page gives it (its CSRF token), filled in."""
    page = visitor.request("GET", SIGNUP)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    return {
        "csrfmiddlewaretoken": token,
        "email": email,
        "full_name": "Dewi Lestari",
        "phone": "081234567890",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }


def rows(database_url: str) -> dict[str, list[str]]:
    """The accounts and the mail queued to them, read from the portal's database."""
    with psycopg.connect(database_url) as connection:
        users = connection.execute("SELECT email FROM accounts_user ORDER BY email").fetchall()
        mail = connection.execute('SELECT "to" FROM accounts_outgoingmail').fetchall()
    return {"users": [u for (u,) in users], "mail": sorted(", ".join(to) for (to,) in mail)}


def assert_nothing_saved(database_url: str, expected: dict[str, list[str]]) -> None:
    assert rows(database_url) == expected, "a sign-up made while PostgreSQL was down left rows"


@pytest.fixture
def portal(private_postgres, private_redis, tmp_path) -> Iterator[Portal]:
    database_url = private_postgres.url("postgres")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.faults.portal_settings",
        "PYTHONPATH": str(REPO),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "BID_SEALING_KEYS": ",".join(settings.BID_SEALING_KEYS),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "60",
        "REDIS_URL": private_redis.url(0),
        "CELERY_BROKER_URL": private_redis.url(0),
        "CELERY_RESULT_BACKEND": private_redis.url(0),
        "CACHE_URL": private_redis.url(1),
    }
    for name in ("PGHOST", "PGPORT"):
        env.pop(name, None)
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert migrate.returncode == 0, migrate.stderr
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "p3dn_portal.wsgi:application"),
                *("--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "30"),
            ],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    portal = Portal(port)

    def ready() -> bool:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{log.read_text()}")
        try:
            return portal.get("/healthz").status_code == 200
        except OSError:
            return False

    try:
        wait_until(ready, timeout=START_TIMEOUT, what=f"the portal ({log})")
        yield portal
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)


# A page that reads the database on every request (nothing of it is cached).
PAGE = "/open-data/"


def test_the_portal_answers_503_while_postgresql_is_down_and_recovers_by_itself(
    portal, private_postgres
):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    database = private_postgres.url("postgres")
    for _ in range(REQUESTS_PER_CHECK):
        assert portal.get(PAGE).status_code == 200
    start = rows(database)
    # Before: the sign-up is saved, its account and its mail (which shows these counts see a
    # write: a count of the wrong database or table fails here).
    before = Visitor(portal.port)
    assert (
        before.request("POST", SIGNUP, signup_form(before, "sebelum@contoh.id")).status_code == 302
    )
    saved = rows(database)
    assert saved["users"] == sorted([*start["users"], "sebelum@contoh.id"])
    assert saved["mail"] == sorted([*start["mail"], "sebelum@contoh.id"])
    during = Visitor(portal.port)
    form = signup_form(during, "selama@contoh.id")  # the page read while PostgreSQL is up

    private_postgres.stop()
    # During: the form posted while PostgreSQL is down gets the 503 page, and saves nothing.
    refused = during.request("POST", SIGNUP, form)
    assert refused.status_code == 503
    assert "Layanan sedang tidak tersedia" in refused.text
    started = time.monotonic()
    for _ in range(REQUESTS_PER_CHECK):
        response = portal.get(PAGE)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == str(DATABASE_RETRY_AFTER)
        page = response.text
        assert "Layanan sedang tidak tersedia" in page
        assert "Coba lagi dalam beberapa menit" in page
        assert "Traceback" not in page and "OperationalError" not in page
    outage_request = (time.monotonic() - started) / REQUESTS_PER_CHECK
    health = portal.get("/healthz")
    assert health.status_code == 503
    assert health.json()["checks"]["database"] == "down"
    assert health.json()["checks"]["bid_sealing_keys"] == "unknown"  # not "down": not known

    private_postgres.start()
    back = time.monotonic()
    # The very next requests succeed: no retry loop in the test, no portal restart.
    for _ in range(REQUESTS_PER_CHECK):
        assert portal.get(PAGE).status_code == 200
    recovered = time.monotonic() - back
    assert_nothing_saved(database, saved)
    assert portal.get("/healthz").json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok", "bid_sealing_keys": "ok"},
        "down": [],
    }

    # Restarted between two requests: each gunicorn worker still holds a connection the
    # server closed; the health check (CONN_HEALTH_CHECKS) drops it and connects again.
    private_postgres.stop()
    private_postgres.start()
    for _ in range(REQUESTS_PER_CHECK):
        assert portal.get(PAGE).status_code == 200
    # After: the same visitor signs up again, on the page it reads now; saved whole.
    assert (
        during.request("POST", SIGNUP, signup_form(during, "sesudah@contoh.id")).status_code == 302
    )
    end = rows(database)
    assert end["users"] == sorted([*saved["users"], "sesudah@contoh.id"])
    assert end["mail"] == sorted([*saved["mail"], "sesudah@contoh.id"])
    print(
        f"\nWith PostgreSQL down: {outage_request * 1000:.0f} ms per request (503); "
        f"{REQUESTS_PER_CHECK} requests served {recovered * 1000:.0f} ms after it was back"
    )


def test_a_half_saved_sign_up_is_seen_by_the_row_check(transactional_db):
    """The planted fault: an account saved without its verification mail (half a sign-up), in
    the test database, as the restart test reads the portal's."""
    db = connection.settings_dict
    url = make_conninfo(
        dbname=db["NAME"],
        user=db["USER"],
        host=db["HOST"],
        port=db["PORT"],
        password=db["PASSWORD"],
    )
    before = rows(url)
    User.objects.create_user("setengah@contoh.id", "Kopi-tubruk-2026!", full_name="Setengah")
    with pytest.raises(AssertionError, match="while PostgreSQL was down left rows"):
        assert_nothing_saved(url, before)
    assert rows(url)["mail"] == before["mail"]
