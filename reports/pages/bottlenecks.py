"""The bottleneck page: which areas cap the final score, and which
items appear most often in products' next steps; per round and per department."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from reports.figures.bottlenecks import (
    capped_by_department,
    capped_by_round,
    capped_rows,
    next_steps_of,
)
from reports.figures.breakdowns import ancestors_map
from reports.figures.report import Report
from reports.figures.scorecard import rounds_for
from reports.figures.selectors import area_names, items_of
from reports.pages import charts
from reports.pages.views import query_string, render_report
from surveys.core.i18n import tr
from surveys.core.plotting import Figure, bar


def _chosen(report: Report) -> Any:
    """The round asked for, else the latest closed round with scores."""
    for info in report.rounds:
        if info.label == report.filters.round:
            return info
    return rounds_for(report.rounds, report.rows, None).current


def capped_chart(report: Report, table: list[dict[str, Any]]) -> charts.Chart:
    names = area_names(report.rounds)
    labels = [info.label for info in report.rounds]
    fig = Figure()
    for n, key in enumerate(names):
        fig.add_trace(
            bar(
                x=labels,
                y=[row["areas"].get(key, {}).get("n") for row in table],
                name=names[key],
                marker=charts.bar_style(report.rounds, charts.COLORS[n % len(charts.COLORS)]),
            )
        )
    fig.update_layout(barmode="group")
    charts._mark_versions(fig, report.rounds)
    charts._provisional_axis(fig, report.rounds, report.rows)
    rows = [
        [
            charts.round_text(row["info"], report_row),
            row["scored"],
            *[_cell(row["areas"].get(key)) for key in names],
        ]
        for row, report_row in zip(table, report.rows, strict=True)
    ]
    return charts._finish(
        fig,
        "chart-bottlenecks",
        _("Products capped by each area (ties count for each area)"),
        [_("Round"), _("Scored"), *names.values()],
        rows,
        y_title=_("Products"),
    )


def _cell(value: dict[str, Any] | None) -> str:
    if not value:
        return "—"
    share = value["share"]
    return f"{value['n']}" + ("" if share is None else f" ({share * 100:.0f}%)")


@login_required
def bottlenecks(request: HttpRequest) -> HttpResponse:
    def build(report: Report) -> dict[str, Any]:
        counts = capped_by_round(report.rounds, report.scope)
        table = capped_rows(report.rounds, counts, report.rows)
        chosen = _chosen(report)
        names = area_names(report.rounds)
        steps: list[dict[str, Any]] = []
        departments: list[dict[str, Any]] = []
        looked_at = 0
        if chosen is not None:
            tally, looked_at = next_steps_of(chosen, report.scope)
            items = {i.key: i for i in items_of({chosen.version_id}).get(chosen.version_id, [])}
            steps = [
                {
                    "item": items[key],
                    "title": tr(items[key].title),
                    "area": names.get(items[key].area_key, items[key].area_key),
                    "n": n,
                    "share": n / looked_at if looked_at else None,
                }
                for key, n in tally.most_common(10)
                if key in items
            ]
            ancestors = ancestors_map(
                (d.id, d.slug, d.name, d.parent_id) for d in report.departments.values()
            )
            by_dept = capped_by_department(info=chosen, scope=report.scope, ancestors=ancestors)
            figures = report.department_figures(chosen)
            for d in sorted(report.child_departments(), key=lambda d: d.name):
                if d.id not in by_dept:
                    continue
                departments.append(
                    {
                        "department": d,
                        "scored": figures.get(d.id, {}).get("scored"),
                        "areas": [by_dept[d.id].get(key, 0) for key in chosen.area_keys],
                        "query": query_string(request, department=d.slug),
                    }
                )
        return {
            "charts": [capped_chart(report, table)],
            "chosen": chosen,
            "steps": steps,
            "looked_at": looked_at,
            "dept_rows": departments,
            "chosen_areas": [names.get(k, k) for k in chosen.area_keys] if chosen else [],
        }

    return render_report(request, "reports/bottlenecks.html", "bottlenecks", build)
