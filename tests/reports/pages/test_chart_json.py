"""Every chart of the report pages is a figure Plotly accepts, in Plotly's own form
(the charts are written as plain JSON by surveys.core.plotting; Plotly is the oracle)."""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go
import pytest

from tests.reports.pages.test_pages import client_for, figures_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/reports/",
        "/reports/departments/",
        "/reports/phases/",
        "/reports/items/?metric=mean",
        "/reports/items/?metric=0",
        "/reports/items/?metric=NA",
        "/reports/bottlenecks/",
    ],
)
def test_every_chart_is_plotly_json(org: Any, cast: Any, url: str) -> None:
    charts = figures_of(client_for(cast.manager).get(url))
    assert charts
    for chart_id, figure in charts.items():
        # go.Figure validates every property (an unknown one raises) and writes its JSON.
        assert json.loads(go.Figure(figure).to_json()) == figure, chart_id
        assert figure["layout"]["template"]["layout"]["colorway"], "Plotly's template"
        titled = [figure["layout"][axis].get("title") for axis in ("xaxis", "yaxis")]
        assert all(t is None or t["text"] for t in titled), chart_id
