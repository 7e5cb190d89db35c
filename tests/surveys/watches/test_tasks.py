"""The watches' tasks are known to a worker, and beat runs the due check every minute."""

from __future__ import annotations

from typing import Any

import pytest


def test_a_worker_finds_the_watches_tasks() -> None:
    from mlopsscore.celery import app

    app.loader.import_default_modules()
    for name in (
        "surveys.watches_tick",
        "surveys.watch_flips_fan_out",
        "surveys.watch_chat_deliver",
        "surveys.watch_digests",
    ):
        assert name in app.tasks, name


@pytest.mark.django_db
def test_beat_runs_the_due_check_every_minute(db: Any) -> None:
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="watches tick")
    assert task.task == "surveys.watches_tick" and task.enabled
    assert (task.interval.every, task.interval.period) == (1, "minutes")
