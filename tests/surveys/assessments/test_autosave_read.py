"""The read of an assessment by the autosave and the assessment pages
(``assessment_seen_by``): one hand-written statement that must give what the ORM gives,
and the same rights as every other page.

The statement is built from the models' ``_meta`` once per process (``surveys.core.joined``);
these tests compare every stored field of the five rows it reads with the ORM's reading
of them, JSON fields included, for each person of the cast.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys.assessments.selectors import assessment_seen_by
from surveys.models import Assessment, AssessmentStatus
from surveys.organisation.roles import is_admin, is_manager
from surveys.organisation.selectors import product_editable_by
from tests import factories

RELATED = ("round", "round__version", "round__version__questionnaire", "product")


def _fields(instance: Any) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _rows(assessment: Assessment) -> list[dict[str, Any]]:
    """The five rows the autosave reads, field by field."""
    round = assessment.round
    return [
        _fields(assessment),
        _fields(round),
        _fields(round.version),
        _fields(round.version.questionnaire),
        _fields(assessment.product),
    ]


@pytest.fixture
def assessment(version: Any, cast: Any) -> Assessment:
    """An assessment whose JSON, date and time fields all hold something."""
    rnd = factories.make_round(version, closes_on=dt.date(2026, 12, 20))
    rnd.reminder_days = [14, 3, 1]
    rnd.save(update_fields=["reminder_days"])
    made = factories.make_assessment(
        rnd, cast.product, {"data.i1": "1"}, status=AssessmentStatus.SUBMITTED
    )
    Assessment.objects.filter(pk=made.pk).update(
        regression={"from": 1.5, "to": 0.5, "areas": ["monitoring"]},
        submitted_at=dt.datetime(2026, 11, 3, 9, 30, tzinfo=dt.UTC),
    )
    return made


@pytest.mark.parametrize("who", ["member", "manager", "admin"])
def test_it_reads_what_the_orm_reads(assessment: Assessment, cast: Any, who: str) -> None:
    user = getattr(cast, who)
    with CaptureQueriesContext(connection) as queries:
        found = assessment_seen_by(user, assessment.pk)
    assert len(queries) == 1
    assert found is not None
    expected = Assessment.objects.select_related(*RELATED).get(pk=assessment.pk)
    assert _rows(found) == _rows(expected)
    assert found.regression == {"from": 1.5, "to": 0.5, "areas": ["monitoring"]}
    assert found.round.reminder_days == [14, 3, 1]
    assert found.submitted_at == dt.datetime(2026, 11, 3, 9, 30, tzinfo=dt.UTC)
    assert found.round.version.questionnaire.title == expected.round.version.questionnaire.title
    # The related rows came with it: reading them asks nothing more.
    with CaptureQueriesContext(connection) as queries:
        assert found.round.version.questionnaire.key
        assert found.product.slug == "ads-ctr"
    assert len(queries) == 0


@pytest.mark.parametrize("who", ["member", "other_member", "manager", "admin", "anonymous"])
def test_it_knows_the_rights_the_other_pages_know(
    assessment: Assessment, cast: Any, who: str
) -> None:
    """Seen by admins, managers and the product's members; editable by admins and members;
    the roles it read are kept for the rest of the request and agree with a fresh read."""
    user = getattr(cast, who)
    found = assessment_seen_by(user, assessment.pk)
    sees = who in ("member", "manager", "admin")
    assert (found is not None) == sees
    if not sees:
        return
    kept = (is_admin(user), is_manager(user), product_editable_by(user, cast.product.pk))
    fresh = type(user).objects.get(pk=user.pk)
    assert kept == (
        is_admin(fresh),
        is_manager(fresh),
        product_editable_by(fresh, cast.product.pk),
    )
    admin, manager, edits = kept
    assert admin == (who == "admin")
    assert manager == (who == "manager")
    assert edits == (who in ("member", "admin"))


def test_an_assessment_that_is_not_there_reads_nothing(assessment: Assessment, cast: Any) -> None:
    assert assessment_seen_by(cast.admin, assessment.pk + 1000) is None


def test_the_answer_a_save_locks_is_the_answer_the_orm_reads(assessment: Assessment) -> None:
    from django.db import transaction

    from surveys.assessments.services import _answer_locked
    from surveys.models import Answer

    stored = Answer.objects.get(assessment=assessment, item__key="data.i1")
    Answer.objects.filter(pk=stored.pk).update(note="checked by hand", revision=3)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        found = _answer_locked(assessment.pk, stored.item_id)
    assert found is not None
    assert _fields(found) == _fields(Answer.objects.get(pk=stored.pk))
    assert (found.value, found.note, found.revision) == ("1", "checked by hand", 3)
    locked = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert len(locked) == (1 if connection.vendor == "postgresql" else 0)
    assert _answer_locked(assessment.pk, stored.item_id + 1000) is None
