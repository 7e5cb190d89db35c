from pathlib import Path

import pytest
from django.core.management import call_command

from surveys.models import Guideline
from surveys.questionnaires.services import questionnaire_load

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"


def test_shipped_guidelines_load_in_both_languages() -> None:
    call_command("load_guidelines")
    monitoring = Guideline.objects.get(slug="production-monitoring")
    assert monitoring.body["en"].startswith("# ")
    assert "ja" in monitoring.body and monitoring.title["ja"]
    for heading in ("Purpose", "Who it applies to", "Required", "Recommended"):
        assert f"## {heading}" in monitoring.body["en"]


def test_every_guideline_the_rubric_links_to_is_shipped() -> None:
    import json

    call_command("load_guidelines")
    data = json.loads((FIXTURES / "ml-test-score-2017.json").read_text(encoding="utf-8"))
    version, _ = questionnaire_load(data=data, publish=True)
    linked = set(version.items.values_list("guideline", flat=True))
    assert linked <= set(Guideline.objects.values_list("slug", flat=True))
    for area in version.areas.all():
        assert area.items.exclude(guideline="").exists(), area.key


def test_the_shipped_rubric_has_28_practices_in_four_areas_of_seven() -> None:
    import json

    data = json.loads((FIXTURES / "ml-test-score-2017.json").read_text(encoding="utf-8"))
    version, _ = questionnaire_load(data=data, publish=True)
    assert [a.items.count() for a in version.areas.order_by("position")] == [7, 7, 7, 7]
    assert list(version.areas.values_list("key", flat=True)) == [
        "data",
        "model",
        "infra",
        "monitoring",
    ]
    for item in version.items.all():
        assert set(item.criteria) == {"0", "0.5", "1"}
        assert all(item.criteria[level].get("ja") for level in item.criteria)
    na_items = version.items.exclude(na=None)
    assert 1 <= na_items.count() <= 7
    assert all(item.na.get("en") and item.na.get("ja") for item in na_items)
