"""Questionnaire versions (DESIGN §2, §6.1): loading, publishing, immutability."""

import pytest

from surveys.core.errors import ApplicationError
from surveys.models import Area, Item, QuestionnaireVersion
from surveys.questionnaires.services import (
    questionnaire_load,
    version_copy,
    version_publish,
    version_to_dict,
)
from tests.factories import make_version, questionnaire_data

pytestmark = pytest.mark.django_db


def test_loading_a_file_creates_areas_and_items_in_order() -> None:
    version, created = questionnaire_load(data=questionnaire_data(na_items=("data.i7",)))
    assert created and version.label == "mlts@2017.1"
    assert list(version.areas.values_list("key", flat=True)) == [
        "data",
        "model",
        "infra",
        "monitoring",
    ]
    assert version.items.count() == 28
    assert version.items.get(key="data.i7").na == {"en": "When it does not apply"}
    assert version.items.get(key="data.i1").na is None


def test_plain_strings_become_english_text() -> None:
    version, _ = questionnaire_load(data=questionnaire_data())
    assert version.items.get(key="data.i1").question == {"en": "Do you do data practice 1?"}


def test_a_published_version_never_changes() -> None:
    version = make_version()
    item = version.items.first()
    item.title = {"en": "changed"}
    with pytest.raises(ApplicationError, match="published"):
        item.save()
    with pytest.raises(ApplicationError, match="published"):
        item.delete()
    with pytest.raises(ApplicationError, match="published"):
        Area.objects.filter(version=version).first().delete()
    version.na_policy = "drop"
    with pytest.raises(ApplicationError, match="published"):
        version.save()
    assert QuestionnaireVersion.objects.get(pk=version.pk).na_policy == "rescale"
    assert Item.objects.get(pk=item.pk).title != {"en": "changed"}


def test_reloading_a_published_version_needs_identical_content() -> None:
    make_version()
    same, created = questionnaire_load(data=questionnaire_data())
    assert not created
    changed = questionnaire_data()
    changed["areas"][0]["items"][0]["title"] = "Something else"
    with pytest.raises(ApplicationError, match="already published with different content"):
        questionnaire_load(data=changed)
    assert same.items.get(key="data.i1").title["en"] == "data practice 1"


def test_a_draft_is_replaced_by_loading_it_again() -> None:
    questionnaire_load(data=questionnaire_data())
    changed = questionnaire_data(per_area=5)
    version, created = questionnaire_load(data=changed)
    assert not created and version.items.count() == 20


def test_editing_means_copying_to_a_new_draft() -> None:
    version = make_version()
    copy = version_copy(version=version, new_version="2026.1")
    assert copy.status == "draft" and copy.copied_from == version
    assert version_to_dict(version=copy)["areas"] == version_to_dict(version=version)["areas"]
    version_publish(version=copy)
    with pytest.raises(ApplicationError, match="already published"):
        version_publish(version=copy)


def test_a_bad_file_names_the_area_and_item_and_writes_nothing() -> None:
    data = questionnaire_data()
    data["areas"][1]["items"][2]["criteria"].pop("0.5")
    data["areas"][3]["items"][0]["code"] = "D1"
    data["na_policy"] = "ignore"
    with pytest.raises(ApplicationError) as info:
        questionnaire_load(data=data)
    assert info.value.details == [
        "na_policy 'ignore' must be 'rescale' or 'drop'",
        "area 'model', item 'model.i3': criteria for 0.5 is missing",
        "area 'monitoring', item 'monitoring.i1': code 'D1' is also used by "
        "area 'data', item 'data.i1'",
    ]
    assert not QuestionnaireVersion.objects.exists()


def test_the_file_round_trips() -> None:
    data = questionnaire_data(na_items=("model.i2",))
    version, _ = questionnaire_load(data=data)
    out = version_to_dict(version=version)
    again, _ = questionnaire_load(data={**out, "version": "copy"})
    assert version_to_dict(version=again)["areas"] == out["areas"]
