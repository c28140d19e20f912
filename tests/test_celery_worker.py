"""A task queued through the real Redis broker runs in a real worker (not eager mode)."""

from django.core import mail

from accounts.tasks import mail_send, sessions_clear


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
