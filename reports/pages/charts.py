"""Charts of the report pages, as Plotly figures (``surveys.core.plotting``).

Each chart carries its title and the table of the figures it draws, so the page can
show the data beside the chart for those who cannot read it. The figure goes to the
page as Plotly JSON and is drawn by plotly.js from the app's own static files.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from reports.figures.selectors import RoundInfo, area_names
from scoring.rules import BAND_KEYS
from surveys.core.i18n import tr
from surveys.core.plotting import Figure, bar, heatmap, scatter
from surveys.names.labels import band_label

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


# The look of plotly's "plotly_white" template, set directly: building the template
# object for every chart cost more than the rest of the page.
LOOK: dict[str, Any] = {
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
    "font": {"color": "#2a3f5f"},
    "hovermode": "closest",
    "colorway": COLORS,
}
AXIS: dict[str, Any] = {
    "gridcolor": "#EBF0F8",
    "linecolor": "#EBF0F8",
    "zerolinecolor": "#EBF0F8",
    "zerolinewidth": 2,
    "automargin": True,
    "ticks": "",
}


def round_text(info: RoundInfo, row: dict[str, Any] | None = None) -> str:
    """A round's label for tables; an open round says it is provisional and who answered."""
    if not info.is_provisional:
        return info.label
    if row is None or row.get("response_rate") is None:
        return _("%(round)s (provisional)") % {"round": info.label}
    return _("%(round)s (provisional, %(rate)s responded)") % {
        "round": info.label,
        "rate": _pct(row["response_rate"]),
    }


def _provisional_axis(
    fig: Figure, rounds: Sequence[RoundInfo], rows: Sequence[dict[str, Any]] | None
) -> None:
    """Open rounds' tick labels say "provisional" and their response rate (DESIGN §5)."""
    if not any(info.is_provisional for info in rounds):
        return
    texts = []
    for n, info in enumerate(rounds):
        if info.is_provisional:
            row = rows[n] if rows is not None else None
            rate = f" {_pct(row['response_rate'])}" if row and row.get("response_rate") else ""
            texts.append(f"{info.label}<br><i>{_('provisional')}{rate}</i>")
        else:
            texts.append(info.label)
    fig.update_xaxes(tickvals=[info.label for info in rounds], ticktext=texts)


def add_line(
    fig: Figure,
    rounds: Sequence[RoundInfo],
    values: Sequence[float | None],
    *,
    name: str,
    color: str,
    dash: str | None = None,
) -> None:
    """A line over rounds: solid through closed rounds; from the last closed round on to
    open rounds dotted with hollow markers, so a provisional figure never reads as final."""
    labels = [info.label for info in rounds]
    closed = [None if info.is_provisional else v for info, v in zip(rounds, values, strict=True)]
    line: dict[str, Any] = {"color": color}
    if dash:
        line["dash"] = dash
    fig.add_trace(
        scatter(x=labels, y=closed, mode="lines+markers", name=name, line=line, legendgroup=name)
    )
    if not any(info.is_provisional for info in rounds):
        return
    tail: list[float | None] = [None] * len(rounds)
    last_closed = None
    for n, info in enumerate(rounds):
        if info.is_provisional:
            tail[n] = values[n]
            if last_closed is not None:
                tail[last_closed] = values[last_closed]
        else:
            last_closed = n
    fig.add_trace(
        scatter(
            x=labels,
            y=tail,
            mode="lines+markers",
            name=_("%(name)s (provisional)") % {"name": name},
            line={"color": color, "dash": "dot"},
            marker={"symbol": "circle-open", "size": 10},
            legendgroup=name,
            showlegend=False,
            connectgaps=False,
        )
    )


def bar_style(rounds: Sequence[RoundInfo], color: str) -> dict[str, Any]:
    """Bars of open rounds hatched and paler: provisional, not final."""
    provisional = [info.is_provisional for info in rounds]
    return {
        "color": color,
        "opacity": 1,
        "pattern": {"shape": ["/" if p else "" for p in provisional], "fillmode": "overlay"},
        "line": {"color": color, "width": [2 if p else 0 for p in provisional]},
    }


