"""Fixtures of the review tests: a submitted assessment of the cast's product, and a
questionnaire version whose N/A answers need an MLOps admin's approval."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from surveys.assessments.services import assessment_submit
from surveys.models import Assessment, QuestionnaireVersion
from tests import factories


def submitted(rnd: Any, product: Any, by: Any, values: dict[str, str] | None = None) -> Assessment:
    """A complete assessment (every item 1 unless ``values`` says otherwise), submitted."""
    assessment = factories.make_assessment(rnd, product, values or {}, default="1")
    return assessment_submit(assessment=assessment, by=by)


@pytest.fixture
def rnd(version: Any, cast: Any) -> Any:
    return factories.make_round(
        version, label="2026-10", products=(cast.product, cast.other_product)
    )


@pytest.fixture
def assessment(rnd: Any, cast: Any) -> Assessment:
    return submitted(rnd, cast.product, cast.member, {"monitoring.i1": "0.5"})


def require_approval(version: QuestionnaireVersion) -> None:
    """Turn on the version setting ``na_requires_approval`` (DESIGN §3)."""
    QuestionnaireVersion.objects.filter(pk=version.pk).update(na_requires_approval=True)
    version.refresh_from_db()


@pytest.fixture
def approval_version(version: Any) -> Any:
    require_approval(version)
    return version


OPENS = dt.date(2026, 10, 1)
