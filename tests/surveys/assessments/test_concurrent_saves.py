"""Parallel autosaves all succeed on the embedded SQLite.

Twenty people's browsers save at the same moment. SQLite allows one writer at a time: with
WAL, a busy timeout and transactions that take the write lock when they begin, the
writers queue instead of failing with "database is locked". Runs on a file database
(tests/conftest.py), and on PostgreSQL where DATABASE_URL points there.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from surveys.models import Answer, AnswerRevision
from tests import factories

WRITERS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_autosaves_all_succeed(version: Any, cast: Any) -> None:
    rnd = factories.make_round(version, products=(cast.product,))
    assessment = factories.make_assessment(rnd, cast.product)
    items = list(version.items.order_by("position")[:WRITERS])
    clients = []
    for _ in items:
        client = Client()
        client.force_login(cast.member)
        clients.append(client)
    start = threading.Barrier(WRITERS)
    statuses: dict[int, Any] = {}

    def save(client: Client, item: Any) -> None:
        try:
            start.wait()
            response = client.post(
                f"/assessments/{assessment.pk}/items/{item.pk}/",
                json.dumps({"value": "1", "note": f"by writer {item.key}", "base_revision": 0}),
                content_type="application/json",
            )
            statuses[item.pk] = (response.status_code, response.content[:200])
        except Exception as exc:  # the failure itself is what the test reports
            statuses[item.pk] = (500, repr(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(client, item))
        for client, item in zip(clients, items, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    failed = {pk: result for pk, result in statuses.items() if result[0] != 200}
    assert not failed
    saved = Answer.objects.filter(assessment=assessment, value="1")
    assert saved.count() == WRITERS
    assert set(saved.values_list("revision", flat=True)) == {1}
    assert AnswerRevision.objects.filter(answer__assessment=assessment).count() == WRITERS
