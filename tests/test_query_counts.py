"""The main pages and API calls cost a number of queries that does not grow with the
number of products.

Each test measures a call with 3 products, grows the organisation to 30 products (each
with a scored assessment in a closed round, a draft in the open round, evidence, and the
member of ``cast`` as a member) and asserts the same call costs no more queries.

Guards that exist elsewhere are not repeated here: the evidence batch
(tests/api/test_evidence.py), the report pages as a manager (tests/reports/pages/test_pages.py)
and the trend document (tests/reports/figures/test_trend.py).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from surveys.models import Answer, AssessmentStatus, Round, RoundStatus
from tests import factories

SMALL, LARGE = 3, 30


@dataclass
class World:
    cast: Any
    closed: Round
    open: Round
    products: list[Any]


@pytest.fixture
def world(version: Any, cast: Any) -> World:
    closed = factories.make_round(
        version, label="2026-04", opens_on=dt.date(2026, 4, 1), status=RoundStatus.CLOSED
    )
    open_round = factories.make_round(version, label="2026-10", opens_on=dt.date(2026, 10, 1))
    made = World(cast=cast, closed=closed, open=open_round, products=[])
    for product in (cast.product, cast.other_product):
        _populate(made, product)
    return made


def _populate(world: World, product: Any) -> None:
    factories.make_assessment(world.closed, product, default="1", status=AssessmentStatus.SUBMITTED)
    factories.make_assessment(world.open, product, {"data.i1": "0.5"})
    factories.make_evidence(product, "data.i1")
    world.products.append(product)


def grow(world: World, count: int) -> None:
    """Add products (the member of ``cast`` belongs to each) until there are ``count``."""
    departments = [factories.DepartmentFactory(slug=f"team-{n}") for n in range(3)]
    for n in range(len(world.products), count):
        product = factories.ProductFactory(
            slug=f"grown-{n:02d}", department=departments[n % 3], members=[world.cast.member]
        )
        _populate(world, product)
    factories.score_round(world.closed)


def assert_flat(world: World, call: Callable[[], Any], django_assert_max_num_queries: Any) -> None:
    grow(world, SMALL)
    call()  # warm the session, the layout cache and the translations
    # Both calls count the figures of rounds counted live (a cache would hold the small
    # world's from the warm-up, under a stamp that growing changes).
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        assert call().status_code == 200
    grow(world, LARGE)
    cache.clear()
    with django_assert_max_num_queries(len(small)):
        assert call().status_code == 200


def client_for(world: World, who: str) -> Client:
    client = Client()
    client.force_login(getattr(world.cast, who))
    return client


def _assessment(world: World, round: Round) -> Any:
    return round.assessments.get(product=world.cast.product)


PAGES: list[tuple[str, Callable[[World], str]]] = [
    ("admin", lambda w: "/"),
    ("member", lambda w: "/"),
    ("manager", lambda w: "/"),
    ("member", lambda w: f"/assessments/{_assessment(w, w.open).pk}/"),
    ("member", lambda w: f"/assessments/{_assessment(w, w.closed).pk}/"),
    ("member", lambda w: f"/products/{w.cast.product.slug}/"),
    ("admin", lambda w: f"/rounds/{w.open.pk}/"),
    ("admin", lambda w: f"/rounds/{w.closed.pk}/"),
    ("admin", lambda w: "/rounds/"),
    ("member", lambda w: "/reports/"),
    ("member", lambda w: "/reports/departments/"),
    ("member", lambda w: "/reports/phases/"),
    ("member", lambda w: "/reports/items/"),
    ("admin", lambda w: "/reports/"),
    ("member", lambda w: "/api/v1/products/"),
    ("admin", lambda w: "/api/v1/products/"),
    ("member", lambda w: f"/api/v1/products/{w.cast.product.slug}/assessments/"),
    ("admin", lambda w: f"/api/v1/products/{w.cast.product.slug}/assessments/"),
    ("member", lambda w: "/api/v1/reports/trend/?questionnaire=mlts"),
    ("manager", lambda w: "/api/v1/reports/trend/?questionnaire=mlts"),
]


@pytest.mark.parametrize(
    ("who", "url"), PAGES, ids=[f"{who}-{n}" for n, (who, _) in enumerate(PAGES)]
)
def test_pages_and_reads_cost_the_same_queries_for_3_and_30_products(
    world: World, who: str, url: Callable[[World], str], django_assert_max_num_queries: Any
) -> None:
    client = client_for(world, who)
    assert_flat(world, lambda: client.get(url(world)), django_assert_max_num_queries)


def test_an_autosave_costs_the_same_queries_for_3_and_30_products(
    world: World, django_assert_max_num_queries: Any
) -> None:
    client = client_for(world, "member")
    assessment = _assessment(world, world.open)
    answer = Answer.objects.select_related("item").get(assessment=assessment, item__key="data.i2")
    values = iter(["0", "0.5", "1", "0", "0.5"] * 4)

    def save() -> Any:
        revision = Answer.objects.values_list("revision", flat=True).get(pk=answer.pk)
        return client.post(
            f"/assessments/{assessment.pk}/items/{answer.item_id}/",
            data=json.dumps({"value": next(values), "base_revision": revision}),
            content_type="application/json",
        )

    assert_flat(world, save, django_assert_max_num_queries)


# Transaction control the test database wraps around each atomic block (in production
# Django's BEGIN and COMMIT are not logged as queries either).
_SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@pytest.mark.parametrize("who", ["member", "admin"])
@pytest.mark.parametrize("status", [AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED])
def test_one_autosave_costs_at_most_10_queries(world: World, who: str, status: str) -> None:
    """a person's choice is saved in 10 queries or fewer (23 before)."""
    from surveys.assessments.services import assessment_submit

    client = client_for(world, who)
    assessment = _assessment(world, world.open)
    if status == AssessmentStatus.SUBMITTED:
        assessment.answers.update(value="1")
        assessment_submit(assessment=assessment, by=world.cast.member)
    answer = Answer.objects.get(assessment=assessment, item__key="data.i2")
    # The person opened the page first: session, translations and the layout are warm.
    assert client.get(f"/assessments/{assessment.pk}/").status_code == 200
    # A draft saves choice after choice; a submitted assessment's first change makes it a
    # draft, and the next ones keep it one. (Only a change back to the submitted value
    # reads the revisions since the submission, to see whether any other still differs.)
    for value in ("0", "0.5"):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                f"/assessments/{assessment.pk}/items/{answer.item_id}/",
                data=json.dumps({"value": value, "base_revision": answer.revision}),
                content_type="application/json",
            )
        assert response.status_code == 200, response.content
        answer.refresh_from_db()
        assert answer.value == value
        counted = [q["sql"] for q in queries if not q["sql"].startswith(_SAVEPOINTS)]
        assert len(counted) <= 10, "\n".join(counted)
