"""At the close, the last submission counts (DESIGN §2): Alice submits (all 1), touches an
answer, the round closes; the product is scored as submitted, the change stays in the
history unscored, and the close page says so beforehand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from reports.figures.selectors import item_value_counts
from surveys.assessments.services import answer_set, assessment_submit
from surveys.models import Answer, AnswerRevision, AssessmentStatus, RoundEventKind
from surveys.rounds import services
from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 10, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def touched(version: Any, cast: Any) -> Any:
    """A round where the product submitted every item at 1, then changed one to 0."""
    rnd = factories.make_round(
        version,
        opens_on=dt.date(2026, 10, 1),
        closes_on=dt.date(2026, 10, 31),
        products=(cast.product, cast.other_product),
    )
    assessment = factories.make_assessment(rnd, cast.product, default="1")
    assessment = assessment_submit(assessment=assessment, by=cast.member)
    item = rnd.version.items.get(key="monitoring.i1")
    answer_set(assessment=assessment, item=item, value="0", base_revision=None, by=cast.member)
    factories.make_assessment(rnd, cast.other_product, status=AssessmentStatus.NOT_STARTED)
    assessment.refresh_from_db()
    return assessment


def test_the_open_round_reads_the_submission_not_the_unsubmitted_change(touched: Any) -> None:
    assert touched.status == AssessmentStatus.SUBMITTED and touched.unsubmitted_changes == 1
    assert touched.final_score == 7.0
    counts = dict(
        ((key, value), n)
        for key, value, n in item_value_counts(round_ids=[touched.round_id])[touched.round_id]
    )
    assert counts[("monitoring.i1", "1")] == 1 and ("monitoring.i1", "0") not in counts


def test_the_close_counts_the_last_submission_and_keeps_the_change_in_history(
    touched: Any, cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = services.round_close(round=touched.round, now=NOW, notify=False)
    assert result is not None and result.submitted == 1 and result.unsubmitted_changes == 1
    touched.refresh_from_db()
    assert (touched.status, touched.final_score) == (AssessmentStatus.SUBMITTED, 7.0)
    assert touched.unsubmitted_changes == 0
    answer = Answer.objects.get(assessment=touched, item__key="monitoring.i1")
    assert answer.value == "1"  # what the closed round holds is what was submitted
    history = list(
        AnswerRevision.objects.filter(answer=answer)
        .order_by("id")
        .values_list("old_value", "new_value", "source")
    )
    assert history == [("1", "0", "web"), ("0", "1", "job")]
    event = touched.round.events.get(kind=RoundEventKind.CLOSED)
    assert event.details["unsubmitted_changes"] == 1


def test_the_close_page_counts_unsubmitted_changes_beforehand(touched: Any, client: Any, cast: Any):
    client.force_login(cast.admin)
    html = client.get(reverse("rounds:close", args=[touched.round_id])).content.decode()
    assert "1 submitted assessment has changes made after its submission (1 answers)" in html
    assert "its last submission counts" in html


def test_the_page_shows_unsubmitted_changes_and_discards_them(
    touched: Any, client: Any, cast: Any
) -> None:
    client.force_login(cast.member)
    url = reverse("assessment", args=[touched.pk])
    html = client.get(url).content.decode()
    assert "1 answer changed since the last submission." in html
    assert "Discard changes" in html and 'id="receipt"' in html
    response = client.post(reverse("assessment-discard", args=[touched.pk]), follow=True)
    html = response.content.decode()
    assert "Discarded 1 change: the answers are as last submitted." in html
    touched.refresh_from_db()
    assert touched.unsubmitted_changes == 0
    assert Answer.objects.get(assessment=touched, item__key="monitoring.i1").value == "1"


@pytest.mark.parametrize("who", ["other_member", "manager"])
def test_only_the_team_and_admins_discard(touched: Any, client_for: Any, who: str) -> None:
    response = client_for(who).post(reverse("assessment-discard", args=[touched.pk]))
    assert response.status_code in (403, 404)
    touched.refresh_from_db()
    assert touched.unsubmitted_changes == 1


def test_an_autosave_says_how_many_changes_are_unsubmitted(touched: Any, client: Any, cast: Any):
    client.force_login(cast.member)
    item = touched.round.version.items.get(key="monitoring.i2")
    response = client.post(
        reverse("assessment-answer", args=[touched.pk, item.pk]),
        {"value": "0.5"},
        content_type="application/json",
    )
    body = response.json()
    assert body["status"] == "submitted" and body["unsubmitted_changes"] == 2
    assert body["unsubmitted_text"] == "2 answers changed since the last submission."
    response = client.post(
        reverse("assessment-answer", args=[touched.pk, item.pk]),
        {"value": "1"},
        content_type="application/json",
    )
    assert response.json()["unsubmitted_changes"] == 1


def test_the_home_page_shows_unsubmitted_changes(touched: Any, client: Any, cast: Any) -> None:
    client.force_login(cast.member)
    html = client.get(reverse("home")).content.decode()
    assert "1 unsubmitted change" in html
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "未提出の変更 1 件" in html
