"""PostgreSQL restarts while the portal runs (a real gunicorn with production settings and
persistent connections, on a private cluster): requests in between get a clean 503 page
that says to try again, and the portal serves again as soon as PostgreSQL is back, without
being restarted."""

import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from django.conf import settings

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
    for _ in range(REQUESTS_PER_CHECK):
        assert portal.get(PAGE).status_code == 200

    private_postgres.stop()
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
    print(
        f"\nWith PostgreSQL down: {outage_request * 1000:.0f} ms per request (503); "
        f"{REQUESTS_PER_CHECK} requests served {recovered * 1000:.0f} ms after it was back"
    )
