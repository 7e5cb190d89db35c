"""Shared fixtures, including the fixed permission cast of STYLE.md."""

from __future__ import annotations

from collections.abc import Callable
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
    """The fixed cast of STYLE.md: every permission test runs with each of ``WHO``."""

    product: Any
    other_product: Any
    member: Any
    other_member: Any
    manager: Any
    admin: Any
    anonymous: Any
    _foreign_token: str | None = None

    @property
    def foreign_token(self) -> str:
        """A CI token of ``other_product``, raw as a pipeline sends it (made when first
        asked for, so tests that count tokens see only their own)."""
        if self._foreign_token is None:
            from surveys.tokens.services import token_create

            self._foreign_token = token_create(product=self.other_product, name="foreign-ci")[1]
        return self._foreign_token


# member: of ``product``; other_member: of ``other_product`` only; manager; MLOps admin;
# anonymous: a visitor who has not signed in; foreign_token: CI of ``other_product``.
WHO = ("member", "other_member", "manager", "admin", "anonymous", "foreign_token")


@pytest.fixture
def cast(db: Any) -> Cast:
    """A product with its member, another product with its member and CI token, a
    manager, an admin and an anonymous visitor."""
    from django.contrib.auth.models import AnonymousUser

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
        anonymous=AnonymousUser(),
    )


@pytest.fixture
def client_for(cast: Cast) -> Callable[[str], Any]:
    """``client_for(who)``: a client (pages and API) acting as one of ``WHO``."""
    from rest_framework.test import APIClient

    def make(who: str) -> APIClient:
        if who not in WHO:
            raise ValueError(f"{who!r} is not in the cast: {WHO}")
        client = APIClient()
        if who == "foreign_token":
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {cast.foreign_token}")
        elif who != "anonymous":
            client.force_login(getattr(cast, who))
        return client

    return make


@pytest.fixture(autouse=True)
def _fresh_layout_cache() -> Any:
    """Version layouts, published item keys and decoded round reports are kept by the
    process; a test database rolls back and reuses ids."""
    from reports.figures.selectors import decoded_clear
    from surveys.assessments.scores import _layout_cached
    from surveys.evidence.selectors import PUBLISHED_KEYS
    from surveys.questionnaires.selectors import _items_cached

    for cached in (_layout_cached, _items_cached):
        cached.cache_clear()
    PUBLISHED_KEYS.clear()
    decoded_clear()
    yield
    for cached in (_layout_cached, _items_cached):
        cached.cache_clear()
    PUBLISHED_KEYS.clear()
    decoded_clear()


@pytest.fixture(autouse=True)
def _tasks_run_in_process(request: pytest.FixtureRequest) -> Any:
    """Enqueued tasks run in the test's own process, as on the embedded default, even where
    CI sets a broker (nothing else would run them); the ``worker`` tests use a real worker."""
    from mlopsscore.celery import app

    if request.node.get_closest_marker("worker"):
        yield
        return
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


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
    Celery worker process (tests/surveys/rounds/test_worker.py) can share it."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
        database.setdefault("TEST", {})["NAME"] = str(settings.VAR_DIR / f"test-{worker}.sqlite3")
