from celery import shared_task
from django.db import OperationalError

from matching import services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=5, max_retries=5)
def suggestions_compute(event_id: int, need_ids: list[int] | None = None) -> int:
    return services.suggestions_compute(event_id=event_id, need_ids=need_ids)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=5, max_retries=5)
def schedule_run(run_id: int) -> str:
    run = services.schedule_execute(run_id=run_id)
    return run.status if run else "missing"


@shared_task
def meetings_expire() -> int:
    return services.meetings_expire()


@shared_task
def no_shows_mark() -> list[int]:
    return services.no_shows_mark()


@shared_task
def schedule_runs_requeue() -> list[int]:
    return services.schedule_runs_requeue()
