from smtplib import SMTPException

from celery import shared_task
from django.core.management import call_command

from accounts import services


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    max_retries=8,
)
def mail_send(*, subject: str, body: str, to: list[str], html_body: str | None = None) -> None:
    """Send a message given whole (messages queued before the outbox; kept for them)."""
    services.mail_deliver(subject=subject, body=body, to=to, html_body=html_body)


@shared_task
def outgoing_mail_send(mail_id: int) -> bool:
    return services.outgoing_mail_send(mail_id=mail_id)


@shared_task
def outgoing_mail_flush() -> int:
    return services.outgoing_mail_flush()


@shared_task
def outgoing_mail_purge() -> int:
    return services.outgoing_mail_purge()


@shared_task
def sessions_clear() -> None:
    call_command("clearsessions")
