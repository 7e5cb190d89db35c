"""Report pages for managers (DESIGN §5): trend, departments, phases, items, downloads.

Managers and admins read every product; a respondent reads the aggregates of their own
departments (DESIGN §7). Every page takes the same filters in its query string.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from mlopsscore.errors import ApplicationError
from surveys.i18n import tr
from surveys.models import Phase, Questionnaire, Round

from . import charts
from .breakdowns import continue_replaced
from .exports import answers_csv_lines, workbook_write
from .pages import Filters, Report, report_build
from .permissions import report_scope
from .selectors import Scope, item_successors

FILTER_KEYS = ("questionnaire", "baseline", "target", "department", "phase", "round", "accepted")


def _default_questionnaire() -> str | None:
    latest = Round.objects.order_by("-opens_on", "-id").values_list("questionnaire__key", flat=True)
    return (
        latest.first()
        or Questionnaire.objects.order_by("key").values_list("key", flat=True).first()
    )


def _filters(request: HttpRequest, report_departments: dict[str, int]) -> Filters:
    params = request.GET
    key = params.get("questionnaire") or _default_questionnaire()
    if not key:
        raise Http404(_("No questionnaire has been loaded yet."))
    target: float | None = None
    if params.get("target"):
        try:
            target = float(params["target"])
        except ValueError:
            raise ApplicationError(_("The target must be a number.")) from None
        if not math.isfinite(target):
            raise ApplicationError(_("The target must be a finite number."))
    department_id = None
    if params.get("department"):
        if params["department"] not in report_departments:
            raise Http404(_("No such department among those you may read."))
        department_id = report_departments[params["department"]]
    phase = params.get("phase") or None
    if phase and phase not in Phase.values:
        raise ApplicationError(_("Unknown phase %(phase)s.") % {"phase": phase})
    return Filters(
        questionnaire=key,
        baseline=params.get("baseline") or None,
        target=target,
        department_id=department_id,
        phase=phase,
        round=params.get("round") or None,
        accepted_only=params.get("accepted") == "1",
    )


def _visible_slugs(visible: Scope) -> dict[str, int]:
    from surveys.models import Department

    departments = Department.objects.all()
    if visible.department_ids is not None:
        departments = departments.filter(pk__in=visible.department_ids)
    return dict(departments.values_list("slug", "pk"))


def _report(request: HttpRequest) -> Report:
    visible = report_scope(request.user)
    filters = _filters(request, _visible_slugs(visible))
    return report_build(filters=filters, visible=visible)


def _query(request: HttpRequest, **changes: Any) -> str:
    params = {k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)}
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return urlencode(params)


def _render(request: HttpRequest, template: str, page: str, build: Any) -> HttpResponse:
    visible = report_scope(request.user)
    base: dict[str, Any] = {
        "page": page,
        "query": _query(request),
        "questionnaires": list(Questionnaire.objects.order_by("key").values_list("key", flat=True)),
        "phases": Phase.choices,
        "no_departments": visible.department_ids is not None and not visible.department_ids,
    }
    try:
        report = _report(request)
    except ApplicationError as exc:
        return render(request, template, {**base, "error": exc.message}, status=400)
    context = {
        **base,
        "report": report,
        "filters": report.filters,
        "departments": sorted(report.visible_departments(), key=lambda d: d.name),
        "department": report.departments.get(report.filters.department_id or -1),
        "target": report.trend.target.value,
        "baseline": report.trend.baseline,
        "snapshot_rounds": [r["label"] for r in report.rows if r["source"] == "snapshot"],
        **build(report),
    }
    return render(request, template, context)


@login_required
def trend(request: HttpRequest) -> HttpResponse:
    def build(report: Report) -> dict[str, Any]:
        rounds, rows = report.rounds, report.rows
        baseline = report.trend.baseline.label if report.trend.baseline else None
        return {
            "charts": [
                charts.trend_chart(rounds, rows, report.trend.target.value, baseline),
                charts.areas_chart(rounds, rows),
                charts.bands_chart(rounds, rows),
                charts.response_chart(rounds, rows),
                charts.verified_chart(rounds, rows),
            ],
            "version_changes": charts.version_changes(rounds),
        }

    return _render(request, "reports/trend.html", "trend", build)


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
        return {
            "charts": chart_list,
            "selected_round": selected,
            "breakdown": [
                {
                    "department": d,
                    "figures": f,
                    "query": _query(request, department=d.slug),
                    "has_children": bool(d.children),
                }
                for d, f in rows
            ],
            "crumbs": [
                {"department": d, "query": _query(request, department=d.slug)}
                for d in report.breadcrumbs()
            ],
            "top_query": _query(request, department=None),
            "area_keys": selected.area_keys if selected else (),
        }

    return _render(request, "reports/departments.html", "departments", build)


@login_required
def phases(request: HttpRequest) -> HttpResponse:
    def build(report: Report) -> dict[str, Any]:
        selected = report.selected_round()
        per_round = {info.id: report.phase_figures(info) for info in report.rounds}
        labels = dict(Phase.choices)
        series = {
            str(labels[p]): [
                per_round[info.id].get(p, {}).get("final", {}).get("mean") for info in report.rounds
            ]
            for p in Phase.values
        }
        rows = []
        if selected is not None:
            rows = [
                (str(labels[p]), per_round[selected.id][p])
                for p in Phase.values
                if p in per_round[selected.id]
            ]
        chart_list = [
            charts.group_trend_chart(
                "chart-phase-trend", _("Mean final score by phase"), report.rounds, series
            )
        ]
        if selected is not None:
            chart_list.insert(
                0,
                charts.group_bar_chart(
                    "chart-phases",
                    _("Final score by phase, %(round)s") % {"round": selected.label},
                    [name for name, _f in rows],
                    [f for _n, f in rows],
                    report.trend.target.value,
                ),
            )
        return {"charts": chart_list, "selected_round": selected}

    return _render(request, "reports/phases.html", "phases", build)


@login_required
def items(request: HttpRequest) -> HttpResponse:
    metric = request.GET.get("metric") or "mean"
    if metric not in charts.ITEM_METRICS:
        metric = "mean"

    def build(report: Report) -> dict[str, Any]:
        tables = continue_replaced(
            report.item_tables(),
            item_successors({info.version_id for info in report.rounds}),
        )
        selected = report.selected_round()
        rows = tables.get(selected.id, []) if selected else []
        for row in rows:
            row["title_text"] = tr(row["title"])
        from .breakdowns import weakest

        return {
            "charts": [charts.item_heatmap(report.rounds, tables, metric)],
            "selected_round": selected,
            "item_rows": rows,
            "weakest": weakest(rows),
            "metric": metric,
            "metrics": [(m, "mean" if m == "mean" else m) for m in charts.ITEM_METRICS],
        }

    return _render(request, "reports/items.html", "items", build)


def _filename(report: Report, ext: str) -> str:
    parts = [report.trend.questionnaire, "report"]
    return "-".join(parts) + f".{ext}"


@login_required
def workbook(request: HttpRequest) -> HttpResponse:
    try:
        report = _report(request)
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    try:
        # ``round`` picks the round on the Answers sheet (default: the latest with data).
        workbook_write(
            trend=report.trend, out=response, report=report, answers_round=report.filters.round
        )
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "xlsx")}"'
    return response


@login_required
def answers_csv(request: HttpRequest) -> StreamingHttpResponse | HttpResponse:
    try:
        report = _report(request)
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    response = StreamingHttpResponse(
        answers_csv_lines(report.trend, scope=report.scope),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{report.trend.questionnaire}-answers.csv"'
    )
    return response
