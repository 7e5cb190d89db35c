"""Charts of the report pages, built with Plotly in Python.

Each chart carries its title and the table of the figures it draws, so the page can
show the data beside the chart for those who cannot read it. The figure goes to the
page as Plotly JSON and is drawn by plotly.js from the app's own static files.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from scoring.rules import BAND_KEYS

from .selectors import RoundInfo

COLORS = ["#1f5fbf", "#c2410c", "#15803d", "#7c3aed", "#b91c1c", "#0e7490", "#a16207"]
BAND_COLORS = ["#b91c1c", "#ea580c", "#eab308", "#84cc16", "#16a34a", "#0f766e"]


@dataclass
class Chart:
    id: str
    title: str
    figure: dict[str, Any]
    headers: list[str]
    rows: list[list[Any]]
    caption: str = ""

    @property
    def data_id(self) -> str:
        return f"{self.id}-data"


def _finish(
    fig: go.Figure,
    chart_id: str,
    title: str,
    headers: list[str],
    rows: list[list[Any]],
    *,
    y_title: str = "",
    caption: str = "",
) -> Chart:
    fig.update_layout(
        title={"text": title},
        template="plotly_white",
        margin={"l": 50, "r": 20, "t": 50, "b": 40},
        height=380,
        legend={"orientation": "h", "y": -0.15},
        yaxis_title=y_title,
    )
    # Round labels like "2021-10" would otherwise be read as dates.
    fig.update_xaxes(type="category")
    return Chart(chart_id, title, json.loads(fig.to_json()), headers, rows, caption)


def version_changes(rounds: Sequence[RoundInfo]) -> list[RoundInfo]:
    """Rounds whose questionnaire version differs from the previous round's."""
    return [
        info
        for previous, info in itertools.pairwise(rounds)
        if info.version_id != previous.version_id
    ]


def _mark_versions(fig: go.Figure, rounds: Sequence[RoundInfo]) -> None:
    for info in version_changes(rounds):
        fig.add_vline(x=info.label, line_dash="dot", line_color="#64748b")
        fig.add_annotation(
            x=info.label,
            yref="paper",
            y=1.0,
            text=info.version_label,
            showarrow=False,
            font={"size": 10, "color": "#475569"},
            xanchor="left",
            yanchor="bottom",
        )


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def trend_chart(
    rounds: Sequence[RoundInfo], rows: Sequence[dict[str, Any]], target: float, baseline: str | None
) -> Chart:
    labels = [info.label for info in rounds]
    final = [row["final"] for row in rows]
    cohort = [row["cohort"] for row in rows]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=[f["p75"] for f in final],
            mode="lines",
            line={"width": 0},
            name=_("75th percentile"),
            showlegend=False,
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=[f["p25"] for f in final],
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor="rgba(31,95,191,0.15)",
            name=_("Quartiles (25th–75th percentile)"),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=[f["mean"] for f in final],
            mode="lines+markers",
            name=_("Mean, all products"),
            line={"color": COLORS[0]},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=[f["median"] for f in final],
            mode="lines+markers",
            name=_("Median, all products"),
            line={"color": COLORS[0], "dash": "dash"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=[c["mean"] for c in cohort],
            mode="lines+markers",
            name=_("Mean, cohort of %(round)s") % {"round": baseline},
            line={"color": COLORS[1]},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=[c["median"] for c in cohort],
            mode="lines+markers",
            name=_("Median, cohort"),
            line={"color": COLORS[1], "dash": "dash"},
        )
    )
    fig.add_hline(
        y=target,
        line_dash="dash",
        line_color=COLORS[2],
        annotation_text=_("Target %(target)s") % {"target": f"{target:.2f}"},
    )
    _mark_versions(fig, rounds)
    headers = [
        _("Round"),
        _("Version"),
        _("Mean"),
        _("Median"),
        _("25th pct."),
        _("75th pct."),
        _("Meeting target"),
        _("Cohort scored"),
        _("Cohort mean"),
        _("Cohort median"),
    ]
    table = [
        [
            info.label,
            info.version_label,
            _fmt(f["mean"]),
            _fmt(f["median"]),
            _fmt(f["p25"]),
            _fmt(f["p75"]),
            row["meeting_target"],
            c["scored"],
            _fmt(c["mean"]),
            _fmt(c["median"]),
        ]
        for info, row, f, c in zip(rounds, rows, final, cohort, strict=True)
    ]
    return _finish(
        fig,
        "chart-trend",
        _("Final score: all products and cohort"),
        headers,
        table,
        y_title=_("Final score"),
    )


