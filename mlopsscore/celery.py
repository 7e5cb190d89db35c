"""The Celery app. Tasks take ids, call a service, and hold only retry logic."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlopsscore.settings")

app = Celery("mlopsscore")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks live with their concept (surveys/<concept>/tasks.py), not one per app.
app.autodiscover_tasks(["surveys.rounds", "reports"])
