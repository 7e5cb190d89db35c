"""Trust policies: the web pages (admins and the product's members), ``trust_ci``, and the
verified origin shown beside the evidence."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from surveys.models import TrustPolicy
from surveys.trust.services import policy_create
from tests import factories
from tests.api.conftest import record
from tests.oidc_issuer import Issuer

from .conftest import AUDIENCE


def as_user(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("caller", "status"),
    [("member", 200), ("admin", 200), ("other_member", 404), ("manager", 403), (None, 302)],
)
def test_who_sees_the_policy_page(cast: Any, issuer: Issuer, caller: Any, status: int) -> None:
    user = getattr(cast, caller) if caller else None
    assert as_user(user).get("/trust/ads-ctr/").status_code == status


@pytest.mark.parametrize("caller", ["member", "admin"])
def test_members_and_admins_add_and_remove_policies(cast: Any, issuer: Issuer, caller: str) -> None:
    client = as_user(getattr(cast, caller))
    body = {"issuer": issuer.url, "conditions": "repository=acme/ads-ctr\nref=refs/heads/*\n"}
    response = client.post("/trust/ads-ctr/new/", body, follow=True)
    assert response.status_code == 200
    policy = TrustPolicy.objects.get()
    assert (policy.product, policy.issuer) == (cast.product, issuer.url)
    assert policy.conditions == [["repository", "acme/ads-ctr"], ["ref", "refs/heads/*"]]
    page = response.content.decode()
    assert "repository=acme/ads-ctr" in page and "Trust policy added." in page
    asked = client.post(f"/trust/ads-ctr/{policy.pk}/delete/").content.decode()
    assert "Remove this trust policy of" in asked and TrustPolicy.objects.exists()
    client.post(f"/trust/ads-ctr/{policy.pk}/delete/", {"confirmed": "1"})
    assert not TrustPolicy.objects.exists()


def test_managers_and_other_members_change_nothing(cast: Any, issuer: Issuer) -> None:
    policy = policy_create(product=cast.product, issuer=issuer.url, conditions=["repository=a/b"])
    body = {"issuer": issuer.url, "conditions": "repository=x/y"}
    for user in (cast.manager, cast.other_member):
        assert as_user(user).post("/trust/ads-ctr/new/", body).status_code in (403, 404)
        assert as_user(user).post(f"/trust/ads-ctr/{policy.pk}/delete/").status_code in (403, 404)
    assert list(TrustPolicy.objects.all()) == [policy]


def test_a_bad_condition_is_explained_and_nothing_stored(cast: Any, issuer: Issuer) -> None:
    body = {"issuer": issuer.url, "conditions": "repository acme/ads-ctr"}
    response = as_user(cast.member).post("/trust/ads-ctr/new/", body)
    assert response.status_code == 400
    assert "is no condition: write claim=value" in response.content.decode()
    assert not TrustPolicy.objects.exists()


def test_an_untrusted_issuer_cannot_be_chosen(cast: Any, issuer: Issuer) -> None:
    body = {"issuer": "https://evil.example", "conditions": "repository=a/b"}
    assert as_user(cast.admin).post("/trust/ads-ctr/new/", body).status_code == 400
    assert not TrustPolicy.objects.exists()


def test_trust_ci_creates_a_policy(cast: Any, issuer: Issuer) -> None:
    out = StringIO()
    call_command(
        "trust_ci",
        "--product=ads-ctr",
        f"--issuer={issuer.url}",
        "--claim=repository=acme/ads-ctr",
        "--claim=ref=refs/heads/main",
        stdout=out,
    )
    policy = TrustPolicy.objects.get()
    assert policy.product == cast.product
    assert policy.conditions == [["repository", "acme/ads-ctr"], ["ref", "refs/heads/main"]]
    assert "repository=acme/ads-ctr, ref=refs/heads/main" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--product=nope", "--claim=a=b"], "No product with slug 'nope'"),
        (["--product=ads-ctr"], "at least one claim condition"),
        (["--product=ads-ctr", "--claim=repository"], "is no condition"),
        (["--product=ads-ctr", "--claim=a=1", "--claim=a=2"], "only once"),
    ],
)
def test_trust_ci_refuses_bad_input(
    cast: Any, issuer: Issuer, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("trust_ci", f"--issuer={issuer.url}", *args)
    assert not TrustPolicy.objects.exists()


def test_trust_ci_refuses_an_untrusted_issuer(cast: Any, issuer: Issuer) -> None:
    with pytest.raises(CommandError, match="not trusted by this site"):
        call_command("trust_ci", "--product=ads-ctr", "--issuer=https://x.example", "--claim=a=b")


def test_the_verified_origin_is_shown_beside_the_evidence(
    cast: Any, issuer: Issuer, version: Any
) -> None:
    opens = timezone.localdate() - dt.timedelta(days=5)
    round_ = factories.make_round(version, opens_on=opens)
    assessment = factories.make_assessment(round_, cast.product)
    policy_create(product=cast.product, issuer=issuer.url, conditions=["repository=acme/*"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issuer.token(AUDIENCE)}")
    assert api.post("/api/v1/evidence/", record(), format="json").status_code == 201

    page = as_user(cast.member).get(f"/assessments/{assessment.pk}/").content.decode()
    assert f"verified origin: <code>{issuer.url}</code>" in page
    assert "<code>repo:acme/ads-ctr:ref:refs/heads/main</code>" in page
    assert "<code>repository=acme/ads-ctr</code>" in page

    trust_page = as_user(cast.member).get("/trust/ads-ctr/").content.decode()
    assert "data-verified-origin" in trust_page and "repository=acme/ads-ctr" in trust_page

    listed = as_user(cast.member).get("/api/v1/products/ads-ctr/evidence/").json()
    assert listed["results"][0]["origin"] == {
        "issuer": issuer.url,
        "subject": "repo:acme/ads-ctr:ref:refs/heads/main",
        "claims": {"repository": "acme/ads-ctr"},
    }


def test_the_policy_page_speaks_japanese(cast: Any, issuer: Issuer) -> None:
    client = as_user(cast.member)
    page = client.get("/trust/ads-ctr/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "の信頼する CI" in page and "新しい信頼ポリシー" in page