def areas_chart(rounds: Sequence[RoundInfo], rows: Sequence[dict[str, Any]]) -> Chart:
    keys: list[str] = []
    for info in rounds:
        keys.extend(k for k in info.area_keys if k not in keys)
    labels = [info.label for info in rounds]
    fig = go.Figure()
    for n, key in enumerate(keys):
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=[row["areas"].get(key) for row in rows],
                mode="lines+markers",
                name=key,
                line={"color": COLORS[n % len(COLORS)]},
            )
        )
    _mark_versions(fig, rounds)
    table = [
        [info.label, *[_fmt(row["areas"].get(k)) for k in keys]]
        for info, row in zip(rounds, rows, strict=True)
    ]
    return _finish(
        fig,
        "chart-areas",
        _("Mean score per area"),
        [_("Round"), *keys],
        table,
        y_title=_("Area score"),
    )


def bands_chart(rounds: Sequence[RoundInfo], rows: Sequence[dict[str, Any]]) -> Chart:
    labels = [info.label for info in rounds]
    fig = go.Figure()
    for key, color in zip(BAND_KEYS, BAND_COLORS, strict=True):
        fig.add_trace(
            go.Bar(x=labels, y=[row["bands"][key] for row in rows], name=key, marker_color=color)
        )
    fig.update_layout(barmode="stack")
    _mark_versions(fig, rounds)
    table = [
        [info.label, *[row["bands"][k] for k in BAND_KEYS]]
        for info, row in zip(rounds, rows, strict=True)
    ]
    return _finish(
        fig,
        "chart-bands",
        _("Products per band of the final score"),
        [_("Round"), *BAND_KEYS],
        table,
        y_title=_("Products"),
    )


def response_chart(rounds: Sequence[RoundInfo], rows: Sequence[dict[str, Any]]) -> Chart:
    labels = [info.label for info in rounds]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=labels,
            y=[row["targeted"] for row in rows],
            name=_("Targeted"),
            marker_color="#cbd5e1",
        )
    )
    fig.add_trace(
        go.Bar(
            x=labels, y=[row["scored"] for row in rows], name=_("Scored"), marker_color=COLORS[0]
        )
    )
    fig.update_layout(barmode="overlay")
    _mark_versions(fig, rounds)
    table = [
        [info.label, row["targeted"], row["scored"], _pct(row["response_rate"])]
        for info, row in zip(rounds, rows, strict=True)
    ]
    return _finish(
        fig,
        "chart-response",
        _("Response rate"),
        [_("Round"), _("Targeted"), _("Scored"), _("Response rate")],
        table,
        y_title=_("Products"),
    )


def verified_chart(rounds: Sequence[RoundInfo], rows: Sequence[dict[str, Any]]) -> Chart:
    labels = [info.label for info in rounds]
    claimed = [row["final"]["mean"] for row in rows]
    verified = [row["verified"]["mean"] for row in rows]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=claimed,
            mode="lines+markers",
            name=_("Claimed mean"),
            line={"color": COLORS[0]},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=verified,
            mode="lines+markers",
            name=_("Verified mean"),
            line={"color": COLORS[2]},
        )
    )
    _mark_versions(fig, rounds)
    table = [
        [info.label, _fmt(c), _fmt(v), _fmt(None if c is None or v is None else c - v)]
        for info, c, v in zip(rounds, claimed, verified, strict=True)
    ]
    return _finish(
        fig,
        "chart-verified",
        _("Claimed vs verified mean final score"),
        [_("Round"), _("Claimed"), _("Verified"), _("Gap")],
        table,
        y_title=_("Final score"),
    )


