"""The Celery app. Tasks take ids, call a service, and hold only retry logic."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlopsscore.settings")

app = Celery("mlopsscore")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks live with their concept (surveys/<concept>/tasks.py), not one per app.
app.autodiscover_tasks(["surveys.rounds", "surveys.watches", "reports"])

# Task counters for /metrics (mlopsscore.observability).
from celery.signals import task_failure, task_retry, task_success  # noqa: E402

from mlopsscore.observability import count_task  # noqa: E402

task_success.connect(count_task("success"), weak=False)
task_failure.connect(count_task("failure"), weak=False)
task_retry.connect(count_task("retry"), weak=False)
