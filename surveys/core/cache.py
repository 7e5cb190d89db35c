"""The shared cache: Redis that may be the Celery broker's own database."""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache


class SharedRedisCache(RedisCache):
    """``clear()`` removes this cache's keys only, never the broker's queues beside them
    (Django's RedisCache would empty the whole database)."""

    def clear(self) -> None:
        redis_cache: Any = self._cache  # type: ignore[attr-defined]
        client = redis_cache.get_client(None, write=True)
        keys = list(client.scan_iter(match=f"{self.key_prefix}:*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
