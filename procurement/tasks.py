from celery import shared_task

from procurement import services


@shared_task
def packages_close_due() -> list[int]:
    return services.packages_close_due()
