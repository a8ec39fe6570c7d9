"""The Celery application, configured from the settings (:mod:`logistics.settings`).

``REDIS_URL`` (default ``redis://127.0.0.1:6379/0``) is the broker. ``DOUAI_QUEUE``
names the queue (default ``douai``), so that several stacks can share one Redis.
Tasks are acknowledged after they finish (``acks_late``) and given back to the queue if
the worker dies under them: every task here is safe to run twice. Results live in the
database, not in Celery, so no result backend is kept.
"""

from __future__ import annotations

from celery import Celery
from celery.schedules import crontab

from logistics import clock
from logistics.settings import get_settings

#: task names, used to send tasks without importing the tasks module
SOLVE_PLAN = "douai.solve_plan"
APPLY_CHANGES = "douai.apply_plan_changes"
PLAN_TOMORROW = "douai.plan_tomorrow"
RECOVER_PLANS = "douai.recover_plans"
ERASE_EXPIRED = "douai.erase_expired_personal_data"
IMPORT_ORDERS = "douai.import_orders"
SEND_MESSAGES = "douai.send_messages"
#: seconds between two looks at the outbox for messages due (retries included)
SEND_EVERY_S = 15.0


def redis_url(url: str | None = None) -> str:
    """``url``, else ``$REDIS_URL`` (the settings)."""
    return url or get_settings().redis_url


def queue_name(queue: str | None = None) -> str:
    """``queue``, else ``$DOUAI_QUEUE`` (the settings)."""
    return queue or get_settings().queue


def make_celery(url: str | None = None, queue: str | None = None) -> Celery:
    """A Celery app on ``url`` (default ``$REDIS_URL``) sending to ``queue``."""
    q = queue_name(queue)
    hour, minute = get_settings().plan_tomorrow_hour_minute
    app = Celery("douai", broker=redis_url(url))
    app.conf.update(
        task_default_queue=q,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        # A message not acknowledged this long after delivery goes to another worker;
        # longer than any plan, so only a dead worker's tasks come back.
        broker_transport_options={
            "visibility_timeout": get_settings().visibility_timeout_s
        },
        timezone=clock.zone_name(),
        beat_schedule={
            "plan-tomorrow": {
                "task": PLAN_TOMORROW,
                "schedule": crontab(hour=hour, minute=minute),
            },
            "recover-plans": {"task": RECOVER_PLANS, "schedule": 60.0},
            # the outbox: messages whose wait is over (the API and the worker also
            # wake the sender right after queueing, so this is for the retries)
            "send-messages": {"task": SEND_MESSAGES, "schedule": SEND_EVERY_S},
            # every night, what the retention period no longer covers (RGPD)
            "erase-expired-personal-data": {
                "task": ERASE_EXPIRED, "schedule": crontab(hour=3, minute=30),
            },
        },
    )
    return app
