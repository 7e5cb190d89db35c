"""The one way to start work after a state change: enqueue a task once the transaction commits.

A task is named by its Celery name, so a lower layer can cause work defined above it (a
round's close asks for ``reports.round_report_build``) without importing it. A broker that
is down never undoes the change that asked: the error is logged, the task's own retries or
the periodic job catch up (DESIGN §4: side effects are sent after the commit and never
undo it).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def _publish(task_name: str, args: tuple[Any, ...]) -> None:
    try:
        current_app.tasks[task_name].delay(*args)
    except Exception:
        logger.exception(
            "Task %s%r failed or could not be queued; the next tick will catch up", task_name, args
        )


def enqueue(task: str | Any, *args: Any) -> None:
    """Publish ``task`` (a Celery task or its name) with ``args`` after the commit."""
    name = task if isinstance(task, str) else task.name
    transaction.on_commit(lambda: _publish(name, args))
