"""The departments page (DESIGN §5): departments side by side with the
change since the previous closed round, a department's own trend, and its products."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from reports.figures.movement import previous_closed
from reports.figures.report import Report
from reports.figures.scorecard import Rounds, bottlenecks_of, scorecard_queryset
from reports.pages import charts
from reports.pages.views import query_string, render_report

PRODUCTS_SHOWN = 200


def _change(now: dict[str, Any] | None, before: dict[str, Any] | None) -> float | None:
    a = (now or {}).get("final", {}).get("mean")
    b = (before or {}).get("final", {}).get("mean")
    return None if a is None or b is None else round(a - b, 4)


def _products(request: HttpRequest, report: Report, selected: Any, previous: Any) -> dict[str, Any]:
    """The selected department's products (those the reader may see), best first."""
    rounds = Rounds(current=selected, previous=previous, open=None)
    qs = scorecard_queryset(user=request.user, scope=report.scope, rounds=rounds, sort="-final")
    total = qs.count()
    shown = list(qs[:PRODUCTS_SHOWN])
    names = charts.area_names(report.rounds)
    caps = bottlenecks_of(round_id=selected.id, product_ids=[p.pk for p in shown])
    return {
        "show_products": True,
        "product_rows": [
            {"product": p, "bottlenecks": [names.get(k, k) for k in caps.get(p.pk, [])]}
            for p in shown
        ],
        "product_total": total,
        "scorecard_query": query_string(request, round=selected.label),
    }


@login_required
def departments(request: HttpRequest) -> HttpResponse:
    def build(report: Report) -> dict[str, Any]:
        children = sorted(report.child_departments(), key=lambda d: d.name)
        selected = report.selected_round()
        per_round = {info.id: report.department_figures(info) for info in report.rounds}
        series = {
            d.name: [
                per_round[info.id].get(d.id, {}).get("final", {}).get("mean")
                for info in report.rounds
            ]
            for d in children
        }
        # Changes compare closed rounds only: an open round's figures are provisional.
        previous = previous_closed(report.rounds, selected) if selected else None
        comparable = selected is not None and not selected.is_provisional and previous is not None
        rows = []
        if selected is not None:
            figures = per_round[selected.id]
            rows = [(d, figures[d.id]) for d in children if d.id in figures]
        chart_list = []
        if selected is not None:
            chart_list.append(
                charts.group_bar_chart(
                    "chart-departments",
                    _("Final score by department, %(round)s") % {"round": selected.label},
                    [d.name for d, _figures in rows],
                    [f for _d, f in rows],
                    report.trend.target.value,
                )
            )
        chart_list.append(
            charts.group_trend_chart(
                "chart-department-trend", _("Mean final score by department"), report.rounds, series
            )
        )
        department = report.departments.get(report.filters.department_id or -1)
        context: dict[str, Any] = {}
        if department is not None:
            own = charts.trend_chart(
                report.rounds,
                report.rows,
                report.trend.target.value,
                report.trend.baseline.label if report.trend.baseline else None,
            )
            own.id = "chart-department-own"
            own.title = _("Trend of %(department)s") % {"department": department.name}
            own.figure["layout"]["title"]["text"] = own.title
            chart_list.insert(0, own)
            if selected is not None:
                context = _products(request, report, selected, previous)
        return {
            **context,
            "charts": chart_list,
            "selected_round": selected,
            "suppressed_note": any(f.get("suppressed") for _d, f in rows),
            "previous_round": previous if comparable else None,
            "breakdown": [
                {
                    "department": d,
                    "figures": f,
                    "change": _change(f, per_round[previous.id].get(d.id))
                    if comparable and previous is not None
                    else None,
                    "query": query_string(request, department=d.slug),
                    "has_children": bool(d.children),
                }
                for d, f in rows
            ],
            "crumbs": [
                {"department": d, "query": query_string(request, department=d.slug)}
                for d in report.breadcrumbs()
            ],
            "top_query": query_string(request, department=None),
            "area_keys": selected.area_keys if selected else (),
            "area_names": [charts.area_names(report.rounds).get(k, k) for k in selected.area_keys]
            if selected
            else [],
        }

    return render_report(request, "reports/departments.html", "departments", build)
