"""The no-JavaScript form of the assessment page changes only what it names, and evidence
links must be web addresses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from surveys.models import Answer, AnswerRevision
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(version: Any, cast: Any) -> Any:
    """An open round's assessment with every item answered 1, a note and a link."""
    rnd = factories.make_round(version, products=(cast.product,))
    assessment = factories.make_assessment(rnd, cast.product, default="1")
    assessment.answers.update(note="kept", evidence_url="https://ci.example/run/1")
    return assessment


def _member(cast: Any) -> Client:
    client = Client()
    client.force_login(cast.member)
    return client


def _stored(assessment: Any) -> dict[str, tuple[Any, ...]]:
    return {
        a.item.key: (a.value, a.note, a.evidence_url, a.revision)
        for a in Answer.objects.filter(assessment=assessment).select_related("item")
    }


def test_a_post_naming_one_item_changes_only_that_item(answered: Any, cast: Any) -> None:
    item = answered.round.version.items.get(key="data.i1")
    before = _stored(answered)
    response = _member(cast).post(
        f"/assessments/{answered.pk}/", {f"v-{item.pk}": "0.5", f"rev-{item.pk}": "0"}, follow=True
    )
    assert "Saved 1 answer(s)." in response.content.decode()
    after = _stored(answered)
    assert after.pop("data.i1") == ("0.5", "kept", "https://ci.example/run/1", 1)
    before.pop("data.i1")
    assert after == before  # 27 other answers: value, note, link and revision untouched
    assert AnswerRevision.objects.filter(answer__assessment=answered).count() == 1


def test_a_post_naming_only_a_note_keeps_the_value(answered: Any, cast: Any) -> None:
    item = answered.round.version.items.get(key="model.i2")
    _member(cast).post(f"/assessments/{answered.pk}/", {f"n-{item.pk}": "new note"})
    assert _stored(answered)["model.i2"] == ("1", "new note", "https://ci.example/run/1", 1)


def test_a_post_without_revisions_names_no_conflict(answered: Any, cast: Any) -> None:
    # Answers already at revision 3: a hand-made POST that names no revision still saves.
    answered.answers.update(revision=3)
    item = answered.round.version.items.get(key="data.i2")
    response = _member(cast).post(f"/assessments/{answered.pk}/", {f"v-{item.pk}": "0"})
    assert response.status_code == 302
    assert _stored(answered)["data.i2"][0] == "0"


def test_an_answer_named_empty_is_cleared(answered: Any, cast: Any) -> None:
    item = answered.round.version.items.get(key="infra.i3")
    _member(cast).post(f"/assessments/{answered.pk}/", {f"v-{item.pk}": "", f"rev-{item.pk}": "0"})
    stored = _stored(answered)
    assert stored["infra.i3"][0] is None
    assert sum(1 for value, *_ in stored.values() if value == "1") == 27


def test_a_stale_revision_still_refuses_with_a_message(answered: Any, cast: Any) -> None:
    answered.answers.update(revision=2)
    item = answered.round.version.items.get(key="data.i1")
    response = _member(cast).post(
        f"/assessments/{answered.pk}/", {f"v-{item.pk}": "0", f"rev-{item.pk}": "1"}, follow=True
    )
    assert "someone else changed this answer" in response.content.decode()
    assert _stored(answered)["data.i1"][0] == "1"


BAD_LINKS = [
    '"><img src=x onerror=alert(1)>',
    'https://ci.example/"><img src=x onerror=alert(1)>',
    "https://ci.example/run/<script>",
    "javascript:alert(1)",
    "https://ci.example/a b",
    "https://ci.example/%zz",
]


@pytest.mark.parametrize("link", BAD_LINKS)
def test_the_form_refuses_an_evidence_link_that_is_no_web_address(
    answered: Any, cast: Any, link: str
) -> None:
    item = answered.round.version.items.get(key="data.i1")
    response = _member(cast).post(
        f"/assessments/{answered.pk}/", {f"e-{item.pk}": link, f"rev-{item.pk}": "0"}, follow=True
    )
    assert "D1: The evidence link must be a web address (http or https)." in (
        response.content.decode()
    )
    assert _stored(answered)["data.i1"][2] == "https://ci.example/run/1"


@pytest.mark.parametrize("link", BAD_LINKS)
def test_autosave_refuses_an_evidence_link_that_is_no_web_address(
    answered: Any, cast: Any, link: str
) -> None:
    item = answered.round.version.items.get(key="data.i1")
    response = _member(cast).post(
        f"/assessments/{answered.pk}/items/{item.pk}/",
        json.dumps({"value": "1", "evidence_url": link, "base_revision": 0}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "web address" in response.json()["error"]
    assert _stored(answered)["data.i1"][2] == "https://ci.example/run/1"


@pytest.mark.parametrize(
    "link",
    ["https://ci.example/run/42?job=a&b=%20#x", "https://例え.jp/パス", "http://[::1]:8000/x"],
)
def test_real_web_addresses_are_kept(answered: Any, cast: Any, link: str) -> None:
    item = answered.round.version.items.get(key="data.i1")
    _member(cast).post(
        f"/assessments/{answered.pk}/", {f"e-{item.pk}": link, f"rev-{item.pk}": "0"}
    )
    assert _stored(answered)["data.i1"][2] == link
