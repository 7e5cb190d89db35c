"""The assessment page and its JSON save endpoint, for the whole permission cast."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from surveys.models import Answer, AssessmentStatus, CarryStatus, RoundStatus
from tests import factories

pytestmark = pytest.mark.django_db

READERS = {"member": 200, "other_member": 404, "manager": 200, "admin": 200}
EDITORS = {"member": 200, "other_member": 404, "manager": 403, "admin": 200}


@pytest.fixture
def assessment(version: Any, cast: Any) -> Any:
    rnd = factories.make_round(version, products=(cast.product,))
    return factories.make_assessment(rnd, cast.product)


def client_for(cast: Any, who: str | None) -> Client:
    client = Client()
    if who:
        client.force_login(getattr(cast, who))
    return client


def save(client: Client, assessment: Any, key: str, **payload: Any) -> Any:
    item = assessment.round.version.items.get(key=key)
    return client.post(
        reverse("assessment-answer", args=[assessment.pk, item.pk]),
        data=json.dumps({"base_revision": 0, **payload}),
        content_type="application/json",
    )


@pytest.mark.parametrize("who", [*READERS, None])
def test_who_may_read_the_assessment_page(assessment: Any, cast: Any, who: str | None):
    response = client_for(cast, who).get(f"/assessments/{assessment.pk}/")
    if who is None:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        return
    assert response.status_code == READERS[who]
    if response.status_code == 200:
        html = response.content.decode()
        assert "0 of 28 answered" in html
        editable = who in ("member", "admin")
        assert ('id="submit-form"' in html) is editable
        assert ("survey/assessment.js" in html) is editable
        assert ("You may read this assessment but not change it." in html) is not editable


@pytest.mark.parametrize("who", [*EDITORS, None])
def test_who_may_save_an_answer(assessment: Any, cast: Any, who: str | None):
    response = save(client_for(cast, who), assessment, "data.i1", value="1")
    expected = 401 if who is None else EDITORS[who]
    assert response.status_code == expected
    stored = Answer.objects.get(assessment=assessment, item__key="data.i1").value
    assert stored == ("1" if expected == 200 else None)


@pytest.mark.parametrize("who", [*EDITORS, None])
def test_who_may_submit(assessment: Any, cast: Any, who: str | None):
    assessment.answers.update(value="0.5")
    response = client_for(cast, who).post(f"/assessments/{assessment.pk}/submit/")
    assessment.refresh_from_db()
    if who is None:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == (302 if EDITORS[who] == 200 else EDITORS[who])
    submitted = who in ("member", "admin")
    assert (assessment.status == AssessmentStatus.SUBMITTED) is submitted


def test_save_answers_json_with_the_live_score_panel(assessment: Any, cast: Any):
    assessment.answers.update(value="1")
    assessment.answers.filter(item__key="data.i1").update(value=None)
    client = client_for(cast, "member")
    body = save(client, assessment, "data.i1", value="0.5", note="checked by hand").json()
    assert body["answer"]["value"] == "0.5" and body["answer"]["revision"] == 1
    panel = body["panel"]
    assert (panel["answered"], panel["total"], panel["complete"]) == (28, 28, True)
    assert panel["final"] == pytest.approx(6.5) and panel["band"] == ">5"
    assert [a["key"] for a in panel["areas"] if a["bottleneck"]] == ["data"]
    assert "6.50" in body["panel_html"] and "bottleneck" in body["panel_html"]
    assert body["status"] == "draft"


def test_save_refuses_na_without_reason_with_a_message(assessment: Any, cast: Any):
    response = save(client_for(cast, "member"), assessment, "data.i7", value="NA")
    assert response.status_code == 400
    assert "Give a reason why D7 does not apply." in response.json()["error"]


def test_conflict_answers_409_with_both_values(assessment: Any, cast: Any):
    save(client_for(cast, "admin"), assessment, "model.i2", value="1", note="automated")
    response = save(client_for(cast, "member"), assessment, "model.i2", value="0")
    assert response.status_code == 409
    body = response.json()
    assert body["yours"]["value"] == "0"
    assert (body["theirs"]["value"], body["theirs"]["note"]) == ("1", "automated")
    assert body["theirs"]["by"] == "admin" and body["theirs"]["revision"] == 1
    assert Answer.objects.get(assessment=assessment, item__key="model.i2").value == "1"
    overwrite = save(client_for(cast, "member"), assessment, "model.i2", value="0", base_revision=1)
    assert overwrite.status_code == 200


def test_closed_round_is_read_only_for_everyone(assessment: Any, cast: Any):
    assessment.round.status = RoundStatus.CLOSED
    assessment.round.save()
    for who in ("member", "admin"):
        client = client_for(cast, who)
        page = client.get(f"/assessments/{assessment.pk}/").content.decode()
        assert "This round is closed: the assessment is read-only." in page
        assert re.search(r'<fieldset class="item[^"]*"[^>]*disabled', page)
        assert save(client, assessment, "data.i1", value="1").status_code == 403
        assert client.post(f"/assessments/{assessment.pk}/submit/").status_code == 403
        assert client.post(f"/assessments/{assessment.pk}/", {"v-1": "1"}).status_code == 403


def test_the_page_shows_items_as_accessible_radio_groups(assessment: Any, cast: Any):
    html = client_for(cast, "member").get(f"/assessments/{assessment.pk}/").content.decode()
    d1 = assessment.round.version.items.get(key="data.i1")
    d7 = assessment.round.version.items.get(key="data.i7")
    assert re.search(r"<legend><span class=\"code\">D1</span> data practice 1", html)
    for level, suffix in (("0", "0"), ("0.5", "05"), ("1", "1")):
        assert f'<label for="v-{d1.pk}-{suffix}">{level}</label>' in html
    assert f'for="v-{d1.pk}-na"' not in html
    assert f'<label for="v-{d7.pk}-na">N/A</label>' in html
    assert "Not applicable when: When it does not apply" in html
    assert html.count('type="radio"') == 28 * 3 + 4


def test_carried_items_are_marked_new_or_changed(assessment: Any, cast: Any):
    assessment.answers.filter(item__key="data.i1").update(carry=CarryStatus.NEW)
    assessment.answers.filter(item__key="data.i2").update(carry=CarryStatus.CHANGED)
    html = client_for(cast, "member").get(f"/assessments/{assessment.pk}/").content.decode()
    assert html.count('<span class="badge warn">new</span>') == 1
    assert html.count('<span class="badge warn">changed</span>') == 1


def test_history_shows_who_when_old_and_new(assessment: Any, cast: Any):
    client = client_for(cast, "member")
    save(client, assessment, "data.i1", value="0")
    save(client, assessment, "data.i1", value="0.5", base_revision=1)
    html = client_for(cast, "manager").get(f"/assessments/{assessment.pk}/").content.decode()
    assert "History (2 changes)" in html
    assert re.search(r"<td>member</td><td>0</td><td>0.5", html)
    assert re.search(r"<td>member</td><td>—</td><td>0", html)


def test_form_without_javascript_saves_everything(assessment: Any, cast: Any):
    items = {i.key: i for i in assessment.round.version.items.all()}
    data = {
        f"v-{items['data.i1'].pk}": "1",
        f"rev-{items['data.i1'].pk}": "0",
        f"v-{items['data.i7'].pk}": "NA",
        f"r-{items['data.i7'].pk}": "no features",
        f"rev-{items['data.i7'].pk}": "0",
        f"v-{items['model.i1'].pk}": "NA",  # not allowed
        f"rev-{items['model.i1'].pk}": "0",
    }
    response = client_for(cast, "member").post(f"/assessments/{assessment.pk}/", data, follow=True)
    html = response.content.decode()
    assert "Saved 2 answer(s)." in html
    assert "M1: N/A is not allowed for M1." in html
    values = dict(assessment.answers.values_list("item__key", "value"))
    assert (values["data.i1"], values["data.i7"], values["model.i1"]) == ("1", "NA", None)


def test_submit_messages_and_band(assessment: Any, cast: Any):
    client = client_for(cast, "member")
    html = client.post(f"/assessments/{assessment.pk}/submit/", follow=True).content.decode()
    assert "28 items are still unanswered; answer every item to submit." in html
    assessment.answers.update(value="0.5")
    html = client.post(f"/assessments/{assessment.pk}/submit/", follow=True).content.decode()
    assert "Submitted." in html
    assert "Strong automated testing (score 3–5)" in html and "3.50" in html
    assert "Strong levels of automated testing" in html


def test_evidence_badge_and_suggestion(assessment: Any, cast: Any):
    factories.make_evidence(cast.product, "data.i2", outcome="pass")
    factories.make_evidence(cast.product, "data.i3", outcome="error")
    factories.make_evidence(cast.other_product, "data.i4", outcome="pass")
    html = client_for(cast, "member").get(f"/assessments/{assessment.pk}/").content.decode()
    assert html.count("data-evidence-outcome") == 2
    assert html.count("1 is suggested") == 1
    assert "Pass</span>" in html and "Error</span>" in html


def test_evidence_outside_the_window_is_not_shown(assessment: Any, cast: Any):
    import datetime as dt

    factories.make_evidence(
        cast.product, "data.i2", observed_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )
    html = client_for(cast, "member").get(f"/assessments/{assessment.pk}/").content.decode()
    assert "data-evidence-outcome" not in html


def test_verified_score_beside_claimed_where_evidence_exists(assessment: Any, cast: Any):
    assessment.answers.update(value="1")
    factories.make_evidence(cast.product, "data.i1")
    body = save(client_for(cast, "member"), assessment, "data.i2", value="1").json()
    # Nothing changed (already 1), but the panel is still returned.
    assert body["panel"]["final"] == 7.0
    assert body["panel"]["verified"] == 3.5
    assert body["panel"]["has_evidence"] is True


def test_japanese_interface(assessment: Any, cast: Any):
    client = client_for(cast, "member")
    client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    html = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert 'lang="ja"' in html
    assert "data 実践 1" in html
    assert "0 / 28 件回答済み" in html


def test_history_times_are_the_readers_and_a_changed_note_is_marked(
    assessment: Any, cast: Any
) -> None:
    import datetime as dt

    from surveys.models import AnswerRevision, Profile

    client = client_for(cast, "member")
    save(client, assessment, "data.i1", value="0", note="first look")
    AnswerRevision.objects.filter(answer__assessment=assessment).update(
        at=dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)
    )
    Profile.objects.update_or_create(user=cast.manager, defaults={"time_zone": "Asia/Tokyo"})
    html = client_for(cast, "manager").get(f"/assessments/{assessment.pk}/").content.decode()
    # 23:30 UTC is 08:30 the next morning in Tokyo.
    assert re.search(r"<td>2026-12-01 08:30</td><td>member</td><td>—</td><td>0 ", html)
    assert "(note changed)" in html
