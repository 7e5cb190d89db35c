"""GET /api/v1/reports/trend/: the same document as the command, scoped by role."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from surveys.models import ApiToken
from surveys.tokens.authentication import token_generate
from tests import factories

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/trend/"


def client_for(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def command_document(*args: str) -> Any:
    out = StringIO()
    call_command("export_report", "--questionnaire", "mlts", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("who", ["manager", "admin"])
def test_managers_and_admins_get_the_commands_document(org: Any, cast: Any, who: str) -> None:
    response = client_for(getattr(cast, who)).get(URL, {"questionnaire": "mlts"})
    assert response.status_code == 200
    assert response.json() == command_document()


def test_parameters_match_the_commands(org: Any, cast: Any) -> None:
    response = client_for(cast.manager).get(
        URL, {"questionnaire": "mlts", "baseline": "2022-04", "target": "2.25"}
    )
    assert response.json() == command_document("--baseline", "2022-04", "--target", "2.25")


def test_a_respondent_sees_only_products_of_their_departments(org: Any) -> None:
    # a member of p1 (ads) reads ads and its sub-department ads-ml: p1, p2, p3
    member = factories.UserFactory(username="ads-member")
    org.products["p1"].members.add(member)
    rounds = client_for(member).get(URL, {"questionnaire": "mlts"}).json()["rounds"]
    assert [(r["targeted"], r["scored"]) for r in rounds] == [(3, 3), (3, 2), (0, 0)]
    # 2021-10 finals 2.0, 0.0, 3.0: two products other than their own, so the scores are
    # withheld (DESIGN §7: fewer than 3 others would reveal them); the counts stay
    assert rounds[0]["final"] == {"mean": None, "median": None, "p25": None, "p75": None}
    assert rounds[0]["areas"] == dict.fromkeys(rounds[0]["areas"])


def test_cast_members_without_those_products_see_empty_figures(org: Any, cast: Any) -> None:
    for user in (cast.member, cast.other_member):
        rounds = client_for(user).get(URL, {"questionnaire": "mlts"}).json()["rounds"]
        assert [r["targeted"] for r in rounds] == [0, 0, 0]


def test_anonymous_visitors_are_refused(org: Any) -> None:
    response = APIClient().get(URL, {"questionnaire": "mlts"})
    assert response.status_code == 403
    assert set(response.json()["error"]) == {"code", "message", "details"}


def test_a_ci_token_is_refused(org: Any, cast: Any) -> None:
    raw, prefix, key_hash = token_generate()
    ApiToken.objects.create(product=cast.other_product, name="ci", prefix=prefix, key_hash=key_hash)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.get(URL, {"questionnaire": "mlts"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_authenticated"
    assert "rounds" not in response.json()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "questionnaire"),
        ({"questionnaire": "mlts", "target": "high"}, "target"),
    ],
)
def test_bad_parameters_answer_400_with_every_problem(
    org: Any, cast: Any, params: dict[str, str], field: str
) -> None:
    response = client_for(cast.manager).get(URL, params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["details"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"questionnaire": "nope"}, "Unknown questionnaire 'nope'"),
        ({"questionnaire": "mlts", "baseline": "1999-01"}, "Unknown baseline round '1999-01'"),
    ],
)
def test_unknown_names_answer_400_with_a_clear_message(
    org: Any, cast: Any, params: dict[str, str], message: str
) -> None:
    response = client_for(cast.manager).get(URL, params)
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]


def test_the_schema_describes_the_trend(org: Any, cast: Any) -> None:
    response = client_for(cast.manager).get("/api/schema/", {"format": "json"})
    schema = response.json()
    operation = schema["paths"]["/api/v1/reports/trend/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"questionnaire", "baseline", "target"}
    rounds = schema["components"]["schemas"]["TrendRound"]["properties"]
    assert list(rounds) == [
        "label",
        "date",
        "status",
        "version",
        "targeted",
        "scored",
        "final",
        "areas",
        "bands",
        "meeting_target",
        "cohort",
    ]
