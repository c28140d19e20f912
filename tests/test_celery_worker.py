"""A task queued through the real Redis broker runs in a real worker (not eager mode)."""

import uuid

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.core import mail

from accounts.tasks import mail_send, sessions_clear
from p3dn_portal.celery import app as celery_app


@pytest.fixture
def worker(redis_service, transactional_db):
    # A queue of our own, so that a development worker on the same Redis cannot take the job.
    queue = f"p3dn-test-{uuid.uuid4().hex}"
    celery_app.conf.task_always_eager = False
    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30
    ):
        yield queue
    client = redis.Redis.from_url(redis_service)
    for key in client.scan_iter(f"*{queue}*"):
        client.delete(key)
    client.close()


def test_it_delivers_mail_through_a_real_worker(worker):
    result = mail_send.apply_async(
        kwargs={"subject": "Uji", "body": "Isi pesan", "to": ["siti@contoh.id"]}, queue=worker
    )
    assert result.get(timeout=30) is None
    assert result.status == "SUCCESS"
    assert [m.to for m in mail.outbox] == [["siti@contoh.id"]]
    result.forget()


def test_it_runs_a_database_job_through_a_real_worker(worker):
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    session = SessionStore()
    session.set_expiry(-10)
    session.create()
    assert Session.objects.count() == 1
    result = sessions_clear.apply_async(queue=worker)
    result.get(timeout=30)
    assert Session.objects.count() == 0
    result.forget()
