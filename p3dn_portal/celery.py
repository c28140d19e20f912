import logging
import os
import threading
import time
from typing import Any

from celery import Celery, Task
from celery.signals import task_prerun
from kombu.exceptions import OperationalError as KombuOperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "p3dn_portal.settings")

app = Celery("p3dn_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)

# One quick try: a web request must not wait on a broker that is down. With Redis refusing
# connections a publish fails in milliseconds; `retry=False` would instead retry the
# connection for broker_connection_timeout (about 6 s on this stack).
QUICK_PUBLISH = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
# After a failed publish, later ones in this process are not even tried for this long: a
# package closing that mails sixty bidders pays for one failure, not sixty.
BROKER_DOWN_PAUSE = 10.0

_broker_down_until = 0.0
_lock = threading.Lock()


def publish_or_defer(task: Task, *, args: tuple = (), kwargs: dict[str, Any] | None = None) -> bool:
    """Hand a task to the broker if it answers now. False when it does not: the caller has
    kept the work in a table, and a periodic job queues it again once the broker is back."""
    global _broker_down_until
    if time.monotonic() < _broker_down_until and not app.conf.task_always_eager:
        return False
    try:
        # ignore_result: the caller's row records the outcome. Otherwise every publish from a
        # web process subscribes to the task's result in Redis, and with Redis down that
        # retries for seconds, then raises RuntimeError ("the Celery application must be
        # restarted").
        task.apply_async(
            args=args, kwargs=kwargs, retry=True, retry_policy=QUICK_PUBLISH, ignore_result=True
        )
    except (OSError, KombuOperationalError) as error:
        with _lock:
            _broker_down_until = time.monotonic() + BROKER_DOWN_PAUSE
        logger.warning("Broker unreachable, %s deferred: %s", task.name, error)
        return False
    return True


@task_prerun.connect
def broker_pause_reset(**kwargs: object) -> None:
    """Try the broker again at the next publish: a task was just delivered through it (so
    the requeue jobs, which run once it is back, are not paused), or a test restarted it."""
    global _broker_down_until
    _broker_down_until = 0.0
