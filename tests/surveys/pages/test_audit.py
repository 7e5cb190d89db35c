"""The audit page: admins only; audit events, round events and answer revisions in one
list, filtered by who, what and when."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from surveys.assessments.services import answer_set
from surveys.models import AuditEvent, RoundEvent, RoundEventKind
from surveys.organisation import services as org
from surveys.tokens.services import token_create, token_revoke
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["member", "other_member", "manager"])
def test_only_admins_read_the_audit(client: Any, cast: Any, who: str) -> None:
    client.force_login(getattr(cast, who))
    assert client.get(reverse("audit:list")).status_code == 403


def test_anonymous_and_tokens_are_refused(client: Any, cast: Any) -> None:
    _, raw = token_create(product=cast.other_product, name="ci", by=cast.admin)
    assert client.get(reverse("audit:list")).status_code == 302
    response = client.get(reverse("audit:list"), HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code in (302, 403)


def test_one_list_of_every_recorded_change_filtered_by_who_what_when(
    client: Any, cast: Any, version: Any
) -> None:
    rnd = factories.make_round(version)
    assessment = factories.make_assessment(rnd, cast.product)
    item = version.items.get(key="data.i1")
    with time_machine.travel(dt.datetime(2026, 10, 2, 9, tzinfo=dt.UTC), tick=False):
        answer_set(assessment=assessment, item=item, value="1", base_revision=None, by=cast.member)
        RoundEvent.objects.create(round=rnd, kind=RoundEventKind.RESCORED, by=cast.admin)
    with time_machine.travel(dt.datetime(2026, 10, 5, 9, tzinfo=dt.UTC), tick=False):
        org.product_archive(product=cast.other_product, by=cast.admin)
        token, _ = token_create(product=cast.product, name="ci-main", by=cast.admin)
        token_revoke(token=token, by=cast.admin)
    client.force_login(cast.admin)

    def rows(**query: str) -> list[tuple[str, str]]:
        entries = client.get(reverse("audit:list"), query).context["entries"]
        return [(e.action, e.target) for e in entries]

    everything = rows()
    assert ("Answer changed", "Ads Ctr · 2026-10 · D1") in everything
    assert ("Round: Re-scored", "2026-10") in everything
    assert ("Product archived", "Search Rank") in everything
    assert ("Token revoked", "ads-ctr: ci-main (" + token.prefix + "…)") in everything
    assert rows(who="member") == [("Answer changed", "Ads Ctr · 2026-10 · D1")]
    assert rows(category="scores") == [("Round: Re-scored", "2026-10")]
    assert [a for a, _ in rows(category="tokens")] == ["Token revoked", "Token created"]
    assert {a for a, _ in rows(since="2026-10-04")} == {
        "Product archived", "Token created", "Token revoked",
    }  # fmt: skip
    assert {a for a, _ in rows(until="2026-10-03")} >= {"Answer changed", "Round: Re-scored"}
    bad = client.get(reverse("audit:list"), {"since": "not-a-date"})
    assert bad.status_code == 200 and "Enter a valid date" in bad.content.decode()
    assert AuditEvent.objects.filter(category="organisation").count() == 1


def test_japanese_audit_page(client: Any, cast: Any) -> None:
    client.force_login(cast.admin)
    page = client.get(reverse("audit:list"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "監査" in page
