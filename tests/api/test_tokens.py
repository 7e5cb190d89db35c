"""Tokens: stored hashed, shown once, revocable, last use recorded; pages and command."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from surveys.core.errors import ApplicationError
from surveys.models import ApiToken
from surveys.tokens.authentication import token_by_hash, token_hash
from surveys.tokens.services import token_create, token_revoke

from .conftest import assert_error, record

TOKEN_RE = re.compile(r"mlops_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}")


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_tokens_are_stored_hashed(cast: Any) -> None:
    _token, raw = token_create(product=cast.product, name="ci", by=cast.member)
    assert TOKEN_RE.fullmatch(raw)
    stored = ApiToken.objects.get()
    assert stored.key_hash == token_hash(raw) != raw
    assert raw not in {str(v) for v in ApiToken.objects.values().get().values()}
    assert raw.startswith(f"mlops_{stored.prefix}_")
    assert stored.created_by == cast.member


def test_a_token_is_read_with_its_product_as_the_orm_reads_them(cast: Any) -> None:
    """Every CI post reads its token first, in one hand-written statement
    (``token_by_hash``): it gives every stored field the ORM gives, times included."""
    token, raw = token_create(product=cast.product, name="ci", by=cast.member)
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=dt.datetime(2026, 11, 30, 8, 15, tzinfo=dt.UTC), can_read=False
    )
    with CaptureQueriesContext(connection) as queries:
        found = token_by_hash(token_hash(raw))
    assert len(queries) == 1
    expected = ApiToken.objects.select_related("product").get(pk=token.pk)
    assert found is not None
    for instance, other in ((found, expected), (found.product, expected.product)):
        for field in instance._meta.concrete_fields:
            assert getattr(instance, field.attname) == getattr(other, field.attname), field.name
    assert found.last_used_at == dt.datetime(2026, 11, 30, 8, 15, tzinfo=dt.UTC)
    assert found.can_read is False and found.can_write_evidence is True
    assert found.product.slug == "ads-ctr"
    assert token_by_hash(token_hash(raw + "x")) is None


def test_token_create_refuses_no_name_and_no_scope(cast: Any) -> None:
    with pytest.raises(ApplicationError, match="name"):
        token_create(product=cast.product, name="  ")
    with pytest.raises(ApplicationError, match="scope"):
        token_create(product=cast.product, name="x", can_write_evidence=False, can_read=False)
    assert not ApiToken.objects.exists()


def test_last_use_is_recorded(cast: Any) -> None:
    token, raw = token_create(product=cast.product, name="ci")
    assert token.last_used_at is None
    assert bearer(raw).get("/api/v1/products/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_is_refused_at_once(cast: Any, version: Any) -> None:
    token, raw = token_create(product=cast.product, name="ci")
    client = bearer(raw)
    assert client.post("/api/v1/evidence/", record(), format="json").status_code == 201
    token_revoke(token=token)
    error = assert_error(client.post("/api/v1/evidence/", record(run_id="2"), format="json"), 401)
    assert "revoked" in error["message"]
    first = ApiToken.objects.get().revoked_at
    token_revoke(token=token)
    assert ApiToken.objects.get().revoked_at == first


# ---- pages -------------------------------------------------------------------------

PEOPLE = ["member", "other_member", "manager", "admin", "anonymous"]


def web(cast: Any, who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(getattr(cast, who))
    return client


@pytest.mark.parametrize(
    ("who", "listed"),
    [
        ("member", ["ads-ctr"]),
        ("other_member", ["search-rank"]),
        ("manager", []),
        ("admin", ["ads-ctr", "search-rank"]),
    ],
)
def test_index_lists_the_products_one_manages(cast: Any, who: str, listed: list[str]) -> None:
    response = web(cast, who).get("/tokens/")
    assert response.status_code == 200
    assert [p.slug for p in response.context["products"]] == listed


def test_pages_send_anonymous_visitors_and_bearer_tokens_to_login(cast: Any) -> None:
    token, raw = token_create(product=cast.product, name="ci")
    for path in ["/tokens/", "/tokens/ads-ctr/"]:
        assert web(cast, "anonymous").get(path).status_code == 302
        assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(path).status_code == 302
    response = web(cast, "anonymous").post(f"/tokens/ads-ctr/{token.pk}/revoke/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert ApiToken.objects.get().revoked_at is None


EXPECTED = {"member": 200, "other_member": 404, "manager": 403, "admin": 200, "anonymous": 302}


@pytest.mark.parametrize("who", PEOPLE)
def test_product_tokens_page(cast: Any, who: str) -> None:
    token_create(product=cast.product, name="nightly", can_read=False)
    response = web(cast, who).get("/tokens/ads-ctr/")
    assert response.status_code == EXPECTED[who]
    if response.status_code == 200:
        page = response.content.decode()
        assert "nightly" in page
        assert f"mlops_{ApiToken.objects.get().prefix}_" in page
        assert "never" in page  # last used
        assert "post evidence" in page and ">read<" not in page


@pytest.mark.parametrize("who", PEOPLE)
def test_create_shows_the_token_once(cast: Any, version: Any, who: str) -> None:
    client = web(cast, who)
    response = client.post(
        "/tokens/ads-ctr/new/", {"name": "GitHub nightly", "can_write_evidence": "on"}
    )
    assert response.status_code == EXPECTED[who]
    if response.status_code != 200:
        assert not ApiToken.objects.exists()
        return
    assert response["Cache-Control"] == "no-store"
    (raw,) = set(TOKEN_RE.findall(response.content.decode()))
    token = ApiToken.objects.get()
    assert (token.name, token.can_write_evidence, token.can_read) == ("GitHub nightly", True, False)
    assert token.created_by == getattr(cast, who)
    # The token works, and the list page does not show it again.
    assert bearer(raw).post("/api/v1/evidence/", record(), format="json").status_code == 201
    assert raw not in client.get("/tokens/ads-ctr/").content.decode()


def test_create_without_a_name_shows_the_form_again(cast: Any) -> None:
    response = web(cast, "member").post("/tokens/ads-ctr/new/", {"name": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("who", PEOPLE)
def test_revoke(cast: Any, who: str) -> None:
    token, _ = token_create(product=cast.product, name="ci")
    asked = web(cast, who).post(f"/tokens/ads-ctr/{token.pk}/revoke/")
    response = web(cast, who).post(f"/tokens/ads-ctr/{token.pk}/revoke/", {"confirmed": "1"})
    token.refresh_from_db()
    if who in {"member", "admin"}:
        assert asked.status_code == 200 and "Revoke the token “ci”?" in asked.content.decode()
        assert response.status_code == 302 and response["Location"] == "/tokens/ads-ctr/"
        assert token.revoked_at is not None
    else:
        assert response.status_code == {"anonymous": 302}.get(who, EXPECTED[who])
        assert token.revoked_at is None


def test_revoke_needs_the_token_of_that_product(cast: Any) -> None:
    other, _ = token_create(product=cast.other_product, name="ci")
    assert web(cast, "member").post(f"/tokens/ads-ctr/{other.pk}/revoke/").status_code == 404
    assert web(cast, "member").get(f"/tokens/ads-ctr/{other.pk}/revoke/").status_code == 405
    other.refresh_from_db()
    assert other.revoked_at is None


def test_the_revoked_token_is_marked_on_the_page(cast: Any) -> None:
    token, _ = token_create(product=cast.product, name="ci")
    token_revoke(token=token)
    page = web(cast, "member").get("/tokens/ads-ctr/").content.decode()
    assert "revoked" in page and "Revoke ci" not in page


# ---- command -----------------------------------------------------------------------


def test_issue_token_prints_it_once(cast: Any) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_token", "--product", "ads-ctr", "--name", "gitlab", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert TOKEN_RE.fullmatch(raw)
    token = ApiToken.objects.get()
    assert (token.product, token.name, token.can_write_evidence) == (cast.product, "gitlab", True)
    assert token.key_hash == token_hash(raw)
    assert "not shown again" in err.getvalue()


def test_issue_token_read_only(cast: Any) -> None:
    call_command("issue_token", "--product", "ads-ctr", "--read-only", stdout=io.StringIO())
    token = ApiToken.objects.get()
    assert (token.name, token.can_write_evidence, token.can_read) == ("ci", False, True)


def test_issue_token_for_an_unknown_product(db: Any) -> None:
    with pytest.raises(CommandError, match="No product"):
        call_command("issue_token", "--product", "nope", stdout=io.StringIO())


def test_token_pages_speak_japanese(cast: Any) -> None:
    client = web(cast, "member")
    client.cookies["django_language"] = "ja"
    page = client.get("/tokens/ads-ctr/").content.decode()
    assert "ads-ctr" in page or "Ads Ctr" in page
    assert "新しいトークン" in page and "トークンを作成" in page
