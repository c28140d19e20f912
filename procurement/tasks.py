from celery import shared_task
from django.db import OperationalError

from procurement import services


@shared_task
def packages_close_due() -> list[int]:
    return services.packages_close_due()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=5, max_retries=5)
def evaluation_run(run_id: int) -> str:
    run = services.evaluation_execute(run_id=run_id)
    return run.status if run else "missing"


@shared_task
def evaluations_requeue() -> list[int]:
    return services.evaluations_requeue()
