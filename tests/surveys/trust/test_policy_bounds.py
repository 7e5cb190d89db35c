"""A trust policy must name something (DESIGN §6.6): one made only of wildcards would
admit every pipeline of a public issuer. A token's long ``jti`` or ``sub`` is stored in a
form that fits, on SQLite and PostgreSQL alike, and a replay of it is still refused."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from surveys.core.errors import ApplicationError
from surveys.models import CiIdentity, Evidence, TrustPolicy
from surveys.trust.services import policy_create
from tests.api.conftest import record
from tests.oidc_issuer import Issuer

from .conftest import AUDIENCE

WILDCARDS = [["repository=*"], ["repository=*", "ref=*"], ["repository=*/*"], ["sub=**"]]


@pytest.mark.parametrize("conditions", WILDCARDS)
def test_a_policy_of_only_wildcards_is_refused_saying_why(
    cast: Any, issuer: Issuer, conditions: list[str]
) -> None:
    with pytest.raises(ApplicationError, match="every pipeline of the issuer"):
        policy_create(product=cast.product, issuer=issuer.url, conditions=conditions)
    assert not TrustPolicy.objects.exists()


def test_one_exact_condition_beside_wildcards_is_accepted(cast: Any, issuer: Issuer) -> None:
    policy_create(
        product=cast.product, issuer=issuer.url, conditions=["repository=acme/*", "ref=*"]
    )
    assert TrustPolicy.objects.count() == 1


@pytest.mark.parametrize("who", ["member", "admin"])
def test_the_page_refuses_a_wildcard_policy_with_the_message(
    cast: Any, issuer: Issuer, who: str
) -> None:
    client = Client()
    client.force_login(getattr(cast, who))
    body = {"issuer": issuer.url, "conditions": "repository=*\n"}
    page = client.post("/trust/ads-ctr/new/", body, follow=True).content.decode()
    assert "every pipeline of the issuer" in page
    assert not TrustPolicy.objects.exists()


def test_the_command_refuses_a_wildcard_policy(cast: Any, issuer: Issuer) -> None:
    with pytest.raises(CommandError, match="every pipeline of the issuer"):
        call_command(
            "trust_ci",
            "--product",
            "ads-ctr",
            "--issuer",
            issuer.url,
            "--claim",
            "repository=*",
            stdout=StringIO(),
        )
    assert not TrustPolicy.objects.exists()


def test_a_wildcard_policy_stored_earlier_admits_nobody(cast: Any, issuer: Issuer) -> None:
    TrustPolicy.objects.create(
        product=cast.product, issuer=issuer.url, conditions=[["repository", "*"]]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issuer.token(AUDIENCE)}")
    response = client.post("/api/v1/evidence/", record(), format="json")
    assert response.status_code == 401
    assert not Evidence.objects.exists()


@pytest.mark.usefixtures("policies")
@pytest.mark.parametrize(
    "claims", [{"jti": "j" * 250}, {"sub": "s" * 400}, {"jti": "é" * 1000, "sub": "ü" * 999}]
)
def test_a_long_jti_or_sub_is_stored_as_fits_and_replays_are_refused(
    issuer: Issuer, claims: dict[str, str]
) -> None:
    token = issuer.token(AUDIENCE, **claims)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.post("/api/v1/evidence/", record(), format="json").status_code == 201
    identity = CiIdentity.objects.get()
    assert len(identity.jti) <= 200 and len(identity.subject) <= 300
    if "sub" in claims:
        assert identity.subject.startswith(claims["sub"][:100])
        assert "sha256:" in identity.subject
    again = client.post("/api/v1/evidence/", record(run_id="43"), format="json")
    assert again.status_code == 401
    assert Evidence.objects.count() == 1