def _finish(
    fig: Figure,
    chart_id: str,
    title: str,
    headers: list[str],
    rows: list[list[Any]],
    *,
    y_title: str = "",
    caption: str = "",
) -> Chart:
    fig.update_layout(
        **LOOK,
        title={"text": title},
        margin={"l": 50, "r": 20, "t": 50, "b": 40},
        height=380,
        legend={"orientation": "h", "y": -0.15},
        yaxis={"title": y_title or None},
    )
    # Round labels like "2021-10" would otherwise be read as dates.
    fig.update_xaxes(type="category", **AXIS)
    fig.update_yaxes(**AXIS)
    return Chart(chart_id, title, fig.to_json(), headers, rows, caption)


def version_changes(rounds: Sequence[RoundInfo]) -> list[RoundInfo]:
    """Rounds whose questionnaire version differs from the previous round's."""
    return [
        info
        for previous, info in itertools.pairwise(rounds)
        if info.version_id != previous.version_id
    ]


def _mark_versions(fig: Figure, rounds: Sequence[RoundInfo]) -> None:
    for info in version_changes(rounds):
        fig.add_vline(x=info.label, line={"dash": "dot", "color": "#64748b"})
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


def _closed(rounds: Sequence[RoundInfo], values: Sequence[Any]) -> list[Any]:
    return [None if info.is_provisional else v for info, v in zip(rounds, values, strict=True)]


