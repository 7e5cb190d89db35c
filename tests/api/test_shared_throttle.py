"""API throttles count in the shared cache, so every web process draws on one quota
(point 10): with two workers, a 20/min token limit lets 20 requests through, not 40.

A "process" here is what a gunicorn worker has of its own: its cache connections and its
memory. Each one is started fresh; what they share is only what the configured cache
shares. The Redis test runs where a Redis is reachable, and always in CI.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any
from unittest import mock

import pytest
from django.core.cache import caches
from django.core.cache.backends import locmem
from rest_framework.test import APIClient

from mlopsscore.settings import caches_from_env
from surveys.tokens.services import token_create
from tests.surveys.rounds.test_worker import broker_reachable  # a Redis broker is a Redis

pytestmark = pytest.mark.django_db

QUOTA = 20


def _redis_url() -> str:
    for name in ("CACHE_URL", "CELERY_BROKER_URL"):
        url = os.environ.get(name, "")
        if url.startswith("redis://"):
            return url
    return "redis://127.0.0.1:6379/8"


REDIS_URL = _redis_url()


@contextmanager
def another_process() -> Iterator[None]:
    """What a new worker process starts with: no cache connection, empty process memory."""
    _disconnect()
    with (
        mock.patch.object(locmem, "_caches", {}),
        mock.patch.object(locmem, "_expire_info", {}),
        mock.patch.object(locmem, "_locks", {}),
    ):
        yield
    _disconnect()


def _disconnect() -> None:
    with suppress(AttributeError):  # not connected yet
        del caches["default"]


def _requests_let_through(version: Any, cast: Any) -> int:
    _, raw = token_create(product=cast.product, name="ci")
    through = 0
    for _worker in range(2):
        with another_process():
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
            for _ in range(QUOTA):
                status = client.get("/api/v1/products/").status_code
                assert status in {200, 429}
                through += status == 200
    return through


@pytest.mark.skipif(
    not os.environ.get("CI") and not broker_reachable(REDIS_URL),
    reason=f"no Redis reachable at {REDIS_URL} (this test always runs in CI)",
)
def test_two_workers_share_one_quota_through_redis(settings: Any, version: Any, cast: Any) -> None:
    caches_setting = caches_from_env({"CACHE_URL": REDIS_URL})
    caches_setting["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"  # runs may share Redis
    settings.CACHES = caches_setting
    settings.API_TOKEN_THROTTLE = f"{QUOTA}/min"
    try:
        assert _requests_let_through(version, cast) == QUOTA
    finally:
        caches["default"].clear()


def test_the_shared_cache_clears_only_its_own_keys(settings: Any) -> None:
    if not os.environ.get("CI") and not broker_reachable(REDIS_URL):
        pytest.skip(f"no Redis reachable at {REDIS_URL}")
    caches_setting = caches_from_env({"CACHE_URL": REDIS_URL})
    caches_setting["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches_setting
    cache = caches["default"]
    client = cache._cache.get_client(None, write=True)
    neighbour = f"broker-queue-{uuid.uuid4().hex}"
    client.set(neighbour, "a queued task")
    try:
        cache.set("throttle", [1, 2, 3])
        cache.clear()
        assert cache.get("throttle") is None
        assert client.get(neighbour) == b"a queued task"
    finally:
        client.delete(neighbour)


def test_process_memory_alone_would_give_each_worker_the_whole_quota(
    settings: Any, version: Any, cast: Any
) -> None:
    # Why production needs the shared cache: the embedded default's memory cache is per process.
    settings.CACHES = caches_from_env({})
    settings.API_TOKEN_THROTTLE = f"{QUOTA}/min"
    assert _requests_let_through(version, cast) == 2 * QUOTA
