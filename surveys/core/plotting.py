"""Plotly figures as the JSON that plotly.js draws, built as plain dicts.

The pages draw their charts with plotly.js from the app's own static files; Python only
has to hand it the figure's JSON. Plotly's figure objects validate and copy every
property as it is set, and building the five charts of the trend page that way cost
~90 ms of CPU, more than reading the figures they draw (DESIGN §5: the report pages
must stay fast while teams save on deadline day). This module writes the same JSON
directly: traces and layout are dicts, ``Figure`` keeps the few operations the pages
use, and ``tests/surveys/core/test_plotting.py`` checks each figure the pages build
against Plotly's own validators, so what leaves here is what ``go.Figure`` would make.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import json
from collections.abc import Mapping
from typing import Any

import plotly.colors
import plotly.io


@functools.cache
def template() -> dict[str, Any]:
    """Plotly's default template, as ``go.Figure`` puts it in every figure."""
    return dict(plotly.io.templates[plotly.io.templates.default].to_plotly_json())


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _props(props: Mapping[str, Any]) -> dict[str, Any]:
    """Properties as Plotly keeps them: an unset (None) property is left out, and a title
    given as text is ``{"text": …}`` (plotly.js 3 and later read no other form)."""
    out: dict[str, Any] = {}
    for key, value in props.items():
        if value is None:
            continue
        if key == "title" and isinstance(value, str):
            value = {"text": value}
        elif isinstance(value, Mapping):
            value = _props(value)
        elif isinstance(value, tuple):
            value = list(value)
        out[key] = value
    return out


def _merge(into: dict[str, Any], props: Mapping[str, Any]) -> None:
    """Nested properties are updated, not replaced (as ``update_layout`` does)."""
    for key, value in _props(props).items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def trace(kind: str, **props: Any) -> dict[str, Any]:
    """One trace of type ``kind`` ("scatter", "bar", "heatmap"). A colour scale may be
    named ("Blues"): it is written out as Plotly's validator writes it."""
    scale = props.get("colorscale")
    if isinstance(scale, str):
        colors = [color for _, color in plotly.colors.get_colorscale(scale)]
        props["colorscale"] = [[n / (len(colors) - 1), c] for n, c in enumerate(colors)]
    return {**_props(props), "type": kind}


def scatter(**props: Any) -> dict[str, Any]:
    return trace("scatter", **props)


def bar(**props: Any) -> dict[str, Any]:
    return trace("bar", **props)


def heatmap(**props: Any) -> dict[str, Any]:
    return trace("heatmap", **props)


class Figure:
    """A figure's traces and layout, with the operations of ``go.Figure`` the pages use."""

    def __init__(self, *traces: dict[str, Any]) -> None:
        self.data: list[dict[str, Any]] = list(traces)
        self.layout: dict[str, Any] = {}

    def add_trace(self, trace: dict[str, Any]) -> None:
        self.data.append(trace)

    def update_layout(self, **props: Any) -> None:
        _merge(self.layout, props)

    def update_xaxes(self, **props: Any) -> None:
        _merge(self.layout.setdefault("xaxis", {}), props)

    def update_yaxes(self, **props: Any) -> None:
        _merge(self.layout.setdefault("yaxis", {}), props)

    def add_annotation(self, **props: Any) -> None:
        self.layout.setdefault("annotations", []).append(_props(props))

    def add_shape(self, **props: Any) -> None:
        self.layout.setdefault("shapes", []).append(_props(props))

    def add_hline(
        self, *, y: float, line: dict[str, Any], annotation_text: str | None = None
    ) -> None:
        """A line across the plot at ``y``, labelled at its right end."""
        self.add_shape(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=y, y1=y, line=line)
        if annotation_text is not None:
            self.add_annotation(
                text=annotation_text,
                showarrow=False,
                xref="x domain",
                x=1,
                xanchor="right",
                yref="y",
                y=y,
                yanchor="bottom",
            )

    def add_vline(self, *, x: Any, line: dict[str, Any]) -> None:
        """A line from the bottom to the top of the plot at ``x``."""
        self.add_shape(type="line", xref="x", x0=x, x1=x, yref="y domain", y0=0, y1=1, line=line)

    def to_json(self) -> dict[str, Any]:
        """The figure as plotly.js reads it: plain JSON values, Plotly's template."""
        plain = json.loads(json.dumps({"data": self.data, "layout": self.layout}, default=_plain))
        plain["layout"]["template"] = template()
        return plain
