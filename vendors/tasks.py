from celery import shared_task
from django.utils import timezone

from vendors import services


@shared_task
def certificates_expire() -> int:
    return services.certificates_expire(today=timezone.localdate())


@shared_task
def certificate_expiry_reminders_send() -> int:
    return services.certificate_expiry_reminders_send(today=timezone.localdate())
