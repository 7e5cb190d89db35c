"""``evidence_period_days`` of an item (DESIGN §6.1): loaded, dumped, edited in the
studio, and the period of the watches it starts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from surveys.core.errors import ApplicationError
from surveys.models import Item, Watch
from surveys.questionnaires.services import questionnaire_load, version_copy, version_to_dict
from surveys.studio.views import item_flat
from tests import factories

from .conftest import post

pytestmark = pytest.mark.django_db


def _data(**periods: int) -> dict[str, Any]:
    data = factories.questionnaire_data(key="watched", per_area=2)
    for area in data["areas"]:
        for item in area["items"]:
            if item["key"] in periods:
                item["evidence_period_days"] = periods[item["key"]]
    return data


def test_loaded_dumped_and_defaulting_to_7() -> None:
    version, _ = questionnaire_load(data=_data(**{"data.i1": 1}), publish=True)
    assert dict(version.items.values_list("key", "evidence_period_days"))["data.i1"] == 1
    assert version.items.get(key="data.i2").evidence_period_days == 7
    items = {i["key"]: i for a in version_to_dict(version=version)["areas"] for i in a["items"]}
    assert items["data.i1"]["evidence_period_days"] == 1
    assert "evidence_period_days" not in items["data.i2"]  # the default stays implicit
    # Loading the dump again is the same content: no new version, no refusal.
    again, created = questionnaire_load(data=version_to_dict(version=version), publish=True)
    assert again == version and not created


def test_a_file_without_the_key_keeps_its_content_hash() -> None:
    plain, _ = questionnaire_load(data=_data(), publish=True)
    explicit = _data(**{"data.i1": 7})
    explicit["version"] = plain.version
    assert questionnaire_load(data=explicit, publish=True)[0] == plain


@pytest.mark.parametrize("bad", [0, 400, "daily", 1.5, True, None])
def test_a_bad_period_is_refused_naming_the_item(bad: Any) -> None:
    with pytest.raises(ApplicationError) as refused:
        questionnaire_load(data=_data(**{"data.i2": bad}))
    assert "data.i2" in str(refused.value.details) or "data.i2" in refused.value.message


def test_a_copy_keeps_the_period_and_the_studio_edits_it(cast: Any, client: Any) -> None:
    version, _ = questionnaire_load(data=_data(**{"data.i1": 2}), publish=True)
    draft = version_copy(version=version, new_version="2027.1")
    item = draft.items.get(key="data.i1")
    assert item.evidence_period_days == 2
    client.force_login(cast.admin)
    url = reverse("questionnaires:item", args=[item.pk])
    data = {**item_flat(item), "revision": item.revision, "evidence_period_days": "30"}
    assert client.post(url, data, content_type="application/json").status_code == 200
    assert Item.objects.get(pk=item.pk).evidence_period_days == 30
    data = {**item_flat(item), "revision": item.revision + 1, "evidence_period_days": "0"}
    response = client.post(url, data, content_type="application/json")
    assert response.status_code == 400
    assert Item.objects.get(pk=item.pk).evidence_period_days == 30
    page = client.get(reverse("questionnaires:version", args=[draft.pk])).content.decode()
    assert 'name="evidence_period_days" value="30"' in page


def test_a_new_watch_takes_the_period_of_the_newest_version(cast: Any) -> None:
    questionnaire_load(data=_data(**{"data.i1": 1}), publish=True)
    post(cast.product, item="data.i1")
    assert Watch.objects.get().period == timedelta(days=1)
