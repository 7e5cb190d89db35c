"""schemathesis against the served schema, in-process through Django's WSGI app.

Every operation gets generated input (valid and not) with a token of a product; no
response may be a 5xx, and every response must be as the schema says: documented
status, content type, headers and body.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mlopsscore.wsgi import application
from surveys.tokens.services import token_create

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    # schemathesis calls the WSGI app directly; Django's request signals would close the
    # connection that holds the test's transaction (Django's own test client detaches
    # them the same way).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(cast: Any, version: Any) -> dict[str, str]:
    _, raw = token_create(product=cast.product, name="schemathesis")
    return {"Authorization": f"Bearer {raw}"}


# Loaded at import: serving the schema needs no database. (The lazy
# ``schemathesis.pytest.from_fixture`` loader breaks on pytest 9, which dropped the
# private ``Node._nodeid`` it rewrites.)
SETTINGS = settings(
    # Modest by default so the suite stays fast; raise it for a deeper hunt.
    max_examples=int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@schema.parametrize()
@SETTINGS
def test_api_conforms_to_its_schema(case: Any, bearer: dict[str, str]) -> None:
    case.call_and_validate(headers=bearer, checks=CHECKS)


@pytest.fixture
def admin_session(cast: Any, version: Any) -> dict[str, str]:
    client = Client()
    client.force_login(cast.admin)
    return {"sessionid": client.cookies["sessionid"].value}


@schema.parametrize()
@SETTINGS
def test_api_conforms_to_its_schema_for_a_signed_in_admin(
    case: Any, admin_session: dict[str, str]
) -> None:
    # Reads everything a person may read; posts without a CSRF token answer 403.
    case.call_and_validate(cookies=admin_session, checks=CHECKS)
