"""schemathesis against the served schema, in-process through Django's WSGI app.

Every operation of every API endpoint (the schema must list them all) gets generated
input (valid and not), once with a token of a product and once with a signed-in admin's
session (with its CSRF token, so writes are really tried); no response may be a 5xx, and
every response must be as the schema says: documented status, content type, headers
and body. The product has a round, an assessment and evidence, so reads return data.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.urls import URLResolver, get_resolver
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mlopsscore.wsgi import application
from surveys.models import AssessmentStatus, RoundStatus
from surveys.tokens.services import token_create
from tests import factories

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
def world(cast: Any, version: Any) -> Any:
    """Data for every read: a scored closed round, an open one, evidence of the product."""
    closed = factories.make_round(
        version, label="2026-04", opens_on=date(2026, 4, 1), status=RoundStatus.CLOSED
    )
    factories.make_assessment(closed, cast.product, default="1", status=AssessmentStatus.SUBMITTED)
    factories.score_round(closed)
    factories.make_assessment(factories.make_round(version), cast.product)
    factories.make_evidence(cast.product, "data.i1")
    return cast


@pytest.fixture
def bearer(world: Any) -> dict[str, str]:
    _, raw = token_create(product=world.product, name="schemathesis")
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


CSRF_SECRET = "schemathesisschemathesisschemat1"  # 32 characters, as Django's secrets


@pytest.fixture
def admin_session(world: Any) -> dict[str, str]:
    client = Client()
    client.force_login(world.admin)
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF_SECRET}


@schema.parametrize()
@SETTINGS
def test_api_conforms_to_its_schema_for_a_signed_in_admin(
    case: Any, admin_session: dict[str, str]
) -> None:
    # Reads everything a person may read, and posts with the session's CSRF token.
    case.call_and_validate(
        cookies=admin_session, headers={"X-CSRFToken": CSRF_SECRET}, checks=CHECKS
    )


def _api_routes(resolver: Any = None, prefix: str = "") -> set[str]:
    routes: set[str] = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes |= _api_routes(pattern, route)
        elif route.startswith("api/v1/") and pattern.name:
            routes.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))
    return routes


def test_the_schema_lists_every_api_endpoint() -> None:
    # So that the runs above reach every endpoint: one missing from the schema is untested.
    served = set(schema.raw_schema["paths"])
    assert _api_routes() <= served, sorted(_api_routes() - served)
    assert len(served) >= 7


def test_the_session_run_really_writes(admin_session: dict[str, str]) -> None:
    # The CSRF pair above passes DRF's check: the session run tries writes, not only 403s.
    client = Client(enforce_csrf_checks=True)
    for name, value in admin_session.items():
        client.cookies[name] = value
    body = {
        "product": "ads-ctr",
        "item": "data.i2",
        "outcome": "pass",
        "observed_at": "2026-10-05T03:00:00Z",
        "run_id": "session",
    }
    response = client.post(
        "/api/v1/evidence/", body, content_type="application/json", HTTP_X_CSRFTOKEN=CSRF_SECRET
    )
    assert response.status_code == 201, response.content
