"""The product page (history chart, claimed vs verified, next steps) for the whole cast."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import plotly.graph_objects as go
import pytest

from surveys.assessments.scores import assessments_score_store
from surveys.models import AssessmentStatus, RoundStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(version: Any, cast: Any) -> list[Any]:
    """Two closed, scored rounds of the cast's product, then an open one."""
    old = factories.make_round(
        version, label="2025-10", opens_on=dt.date(2025, 10, 1), status=RoundStatus.CLOSED
    )
    mid = factories.make_round(
        version, label="2026-04", opens_on=dt.date(2026, 4, 1), status=RoundStatus.CLOSED
    )
    first = factories.make_assessment(old, cast.product, default="0.5", status="submitted")
    values = {f"monitoring.i{n}": "0" for n in range(1, 4)}
    second = factories.make_assessment(mid, cast.product, values, default="1", status="submitted")
    assessments_score_store(round=old, assessments=[first], source="web")
    assessments_score_store(round=mid, assessments=[second], source="web")
    factories.make_evidence(
        cast.product, "data.i1", observed_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    )
    assessments_score_store(round=mid, assessments=[second], source="web")
    return [first, second]


@pytest.mark.parametrize(
    "who, status",
    [
        ("member", 200),
        ("other_member", 404),
        ("manager", 200),
        ("admin", 200),
        ("anonymous", 302),
        ("foreign_token", 302),
    ],
)
def test_who_may_see_the_product_page(
    history: Any, cast: Any, client_for: Any, who: str, status: int
):
    response = client_for(who).get(f"/products/{cast.product.slug}/")
    assert response.status_code == status
    if status == 302:
        assert "/accounts/login/" in response["Location"]


def test_history_chart_table_and_next_steps(history: Any, cast: Any, client_for: Any):
    html = client_for("member").get(f"/products/{cast.product.slug}/").content.decode()
    assert '<script src="/static/vendor/plotly-cartesian.min.js">' in html
    assert "cdn" not in html.lower()
    figure = json.loads(re.search(r'id="history-figure"[^>]*>(.*?)</script>', html, re.S)[1])
    final = figure["data"][0]
    assert final["x"] == ["2025-10", "2026-04"] and final["y"] == [3.5, 4.0]
    assert {trace["name"] for trace in figure["data"]} >= {"Final score", "Data", "Monitoring"}
    # Plotly's own form (validated by go.Figure), titles as objects for plotly.js.
    assert json.loads(go.Figure(figure).to_json()) == figure
    assert figure["layout"]["yaxis"]["title"] == {"text": "Score"}
    # Verified: only data.i1 is backed, every other 1 counts 0.5 (monitoring 4 × 0.5).
    assert re.search(r"<td class=\"num\">4.00</td>\s*<td class=\"num\">2.00", html)
    assert "Bottleneck" in html and '<span class="badge bad">Monitoring</span>' in html
    steps = re.findall(r"<li><strong>(MON\d)</strong>", html)
    assert steps and set(steps) <= {"MON1", "MON2", "MON3"}
    assert "0 → 0.5" in html
    assert "final score +" in html


def test_a_product_without_scores_says_so(version: Any, cast: Any, client_for: Any):
    html = client_for("admin").get(f"/products/{cast.other_product.slug}/").content.decode()
    assert "No scored round yet." in html
    assert "plotly-cartesian.min.js" not in html


def test_not_submitted_drafts_are_not_in_the_history(version: Any, cast: Any, client_for: Any):
    rnd = factories.make_round(version, label="2025-10", status=RoundStatus.CLOSED)
    draft = factories.make_assessment(
        rnd, cast.product, default="1", status=AssessmentStatus.NOT_SUBMITTED
    )
    html = client_for("member").get(f"/products/{cast.product.slug}/").content.decode()
    assert "No scored round yet." in html
    assert f'href="/assessments/{draft.pk}/"' in html
