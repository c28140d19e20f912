"""The cast: vendor owner, staff of the same vendor, an outsider vendor, officers of two
OPDs, and a Dinas PPKUKM admin. Tests talk to the real PostgreSQL and Redis."""

import uuid

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from p3dn_portal.celery import app as celery_app
from p3dn_portal.lib.fragments import navbars_kept
from p3dn_portal.lib.health import redis_ok
from tests import factories, storage
from tests import otp as otp_helpers
from tests.otp import sign_in_with_otp
from tests.services import service_missing
from vendors.models import MemberRole


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_generate_tests(metafunc):
    """Tests marked both_storages run once on the folder and once on an S3 bucket."""
    if metafunc.definition.get_closest_marker("both_storages"):
        metafunc.parametrize("private_storage_kind", storage.KINDS, indirect=True)


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 API on loopback (moto in server mode), for the whole run."""
    server = storage.S3Server()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def private_storage_kind(request) -> str:
    return getattr(request, "param", None) or storage.default_kind()


@pytest.fixture
def private_storage_env(private_storage_kind, settings, tmp_path, request) -> dict[str, str]:
    """Uploads of each test go to its own folder or its own bucket, never to the checkout's
    media/. Returns the environment that gives a `manage.py` subprocess the same storage."""
    server = request.getfixturevalue("s3_server") if private_storage_kind == "s3" else None
    entry, env = storage.private_storage_entry(
        private_storage_kind, folder=tmp_path / "media" / "private", server=server
    )
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
        "private": entry,
    }
    return env


@pytest.fixture(autouse=True)
def _private_files_in_tmp(private_storage_env):
    pass


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Each test reads and writes the real Redis cache under keys of its own: nothing cached
    by an earlier test (or another run on the same Redis) is seen, and nothing is flushed."""
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for alias, config in settings.CACHES.items()
    }
    navbars_kept.clear()  # the bars this process keeps beside the cache


@pytest.fixture(autouse=True)
def _data_versions_move_at_each_statement(request):
    """A test inside one transaction never commits, so the data versions (freshness) would
    never move: their trigger runs at each statement instead, as a commit would run it."""
    marker = request.node.get_closest_marker("django_db")
    wants_db = "db" in request.fixturenames or marker is not None
    commits = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction", False)
    )
    if not wants_db or commits:
        return
    request.getfixturevalue("db")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS freshness_bump IMMEDIATE")


@pytest.fixture(autouse=True)
def _directory_listing_not_refreshed_yet():
    """The directory refreshes its listing once a day per process (vendors.directory): each
    test starts as a process that has not read it yet."""
    from vendors import directory

    directory._refreshed.clear()


@pytest.fixture(autouse=True)
def _tasks_in_process():
    """Tasks queued by the code under test run in-process; the real-worker tests turn this
    off and go through Redis."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def redis_service():
    """Skip (or fail, with REQUIRE_SERVICES=1) when no Redis answers at REDIS_URL."""
    if not redis_ok(settings.REDIS_URL):
        service_missing(
            f"Redis is not reachable at {settings.REDIS_URL}; start redis-server or set REDIS_URL."
        )
    return settings.REDIS_URL


@pytest.fixture
def vendor_owner(db):
    return factories.VendorMemberFactory(role=MemberRole.OWNER).user


@pytest.fixture
def vendor_staff(vendor_owner):
    vendor = vendor_owner.vendor_membership.vendor
    return factories.VendorMemberFactory(vendor=vendor, role=MemberRole.STAFF).user


@pytest.fixture
def outsider_vendor(db):
    return factories.VendorMemberFactory(role=MemberRole.OWNER).user


@pytest.fixture
def officer(db):
    return factories.OfficerFactory().user


@pytest.fixture
def other_officer(db):
    return factories.OfficerFactory().user


@pytest.fixture
def admin_user(db):
    return factories.AdminFactory()


@pytest.fixture
def login(client):
    """Log a user in on the test client, through the portal's login backend; an admin fully
    signed in, with the code of a TOTP device (tests/otp.py)."""

    def _login(user):
        if user.is_staff:
            return sign_in_with_otp(client, user)
        client.force_login(user, backend=otp_helpers.BACKEND)
        return client

    return _login


@pytest.fixture
def worker(redis_service, transactional_db):
    # A queue of our own, so that a development worker on the same Redis cannot take the job.
    queue = f"p3dn-test-{uuid.uuid4().hex}"
    celery_app.conf.task_always_eager = False
    _route_all_tasks_to(queue)
    try:
        with start_worker(
            celery_app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30
        ):
            yield queue
    finally:
        _route_all_tasks_to(None)
    client = redis.Redis.from_url(redis_service)
    for key in client.scan_iter(f"*{queue}*"):
        client.delete(key)
    client.close()


def _route_all_tasks_to(queue: str | None) -> None:
    """Send every task the code under test queues to the test worker's own queue."""
    celery_app.conf.task_routes = {"*": {"queue": queue}} if queue else None
    celery_app.amqp.flush_routes()
    celery_app.amqp.__dict__.pop("router", None)  # a cached property holding the old routes