def group_trend_chart(
    chart_id: str, title: str, rounds: Sequence[RoundInfo], series: dict[str, list[float | None]]
) -> Chart:
    """Mean final score per group (department or phase) across rounds."""
    labels = [info.label for info in rounds]
    fig = go.Figure()
    for n, (name, values) in enumerate(series.items()):
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=values,
                mode="lines+markers",
                name=name,
                line={"color": COLORS[n % len(COLORS)]},
            )
        )
    _mark_versions(fig, rounds)
    table = [
        [info.label, *[_fmt(values[i]) for values in series.values()]]
        for i, info in enumerate(rounds)
    ]
    return _finish(
        fig, chart_id, title, [_("Round"), *series], table, y_title=_("Mean final score")
    )


def group_bar_chart(
    chart_id: str, title: str, names: list[str], rows: list[dict[str, Any]], target: float
) -> Chart:
    """One round's mean and median final score per group, with the target line."""
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=names, y=[r["final"]["mean"] for r in rows], name=_("Mean"), marker_color=COLORS[0]
        )
    )
    fig.add_trace(
        go.Bar(
            x=names,
            y=[r["final"]["median"] for r in rows],
            name=_("Median"),
            marker_color="#93c5fd",
        )
    )
    fig.add_hline(
        y=target,
        line_dash="dash",
        line_color=COLORS[2],
        annotation_text=_("Target %(target)s") % {"target": f"{target:.2f}"},
    )
    table = [
        [
            name,
            r["targeted"],
            r["scored"],
            _pct(r["response_rate"]),
            _fmt(r["final"]["mean"]),
            _fmt(r["final"]["median"]),
            r["meeting_target"],
        ]
        for name, r in zip(names, rows, strict=True)
    ]
    headers = [
        _("Name"),
        _("Targeted"),
        _("Scored"),
        _("Response rate"),
        _("Mean"),
        _("Median"),
        _("Meeting target"),
    ]
    return _finish(fig, chart_id, title, headers, table, y_title=_("Final score"))


ITEM_METRICS = ("mean", "0", "0.5", "1", "NA")


def item_heatmap(
    rounds: Sequence[RoundInfo], tables: dict[int, list[dict[str, Any]]], metric: str
) -> Chart:
    """Items (rows) by rounds (columns): mean points, or the share of one answer."""
    order: list[str] = []
    names: dict[str, str] = {}
    for info in rounds:
        for row in tables.get(info.id, []):
            if row["key"] not in names:
                order.append(row["key"])
            names[row["key"]] = f"{row['code']} {row['key']}"
    labels = [info.label for info in rounds]
    by_round = {info.id: {row["key"]: row for row in tables.get(info.id, [])} for info in rounds}

    def value(info: RoundInfo, key: str) -> float | None:
        row = by_round[info.id].get(key)
        if row is None:
            return None
        return row["mean"] if metric == "mean" else row["shares"][metric]

    z = [[value(info, key) for info in rounds] for key in order]
    scale = "RdYlGn" if metric in ("mean", "1") else "Reds" if metric == "0" else "Blues"
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=labels,
            y=[names[k] for k in order],
            colorscale=scale,
            zmin=0,
            zmax=1,
            hoverongaps=False,
        )
    )
    fig.update_layout(yaxis={"autorange": "reversed"})
    _mark_versions(fig, rounds)
    chart = _finish(
        fig,
        "chart-items",
        _item_title(metric),
        [_("Item"), *labels],
        [[names[k], *[_fmt(v) for v in zrow]] for k, zrow in zip(order, z, strict=True)],
    )
    chart.figure["layout"]["height"] = max(380, 22 * len(order) + 120)
    return chart


def _item_title(metric: str) -> str:
    if metric == "mean":
        return _("Mean points per item (N/A left out)")
    if metric == "NA":
        return _("Share of N/A answers per item")
    return _("Share of answers %(value)s per item") % {"value": metric}
