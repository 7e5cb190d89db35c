"""Migration 0017: the history of submissions starts with one submission per assessment
that names one (``submitted_at``, ``submitted_by``); one no longer submitted has its
submission voided (when an N/A was last rejected in it, or from the start)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.migrations import before_migration, migrate

TARGET = ("surveys", "0017_submissions_history")
T0 = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)


@pytest.mark.django_db(transaction=True)
def test_one_submission_per_submitted_assessment() -> None:
    with before_migration(TARGET) as old:
        ids = _old_data(old)
        new = migrate([TARGET])
        Submission = new.get_model("surveys", "Submission")
        rows = {s.assessment_id: (s.at, s.by_id, s.voided_at) for s in Submission.objects.all()}
        assert rows == {
            ids["submitted"]: (T0, ids["person"], None),
            ids["rejected"]: (T0, None, T0 + dt.timedelta(days=2)),
            ids["dropped"]: (T0, None, T0),
        }


def _old_data(apps: Any) -> dict[str, int]:
    def model(name: str) -> Any:
        return apps.get_model("surveys", name)

    questionnaire = model("Questionnaire").objects.create(key="m")
    version = model("QuestionnaireVersion").objects.create(
        questionnaire=questionnaire, version="1", status="published"
    )
    area = model("Area").objects.create(version=version, key="data", position=1)
    item = model("Item").objects.create(
        version=version, area=area, key="d.1", code="D1", position=1
    )
    department = model("Department").objects.create(slug="d", name="D")
    rnd = model("Round").objects.create(
        questionnaire=questionnaire,
        version=version,
        label="2026-10",
        opens_on=dt.date(2026, 10, 1),
        closes_on=dt.date(2026, 10, 31),
        status="open",
    )
    person = apps.get_model("auth", "User").objects.create(username="someone")
    Assessment = model("Assessment")

    def assessment(slug: str, **fields: Any) -> Any:
        product = model("Product").objects.create(slug=slug, name=slug, department=department)
        return Assessment.objects.create(round=rnd, product=product, **fields)

    submitted = assessment("a", status="submitted", submitted_at=T0, submitted_by=person)
    rejected = assessment("b", status="draft", submitted_at=T0)
    answer = model("Answer").objects.create(assessment=rejected, item=item, value=None)
    model("NaDecision").objects.create(
        answer=answer, status="rejected", at=T0 + dt.timedelta(days=2)
    )
    dropped = assessment("c", status="not_submitted", submitted_at=T0)
    assessment("d", status="draft")  # never submitted: no submission
    return {
        "submitted": submitted.pk,
        "rejected": rejected.pk,
        "dropped": dropped.pk,
        "person": person.pk,
    }
