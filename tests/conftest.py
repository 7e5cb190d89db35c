"""Shared fixtures, including the fixed permission cast of STYLE.md."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests import factories


@pytest.fixture
def version(db: Any) -> Any:
    """A published 4 × 7 questionnaire; ``data.i7`` and ``monitoring.i7`` allow N/A."""
    return factories.make_version(na_items=("data.i7", "monitoring.i7", "model.i6", "model.i7"))


@dataclass
class Cast:
    product: Any
    other_product: Any
    member: Any
    other_member: Any
    manager: Any
    admin: Any


@pytest.fixture
def cast(db: Any) -> Cast:
    """A product with its member, another product with its member, a manager and an admin."""
    member = factories.UserFactory(username="member")
    other_member = factories.UserFactory(username="other-member")
    product = factories.ProductFactory(slug="ads-ctr", members=[member])
    other_product = factories.ProductFactory(slug="search-rank", members=[other_member])
    return Cast(
        product=product,
        other_product=other_product,
        member=member,
        other_member=other_member,
        manager=factories.manager_user(username="manager"),
        admin=factories.admin_user(username="admin"),
    )


@pytest.fixture(autouse=True)
def _fresh_layout_cache() -> Any:
    """Version layouts are cached by id; test databases reuse ids after a rollback."""
    from surveys.assessments.scores import _layout_cached
    from surveys.questionnaires.selectors import _items_cached

    _layout_cached.cache_clear()
    _items_cached.cache_clear()
    yield
    _layout_cached.cache_clear()
    _items_cached.cache_clear()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    """Tests create many users; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_after_each_test() -> Any:
    """A test that renders Japanese must not leave Japanese active for the next one."""
    from django.utils import translation

    yield
    translation.activate("en")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, request: pytest.FixtureRequest
) -> None:
    """On SQLite the test database is a file in ``var/``, not in memory, so that a real
    Celery worker process (tests/surveys/test_worker.py) can share it."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
        database.setdefault("TEST", {})["NAME"] = str(settings.VAR_DIR / f"test-{worker}.sqlite3")
