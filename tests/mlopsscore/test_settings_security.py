"""Settings that guard the product: the embedded SQLite queues writers, the cache is shared by every
process where a Redis is configured, sign-in lockout limits come from the environment."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from mlopsscore.settings import caches_from_env
from tests.mlopsscore.test_settings import manage

REDIS = "surveys.core.cache.SharedRedisCache"
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"


def test_the_embedded_sqlite_uses_wal_a_busy_timeout_and_immediate_transactions() -> None:
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.db import connection\n"
        "c = connection.cursor()\n"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0])\n"
        "print(c.execute('PRAGMA busy_timeout').fetchone()[0])\n"
        "print(connection.transaction_mode)",
        SQLITE_BUSY_TIMEOUT_MS="12345",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "12345", "IMMEDIATE"]


def test_cache_url_chooses_the_shared_cache() -> None:
    caches = caches_from_env({"CACHE_URL": "redis://cache:6379/1"})
    assert caches["default"]["BACKEND"] == REDIS
    assert caches["default"]["LOCATION"] == "redis://cache:6379/1"


def test_a_redis_broker_is_the_shared_cache_when_no_cache_url_is_given() -> None:
    caches = caches_from_env({"CELERY_BROKER_URL": "redis://broker:6379/0"})
    assert caches["default"]["BACKEND"] == REDIS
    assert caches["default"]["LOCATION"] == "redis://broker:6379/0"
    explicit = caches_from_env(
        {"CELERY_BROKER_URL": "redis://broker:6379/0", "CACHE_URL": "redis://cache:6379/2"}
    )
    assert explicit["default"]["LOCATION"] == "redis://cache:6379/2"


@pytest.mark.parametrize("environ", [{}, {"CELERY_BROKER_URL": "amqp://rabbit:5672//"}])
def test_process_memory_only_without_a_redis(environ: dict[str, str]) -> None:
    assert caches_from_env(environ)["default"]["BACKEND"] == LOCMEM


def test_a_cache_url_that_is_no_redis_fails_loudly() -> None:
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL='memcached://x' is not a redis"):
        caches_from_env({"CACHE_URL": "memcached://x"})


def test_the_running_settings_take_the_broker_as_cache() -> None:
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.CACHES['default']['LOCATION'])",
        CELERY_BROKER_URL="redis://broker.example:6379/3",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "redis://broker.example:6379/3"


def test_lockout_limits_come_from_the_environment() -> None:
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings\n"
        "print(settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME.total_seconds())",
        LOGIN_FAILURE_LIMIT="7",
        LOGIN_LOCKOUT_MINUTES="30",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["7", "1800.0"]
