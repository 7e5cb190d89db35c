"""Lineage in reports: a replaced item's history continues under its new code."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from surveys.models import AssessmentStatus, RoundStatus
from surveys.questionnaires.services import questionnaire_load
from tests import factories

pytestmark = pytest.mark.django_db


def heatmap(response: Any) -> dict[str, list[float | None]]:
    body = re.search(
        r'<script id="chart-items-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert body is not None
    trace = json.loads(body.group(1))["data"][0]
    return dict(zip(trace["y"], trace["z"], strict=True))


def test_the_item_heatmap_continues_a_replaced_items_history(client: Any, cast: Any) -> None:
    v1 = factories.make_version(areas=("data", "model"), per_area=3)
    data = factories.questionnaire_data(version="2018.1", areas=("data", "model"), per_area=3)
    data["areas"][0]["items"][2] = {
        **data["areas"][0]["items"][2],
        "key": "data.alerts",
        "code": "D9",
        "title": {"en": "Alerts"},
        "replaces": "data.i3",
    }
    v2, _ = questionnaire_load(data=data, publish=True)
    old = factories.make_round(
        v1, label="2021-10", opens_on=dt.date(2021, 10, 1), status=RoundStatus.CLOSED
    )
    new = factories.make_round(
        v2, label="2022-04", opens_on=dt.date(2022, 4, 1), status=RoundStatus.CLOSED
    )
    submitted = AssessmentStatus.SUBMITTED
    factories.make_assessment(old, cast.product, {"data.i3": "0"}, default="1", status=submitted)
    factories.make_assessment(
        new, cast.product, {"data.alerts": "1"}, default="1", status=submitted
    )
    factories.score_round(old)
    factories.score_round(new)
    client.force_login(cast.manager)
    rows = heatmap(client.get("/reports/items/", {"questionnaire": "mlts", "metric": "1"}))
    assert rows["D9 Alerts"] == [0.0, 1.0]  # people read names
    assert not any(label.startswith("D3 ") for label in rows)
    assert rows["D1 data practice 1"] == [1.0, 1.0]
