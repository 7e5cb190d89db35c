"""POST /api/v1/evidence/ with a CI platform's ID token (DESIGN §6.6)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from rest_framework.test import APIClient

from surveys.models import CiIdentity, Evidence
from surveys.tokens.services import token_create
from surveys.trust import oidc
from tests.api.conftest import assert_error, record
from tests.oidc_issuer import Issuer

from .conftest import AUDIENCE

URL = "/api/v1/evidence/"
pytestmark = pytest.mark.usefixtures("policies")


def post(token: str, body: Any = None) -> Any:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.post(URL, body if body is not None else record(), format="json")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_valid_token_posts_and_the_record_keeps_its_verified_origin(issuer: Issuer) -> None:
    response = post(issuer.token(AUDIENCE))
    assert response.status_code == 201, response.content
    stored = Evidence.objects.get()
    assert stored.token is None
    assert stored.origin.issuer == issuer.url
    assert stored.origin.subject == "repo:acme/ads-ctr:ref:refs/heads/main"
    assert stored.origin.claims == {"repository": "acme/ads-ctr", "ref": "refs/heads/main"}


def test_an_es256_token_is_accepted(issuer: Issuer) -> None:
    assert post(issuer.token(AUDIENCE, alg="ES256", kid="ec-1")).status_code == 201


def test_an_expired_token_is_refused_but_60_seconds_of_leeway_hold(issuer: Issuer) -> None:
    now = int(time.time())
    expired = issuer.token(AUDIENCE, iat=now - 900, nbf=now - 900, exp=now - 120)
    assert_error(post(expired), 401)
    just_expired = issuer.token(AUDIENCE, iat=now - 900, nbf=now - 900, exp=now - 30)
    assert post(just_expired).status_code == 201
    assert Evidence.objects.count() == 1


def test_a_token_not_yet_valid_is_refused(issuer: Issuer) -> None:
    now = int(time.time())
    assert_error(post(issuer.token(AUDIENCE, nbf=now + 600)), 401)
    assert_error(post(issuer.token(AUDIENCE, iat=now + 600)), 401)


def test_a_wrong_audience_is_refused(issuer: Issuer) -> None:
    error = assert_error(post(issuer.token("https://elsewhere.example")), 401)
    assert "audience" in error["message"].lower()
    assert not Evidence.objects.exists()


def test_an_untrusted_issuer_is_refused_without_asking_it_for_keys(issuer: Issuer) -> None:
    stranger = Issuer()
    try:
        error = assert_error(post(stranger.token(AUDIENCE)), 401)
        assert "not trusted" in error["message"]
        assert stranger.fetches == 0
        # Trusted issuers are compared exactly as written: a trailing slash is another issuer.
        assert_error(post(issuer.token(AUDIENCE, iss=issuer.url + "/")), 401)
    finally:
        stranger.close()
    assert not Evidence.objects.exists()


def test_alg_none_is_refused(issuer: Issuer) -> None:
    unsigned = jwt.encode(issuer.claims(AUDIENCE), None, algorithm="none", headers={"kid": "rsa-1"})
    error = assert_error(post(unsigned), 401)
    assert "'none'" in error["message"]
    assert not Evidence.objects.exists()


def test_hmac_signed_with_the_public_key_is_refused(issuer: Issuer) -> None:
    public_pem = issuer.rsa.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}).encode())
    payload = _b64(json.dumps(issuer.claims(AUDIENCE)).encode())
    signature = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    forged = f"{header}.{payload}.{_b64(signature)}"
    error = assert_error(post(forged), 401)
    assert "HS256" in error["message"]
    assert not Evidence.objects.exists()


def test_a_token_signed_by_another_key_under_a_known_kid_is_refused(issuer: Issuer) -> None:
    impostor = Issuer()
    try:
        forged = issuer.token(AUDIENCE, key=impostor.rsa)
        assert_error(post(forged), 401)
    finally:
        impostor.close()
    assert not Evidence.objects.exists()


def test_unknown_kid_refetches_at_most_once_a_minute_then_rotated_keys_work(
    issuer: Issuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = time.time()
    monkeypatch.setattr(oidc, "clock", lambda: start)
    assert post(issuer.token(AUDIENCE)).status_code == 201
    assert issuer.fetches == 1
    new_key = issuer.rotate()
    rotated = issuer.token(AUDIENCE, key=new_key, kid="rsa-2", run_id="43")

    # Within the minute of the last fetch an unknown kid is refused without asking again.
    monkeypatch.setattr(oidc, "clock", lambda: start + 30)
    error = assert_error(post(rotated, record(run_id="43")), 401)
    assert "rsa-2" in error["message"]
    assert_error(post(issuer.token(AUDIENCE, key=new_key, kid="rsa-2"), record(run_id="43")), 401)
    assert issuer.fetches == 1

    # A minute later the unknown kid fetches the keys again, once, and the new key verifies.
    monkeypatch.setattr(oidc, "clock", lambda: start + 61)
    assert (
        post(issuer.token(AUDIENCE, key=new_key, kid="rsa-2"), record(run_id="43")).status_code
        == 201
    )
    assert (
        post(issuer.token(AUDIENCE, key=new_key, kid="rsa-2"), record(run_id="44")).status_code
        == 201
    )
    assert issuer.fetches == 2
    # The retired key is gone with the rotation.
    assert_error(post(issuer.token(AUDIENCE), record(run_id="45")), 401)
    assert issuer.fetches == 2
    assert sorted(Evidence.objects.values_list("run_id", flat=True)) == ["42", "43", "44"]


def test_a_replayed_jti_is_refused(issuer: Issuer) -> None:
    token = issuer.token(AUDIENCE)
    assert post(token).status_code == 201
    error = assert_error(post(token, record(run_id="43")), 401)
    assert "used already" in error["message"]
    assert Evidence.objects.count() == 1
    assert CiIdentity.objects.count() == 1


def test_a_token_without_jti_is_refused(issuer: Issuer) -> None:
    claims = issuer.claims(AUDIENCE)
    del claims["jti"]
    token = jwt.encode(claims, issuer.rsa, algorithm="RS256", headers={"kid": "rsa-1"})
    assert_error(post(token), 401)


def test_claims_of_another_products_policy_answer_403(issuer: Issuer, cast: Any) -> None:
    search = issuer.token(AUDIENCE, repository="acme/search", sub="repo:acme/search")
    error = assert_error(post(search), 403)
    assert "ads-ctr" in error["message"]
    assert not Evidence.objects.exists()
    other = issuer.token(AUDIENCE, repository="acme/search", sub="repo:acme/search")
    assert post(other, record(product="search-rank")).status_code == 201
    assert Evidence.objects.get().product == cast.other_product


def test_a_batch_naming_one_unadmitted_product_stores_nothing(issuer: Issuer) -> None:
    batch = [record(), record(product="search-rank", run_id="2")]
    assert_error(post(issuer.token(AUDIENCE), batch), 403)
    assert not Evidence.objects.exists()


def test_claims_matching_no_policy_at_all_answer_401(issuer: Issuer) -> None:
    stranger_repo = issuer.token(AUDIENCE, repository="acme/unknown")
    error = assert_error(post(stranger_repo), 401)
    assert "No trust policy" in error["message"]
    # Every condition must hold: the right repository on a tag is no branch.
    assert_error(post(issuer.token(AUDIENCE, ref="refs/tags/v1")), 401)
    assert not Evidence.objects.exists()


def test_a_ci_token_may_call_no_other_endpoint(issuer: Issuer) -> None:
    for url in ("/api/v1/products/", "/api/v1/products/ads-ctr/evidence/"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issuer.token(AUDIENCE)}")
        assert_error(client.get(url), 403)


def test_with_no_trusted_issuer_a_jwt_is_refused(issuer: Issuer, settings: Any) -> None:
    settings.EVIDENCE_OIDC_ISSUERS = []
    assert_error(post(issuer.token(AUDIENCE)), 401)
    assert issuer.fetches == 0


def test_a_stored_token_still_works_beside_oidc(issuer: Issuer, cast: Any) -> None:
    response = post(token_create(product=cast.product, name="ci")[1])
    assert response.status_code == 201
    assert Evidence.objects.get().origin is None
