"""Existing data keeps its meaning under "a submission stands" (DESIGN §2): an open
round's assessment that was submitted and then touched (a draft with a submission, as the
app kept it before) becomes submitted again with its changes counted, its submitted
values read back from the answers' history; a submitted one keeps its answers as its
submission; closed rounds stay as they were closed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.migrations import before_migration, migrate

TARGET = ("surveys", "0015_submissions_stand")
T0 = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)


@pytest.mark.django_db(transaction=True)
def test_touched_submissions_are_submitted_again_with_their_changes() -> None:
    with before_migration(TARGET) as old:
        ids = _old_data(old)
        new = migrate([TARGET])
        Assessment, Answer = (
            new.get_model("surveys", "Assessment"),
            new.get_model("surveys", "Answer"),
        )
        touched = Assessment.objects.get(pk=ids["touched"])
        assert (touched.status, touched.unsubmitted_changes) == ("submitted", 1)
        changed = Answer.objects.get(pk=ids["changed"])
        assert (changed.value, changed.submitted_value, changed.submitted_note) == (
            "0",
            "1",
            "by hand",
        )
        kept = Answer.objects.get(pk=ids["kept"])
        assert (kept.value, kept.submitted_value) == ("0.5", "0.5")
        submitted = Answer.objects.get(pk=ids["submitted_answer"])
        assert submitted.submitted_value == submitted.value == "1"
        lost = Assessment.objects.get(pk=ids["closed"])
        assert lost.status == "not_submitted"  # a closed round is left as it was closed


def _old_data(apps: Any) -> dict[str, int]:
    def model(name: str) -> Any:
        return apps.get_model("surveys", name)

    questionnaire = model("Questionnaire").objects.create(key="m")
    version = model("QuestionnaireVersion").objects.create(
        questionnaire=questionnaire, version="1", status="published"
    )
    area = model("Area").objects.create(version=version, key="data", position=1)
    first = model("Item").objects.create(
        version=version, area=area, key="d.1", code="D1", position=1
    )
    second = model("Item").objects.create(
        version=version, area=area, key="d.2", code="D2", position=2
    )
    department = model("Department").objects.create(slug="d", name="D")
    product = model("Product").objects.create(slug="p", name="P", department=department)
    other = model("Product").objects.create(slug="q", name="Q", department=department)

    def round_(label: str, status: str) -> Any:
        return model("Round").objects.create(
            questionnaire=questionnaire,
            version=version,
            label=label,
            opens_on=dt.date(2026, 10, 1),
            closes_on=dt.date(2026, 10, 31),
            status=status,
        )

    open_round, closed_round = round_("2026-10", "open"), round_("2026-04", "closed")
    Assessment, Answer = model("Assessment"), model("Answer")
    touched = Assessment.objects.create(
        round=open_round, product=product, status="draft", submitted_at=T0
    )
    changed = Answer.objects.create(assessment=touched, item=first, value="0", note="")
    kept = Answer.objects.create(assessment=touched, item=second, value="0.5")
    model("AnswerRevision").objects.create(
        answer=changed, at=T0 - dt.timedelta(days=1), old_value=None, new_value="1",
        new_note="by hand",
    )  # fmt: skip
    model("AnswerRevision").objects.create(
        answer=changed, at=T0 + dt.timedelta(hours=1), old_value="1", new_value="0",
        old_note="by hand", new_note="",
    )  # fmt: skip
    submitted = Assessment.objects.create(
        round=open_round, product=other, status="submitted", submitted_at=T0
    )
    submitted_answer = Answer.objects.create(assessment=submitted, item=first, value="1")
    closed = Assessment.objects.create(
        round=closed_round, product=product, status="not_submitted", submitted_at=T0
    )
    return {
        "touched": touched.pk,
        "changed": changed.pk,
        "kept": kept.pk,
        "submitted_answer": submitted_answer.pk,
        "closed": closed.pk,
    }
