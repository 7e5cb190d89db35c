"""The autosave body (DESIGN §7: no input reaches a 500 or loses data): a body without
``value`` is refused, a form body is refused, text fields left out are kept, and any JSON
at all answers 200, 400 or 409 with the answer either saved as sent or untouched."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.models import Answer
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(version: Any, cast: Any) -> Any:
    """An open round's assessment with every item answered 1, a note and a link."""
    rnd = factories.make_round(version, products=(cast.product,))
    assessment = factories.make_assessment(rnd, cast.product, default="1")
    assessment.answers.update(note="kept", evidence_url="https://ci.example/run/1")
    return assessment


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _stored(assessment: Any, key: str = "data.i1") -> tuple[Any, ...]:
    a = Answer.objects.get(assessment=assessment, item__key=key)
    return (a.value, a.na_reason, a.note, a.evidence_url, a.revision)


def _url(assessment: Any, key: str = "data.i1") -> str:
    item = assessment.round.version.items.get(key=key)
    return f"/assessments/{assessment.pk}/items/{item.pk}/"


@pytest.mark.parametrize("body", [{}, {"note": "x"}, {"base_revision": 0, "evidence_url": ""}])
def test_a_body_without_a_value_is_refused_and_clears_nothing(
    answered: Any, cast: Any, body: dict[str, Any]
) -> None:
    before = _stored(answered)
    response = _client(cast.member).post(
        _url(answered), json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert "value is missing" in response.json()["error"]
    assert _stored(answered) == before


def test_an_explicit_null_still_clears_the_answer(answered: Any, cast: Any) -> None:
    body = {"value": None, "note": "", "na_reason": "", "evidence_url": "", "base_revision": 0}
    response = _client(cast.member).post(
        _url(answered), json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200
    assert _stored(answered) == (None, "", "", "", 1)


def test_text_fields_left_out_are_kept(answered: Any, cast: Any) -> None:
    response = _client(cast.member).post(
        _url(answered),
        json.dumps({"value": "0.5", "base_revision": 0}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert _stored(answered) == ("0.5", "", "kept", "https://ci.example/run/1", 1)


@pytest.mark.parametrize("multipart", [True, False])
def test_a_form_body_is_refused_with_a_message(answered: Any, cast: Any, multipart: bool) -> None:
    before = _stored(answered)
    client = _client(cast.member)
    data = {"value": "0", "note": ""}
    if multipart:
        response = client.post(_url(answered), data)  # the test client's multipart default
    else:
        response = client.post(
            _url(answered), "value=0&note=", content_type="application/x-www-form-urlencoded"
        )
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]
    assert _stored(answered) == before


@pytest.mark.parametrize("who", ["other_member", "manager", "anonymous"])
def test_the_cast_without_edit_rights_changes_nothing(answered: Any, cast: Any, who: str) -> None:
    before = _stored(answered)
    client = Client() if who == "anonymous" else _client(getattr(cast, who))
    body = json.dumps({"value": "0", "base_revision": 0})
    response = client.post(_url(answered), body, content_type="application/json")
    assert response.status_code in {401, 403, 404}
    assert _stored(answered) == before


def test_a_ci_token_of_another_product_changes_nothing(answered: Any, cast: Any) -> None:
    before = _stored(answered)
    response = Client().post(
        _url(answered),
        json.dumps({"value": "0", "base_revision": 0}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {cast.foreign_token}",
    )
    assert response.status_code in {401, 403, 404}
    assert _stored(answered) == before


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_field = st.one_of(
    st.none(),
    st.sampled_from(["0", "0.5", "1", "NA", "N/A", "", "2", "x", 0, 1, 0.5, 1.5, True]),
    _json,
)
_bodies = st.one_of(
    _json,
    st.fixed_dictionaries(
        {},
        optional={
            "value": _field,
            "note": _field,
            "na_reason": _field,
            "evidence_url": st.one_of(_field, st.just("https://ci.example/x")),
            "base_revision": st.one_of(st.integers(-5, 2**40), _field),
        },
    ),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=_bodies)
def test_any_json_body_gets_a_clear_answer_and_loses_nothing(
    answered: Any, cast: Any, body: Any
) -> None:
    before = _stored(answered)
    client = _client(cast.member)
    response = client.post(_url(answered), json.dumps(body), content_type="application/json")
    assert response.status_code in {200, 400, 409}, response.content
    assert response.json().get("error") or response.status_code == 200
    after = _stored(answered)
    if response.status_code != 200:
        assert after == before
        return
    # Saved: exactly what was sent, and what was left out kept as it was.
    _value, _na_reason, note, link, _revision = after
    sent = body if isinstance(body, dict) else {}
    assert "value" in sent
    if "note" not in sent:
        assert note == before[2]
    if "evidence_url" not in sent:
        assert link == before[3]
    # Put the answer back, so every example starts from the same stored answer.
    Answer.objects.filter(assessment=answered, item__key="data.i1").update(
        value=before[0],
        na_reason=before[1],
        note=before[2],
        evidence_url=before[3],
        revision=before[4],
    )


def test_an_na_without_a_reason_keeps_the_stored_reason(answered: Any, cast: Any) -> None:
    key = "data.i7"  # allows N/A
    Answer.objects.filter(assessment=answered, item__key=key).update(
        value="NA", na_reason="no such data"
    )
    response = _client(cast.member).post(
        _url(answered, key),
        json.dumps({"value": "NA", "note": "checked again"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert _stored(answered, key)[:3] == ("NA", "no such data", "checked again")