def trend_chart(
    rounds: Sequence[RoundInfo], rows: Sequence[dict[str, Any]], target: float, baseline: str | None
) -> Chart:
    labels = [info.label for info in rounds]
    final = [row["final"] for row in rows]
    cohort = [row["cohort"] for row in rows]
    fig = Figure()
    fig.add_trace(
        scatter(
            x=labels,
            y=_closed(rounds, [f["p75"] for f in final]),
            mode="lines",
            line={"width": 0},
            name=_("75th percentile"),
            showlegend=False,
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        scatter(
            x=labels,
            y=_closed(rounds, [f["p25"] for f in final]),
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor="rgba(31,95,191,0.15)",
            name=_("Quartiles (25th–75th percentile)"),
        )
    )
    add_line(fig, rounds, [f["mean"] for f in final], name=_("Mean, all products"), color=COLORS[0])
    add_line(
        fig,
        rounds,
        [f["median"] for f in final],
        name=_("Median, all products"),
        color=COLORS[0],
        dash="dash",
    )
    add_line(
        fig,
        rounds,
        [c["mean"] for c in cohort],
        name=_("Mean, cohort of %(round)s") % {"round": baseline},
        color=COLORS[1],
    )
    add_line(
        fig,
        rounds,
        [c["median"] for c in cohort],
        name=_("Median, cohort"),
        color=COLORS[1],
        dash="dash",
    )
    fig.add_hline(
        y=target,
        line={"dash": "dash", "color": COLORS[2]},
        annotation_text=_("Target %(target)s") % {"target": f"{target:.2f}"},
    )
    _mark_versions(fig, rounds)
    _provisional_axis(fig, rounds, rows)
    headers = [
        _("Round"),
        _("Version"),
        _("Mean"),
        _("Median"),
        _("25th percentile"),
        _("75th percentile"),
        _("Meeting target"),
        _("Cohort scored"),
        _("Cohort mean"),
        _("Cohort median"),
    ]
    table = [
        [
            round_text(info, row),
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
    names = area_names(rounds)
    keys = list(names)
    fig = Figure()
    for n, key in enumerate(keys):
        add_line(
            fig,
            rounds,
            [row["areas"].get(key) for row in rows],
            name=names[key],
            color=COLORS[n % len(COLORS)],
        )
    _mark_versions(fig, rounds)
    _provisional_axis(fig, rounds, rows)
    table = [
        [round_text(info, row), *[_fmt(row["areas"].get(k)) for k in keys]]
        for info, row in zip(rounds, rows, strict=True)
    ]
    return _finish(
        fig,
        "chart-areas",
        _("Mean score per area"),
        [_("Round"), *[names[k] for k in keys]],
        table,
        y_title=_("Area score"),
    )


def band_name(key: str) -> str:
    """The band by the rubric's short name (DESIGN §5), as the pages show it."""
    return band_label(key)


def bands_chart(rounds: Sequence[RoundInfo], rows: Sequence[dict[str, Any]]) -> Chart:
    labels = [info.label for info in rounds]
    fig = Figure()
    for key, color in zip(BAND_KEYS, BAND_COLORS, strict=True):
        fig.add_trace(
            bar(
                x=labels,
                y=[row["bands"][key] for row in rows],
                name=band_name(key),
                marker=bar_style(rounds, color),
            )
        )
    fig.update_layout(barmode="stack")
    _mark_versions(fig, rounds)
    _provisional_axis(fig, rounds, rows)
    table = [
        [round_text(info, row), *[row["bands"][k] for k in BAND_KEYS]]
        for info, row in zip(rounds, rows, strict=True)
    ]
    return _finish(
        fig,
        "chart-bands",
        _("Products per band of the final score"),
        [_("Round"), *[band_name(k) for k in BAND_KEYS]],
        table,
        y_title=_("Products"),
    )


def response_chart(rounds: Sequence[RoundInfo], rows: Sequence[dict[str, Any]]) -> Chart:
    labels = [info.label for info in rounds]
    fig = Figure()
    fig.add_trace(
        bar(
            x=labels,
            y=[row["targeted"] for row in rows],
            name=_("Targeted"),
            marker={"color": "#cbd5e1"},
        )
    )
    fig.add_trace(
        bar(
            x=labels,
            y=[row["scored"] for row in rows],
            name=_("Scored"),
            marker=bar_style(rounds, COLORS[0]),
        )
    )
    fig.update_layout(barmode="overlay")
    _mark_versions(fig, rounds)
    _provisional_axis(fig, rounds, rows)
    table = [
        [round_text(info, row), row["targeted"], row["scored"], _pct(row["response_rate"])]
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
    claimed = [row["final"]["mean"] for row in rows]
    verified = [row["verified"]["mean"] for row in rows]
    fig = Figure()
    add_line(fig, rounds, claimed, name=_("Claimed mean"), color=COLORS[0])
    add_line(fig, rounds, verified, name=_("Verified mean"), color=COLORS[2])
    _mark_versions(fig, rounds)
    _provisional_axis(fig, rounds, rows)
    table = [
        [
            round_text(info, row),
            _fmt(c),
            _fmt(v),
            _fmt(None if c is None or v is None else c - v),
        ]
        for info, row, c, v in zip(rounds, rows, claimed, verified, strict=True)
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
    fig = Figure()
    for n, (name, values) in enumerate(series.items()):
        add_line(fig, rounds, values, name=name, color=COLORS[n % len(COLORS)])
    _mark_versions(fig, rounds)
    _provisional_axis(fig, rounds, None)
    table = [
        [round_text(info), *[_fmt(values[i]) for values in series.values()]]
        for i, info in enumerate(rounds)
    ]
    return _finish(
        fig, chart_id, title, [_("Round"), *series], table, y_title=_("Mean final score")
    )


def group_bar_chart(
    chart_id: str, title: str, names: list[str], rows: list[dict[str, Any]], target: float
) -> Chart:
    """One round's mean and median final score per group, with the target line."""
    fig = Figure()
    fig.add_trace(
        bar(
            x=names,
            y=[r["final"]["mean"] for r in rows],
            name=_("Mean"),
            marker={"color": COLORS[0]},
        )
    )
    fig.add_trace(
        bar(
            x=names,
            y=[r["final"]["median"] for r in rows],
            name=_("Median"),
            marker={"color": "#93c5fd"},
        )
    )
    fig.add_hline(
        y=target,
        line={"dash": "dash", "color": COLORS[2]},
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
            names[row["key"]] = f"{row['code']} {tr(row['title']) or row['key']}"
    labels = [info.label for info in rounds]
    by_round = {info.id: {row["key"]: row for row in tables.get(info.id, [])} for info in rounds}

    def value(info: RoundInfo, key: str) -> float | None:
        row = by_round[info.id].get(key)
        if row is None:
            return None
        return row["mean"] if metric == "mean" else row["shares"][metric]

    z = [[value(info, key) for info in rounds] for key in order]
    scale = "RdYlGn" if metric in ("mean", "1") else "Reds" if metric == "0" else "Blues"
    fig = Figure(
        heatmap(
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
    _provisional_axis(fig, rounds, None)
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
