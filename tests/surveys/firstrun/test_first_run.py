"""A new deployment's first start loads what people answer (DESIGN §8, deploy/start.sh)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.management import call_command

from surveys.guidelines.models import Guideline
from surveys.models import Questionnaire, QuestionnaireVersion

ROOT = Path(__file__).resolve().parents[3]


def _run() -> str:
    out = io.StringIO()
    call_command("first_run", stdout=out)
    return out.getvalue()


def test_first_run_loads_the_published_questionnaire_and_the_guidelines(db: Any) -> None:
    said = _run()
    version = QuestionnaireVersion.objects.get()
    assert version.label == "mlts@2017.1" and version.is_published
    assert version.items.count() == 28
    pages = {p.name.split(".")[0] for p in (ROOT / "fixtures/guidelines").glob("*.md")}
    assert set(Guideline.objects.values_list("slug", flat=True)) == pages
    assert "Loaded and published the questionnaire mlts@2017.1." in said


def test_a_second_run_changes_nothing_an_administrator_made(db: Any) -> None:
    _run()
    guideline = Guideline.objects.first()
    assert guideline is not None
    Guideline.objects.filter(pk=guideline.pk).update(slug="edited-by-admin")
    said = _run()
    assert Questionnaire.objects.count() == 1 and QuestionnaireVersion.objects.count() == 1
    assert Guideline.objects.filter(slug="edited-by-admin").exists()
    assert "already there" in said


def test_a_deployment_that_has_its_own_questionnaire_gets_no_second_one(version: Any) -> None:
    _run()
    assert list(Questionnaire.objects.values_list("key", flat=True)) == [version.questionnaire.key]


def test_the_container_starts_with_this_script_over_plain_http() -> None:
    compose = (ROOT / "compose.yaml").read_text()
    assert 'CMD ["deploy/start.sh"]' in (ROOT / "Dockerfile").read_text()
    assert "SECURE_SSL_REDIRECT: ${SECURE_SSL_REDIRECT:-0}" in compose
    assert "manage.py first_run" in (ROOT / "deploy/start.sh").read_text()
    assert "deploy/check_start.sh" in (ROOT / ".ci/run").read_text()
