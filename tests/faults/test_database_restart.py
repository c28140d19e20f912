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
from urllib3 import encode_multipart_formdata

from accounts.models import User
from p3dn_portal.middleware import DATABASE_RETRY_AFTER
from tests.factories import PASSWORD as FACTORY_PASSWORD
from tests.factories import PDF_BYTES
from tests.faults.conftest import REPO, START_TIMEOUT, free_port, wait_until
from tests.storage import stored_files

# Both gunicorn workers keep a connection (CONN_MAX_AGE): enough requests to reach each.
REQUESTS_PER_CHECK = 8


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status_code, self.headers, self.body = status, headers, body
        self.text = body.decode(errors="replace")

    def json(self) -> dict:
        return json.loads(self.text)


class Portal:
    def __init__(self, port: int, env: dict[str, str]) -> None:
        self.port = port
        self.env = env

    def get(self, path: str) -> Response:
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            client.request("GET", path)
            answer = client.getresponse()
            return Response(answer.status, dict(answer.getheaders()), answer.read())
        finally:
            client.close()


class Visitor:
    """One browser: keeps its cookies (session, CSRF) and posts forms."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict | list | None = None, *, multipart: bool = False
    ) -> Response:
        """A request with the visitor's cookies; a form is sent url-encoded, or as
        multipart/form-data (fields as (name, value) pairs, a file as (name, (filename, bytes,
        type)))."""
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None and multipart:
            body, headers["Content-Type"] = encode_multipart_formdata(form)
        elif form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode(form)
        try:
            client.request(method, path, body=body, headers=headers)
            answer = client.getresponse()
            for name, value in answer.getheaders():
                if name.lower() == "set-cookie":
                    self.cookies.update((k, m.value) for k, m in SimpleCookie(value).items())
            return Response(answer.status, dict(answer.getheaders()), answer.read())
        finally:
            client.close()


SIGNUP = "/akun/daftar/"
LOGIN = "/akun/masuk/"
PASSWORD = "Kopi-tubruk-2026!"


def _token(page: Response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]


def signup_form(visitor: Visitor, email: str) -> dict:
    """The sign-up form as the page gives it (its CSRF token), filled in."""
    page = visitor.request("GET", SIGNUP)
    assert page.status_code == 200
    return {
        "csrfmiddlewaretoken": _token(page),
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
def portal(private_postgres, private_redis, private_storage_env, tmp_path) -> Iterator[Portal]:
    """gunicorn on the private cluster and Redis, with the test's private storage (its
    folder or bucket, as the test process sees it)."""
    database_url = private_postgres.url("postgres")
    env = {
        **os.environ,
        **private_storage_env,
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
    portal = Portal(port, env)

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


@pytest.mark.both_storages
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


def _vendor_with_a_product(portal: Portal) -> tuple[str, int]:
    """A company owner and one product, made in the portal's database: (e-mail, product id)."""
    code = (
        "from tests.factories import VendorMemberFactory, ProductFactory\n"
        "owner = VendorMemberFactory().user\n"
        "product = ProductFactory(vendor=owner.vendor_membership.vendor)\n"
        "print(owner.email, product.pk)\n"
    )
    made = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=REPO, env=portal.env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    email, product_id = made.stdout.splitlines()[-1].split()
    return email, int(product_id)


CERTIFICATE_ADD = "/penyedia/sertifikat/tkdn/baru/"


def certificate_form(visitor: Visitor, number: str, product_id: int) -> list:
    """The TKDN certificate form as the page gives it, filled in, its scan attached."""
    page = visitor.request("GET", CERTIFICATE_ADD)
    assert page.status_code == 200
    return [
        ("csrfmiddlewaretoken", _token(page)),
        ("number", number),
        ("products", str(product_id)),
        ("tkdn_pct", "45,50"),
        ("bmp_pct", "10"),
        ("issued_on", "2024-07-15"),
        ("expires_on", "2029-07-14"),
        ("basis", "lvi"),
        ("file", ("sertifikat.pdf", PDF_BYTES, "application/pdf")),
    ]


@pytest.mark.both_storages
def test_an_upload_posted_while_postgresql_is_down_stores_no_file_and_the_others_are_served(
    portal, private_postgres
):
    """On the folder and on a bucket: the certificate scan posted while PostgreSQL is down
    gets the 503 page and leaves no file behind; those before and after are stored whole and
    their company downloads them through the portal."""
    email, product_id = _vendor_with_a_product(portal)
    vendor = Visitor(portal.port)
    page = vendor.request("GET", LOGIN)
    signed_in = vendor.request(
        "POST",
        LOGIN,
        {"csrfmiddlewaretoken": _token(page), "username": email, "password": FACTORY_PASSWORD},
    )
    assert signed_in.status_code == 302
    assert stored_files() == {}

    form = certificate_form(vendor, "1/SJ-IND.8/TKDN/7/2024", product_id)
    sent = vendor.request("POST", CERTIFICATE_ADD, form, multipart=True)
    assert sent.status_code == 302, sent.text
    before = stored_files()
    assert list(before.values()) == [PDF_BYTES]
    form = certificate_form(vendor, "2/SJ-IND.8/TKDN/7/2024", product_id)

    private_postgres.stop()
    refused = vendor.request("POST", CERTIFICATE_ADD, form, multipart=True)
    assert refused.status_code == 503
    assert "Layanan sedang tidak tersedia" in refused.text
    assert stored_files() == before

    private_postgres.start()
    form = certificate_form(vendor, "2/SJ-IND.8/TKDN/7/2024", product_id)
    assert vendor.request("POST", CERTIFICATE_ADD, form, multipart=True).status_code == 302
    after = stored_files()
    assert len(after) == 2 and set(after.values()) == {PDF_BYTES}
    with psycopg.connect(private_postgres.url("postgres")) as db:
        ids = db.execute("SELECT id FROM vendors_tkdncertificate ORDER BY number").fetchall()
    for (certificate_id,) in ids:
        download = vendor.request("GET", f"/penyedia/sertifikat/tkdn/{certificate_id}/berkas/")
        assert download.status_code == 200
        assert download.body == PDF_BYTES
