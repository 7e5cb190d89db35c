"""Plotly figures built as plain JSON (surveys.core.plotting) are what Plotly builds.

Plotly's own figure objects are the oracle: each operation the pages use is done both
ways, and the JSON must be the same, in the form plotly.js reads.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from typing import Any

import plotly.graph_objects as go
import pytest

from surveys.core import plotting


def plotly_json(figure: go.Figure) -> dict[str, Any]:
    return dict(json.loads(figure.to_json()))


def test_traces_and_layout_are_what_plotly_writes() -> None:
    ours = plotting.Figure(plotting.scatter(x=["a", "b"], y=[1, None], name="Final", mode="lines"))
    ours.add_trace(plotting.bar(x=["a"], y=[2], marker={"color": "#fff"}, name=None))
    ours.add_trace(plotting.heatmap(z=[[0.5, None]], x=["a", "b"], y=["i"], colorscale="RdYlGn"))
    ours.update_layout(title={"text": "T"}, height=380, yaxis={"title": "Score"})
    ours.update_layout(yaxis={"autorange": "reversed"}, legend={"orientation": "h"})
    ours.update_xaxes(type="category", tickvals=["a"], ticktext=["A<br>provisional"])
    ours.update_yaxes(gridcolor="#EBF0F8")
    ours.add_hline(y=2.0, line={"dash": "dash", "color": "#15803d"}, annotation_text="Target")
    ours.add_vline(x="b", line={"dash": "dot", "color": "#64748b"})
    ours.add_annotation(x="b", yref="paper", y=1.0, text="v2", showarrow=False)

    theirs = go.Figure(go.Scatter(x=["a", "b"], y=[1, None], name="Final", mode="lines"))
    theirs.add_trace(go.Bar(x=["a"], y=[2], marker_color="#fff"))
    theirs.add_trace(go.Heatmap(z=[[0.5, None]], x=["a", "b"], y=["i"], colorscale="RdYlGn"))
    theirs.update_layout(title={"text": "T"}, height=380, yaxis_title="Score")
    theirs.update_layout(yaxis={"autorange": "reversed"}, legend={"orientation": "h"})
    theirs.update_xaxes(type="category", tickvals=["a"], ticktext=["A<br>provisional"])
    theirs.update_yaxes(gridcolor="#EBF0F8")
    theirs.add_hline(y=2.0, line_dash="dash", line_color="#15803d", annotation_text="Target")
    theirs.add_vline(x="b", line_dash="dot", line_color="#64748b")
    theirs.add_annotation(x="b", yref="paper", y=1.0, text="v2", showarrow=False)

    assert ours.to_json() == plotly_json(theirs)


def test_a_title_given_as_text_is_an_object() -> None:
    """plotly.js 3 and later draw no title given as a bare string."""
    figure = plotting.Figure()
    figure.update_layout(xaxis={"title": "Round"}, yaxis={"title": "Score"})
    layout = figure.to_json()["layout"]
    assert layout["xaxis"]["title"] == {"text": "Round"}
    assert layout["yaxis"]["title"] == {"text": "Score"}


def test_stored_values_become_json_numbers_and_dates() -> None:
    figure = plotting.Figure(
        plotting.scatter(x=[dt.date(2026, 4, 1)], y=[decimal.Decimal("2.5")], name="Final")
    )
    assert figure.to_json()["data"][0]["x"] == ["2026-04-01"]
    assert figure.to_json()["data"][0]["y"] == [2.5]


def test_something_json_cannot_hold_is_refused() -> None:
    with pytest.raises(TypeError, match="object is not JSON serialisable"):
        plotting.Figure(plotting.scatter(x=[object()])).to_json()
