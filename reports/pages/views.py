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
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.exports.workbook import answers_csv_lines, workbook_write
from reports.figures import small_groups, stored
from reports.figures.breakdowns import continue_replaced
from reports.figures.caching import one_reading
from reports.figures.movement import ClosedChange, closed_change, decompose
from reports.figures.permissions import report_scope
from reports.figures.report import Filters, Report, report_build
from reports.figures.selectors import Scope, area_names, item_successors
from reports.pages import charts
from surveys.core.errors import ApplicationError
from surveys.core.i18n import tr
from surveys.organisation.models import Phase
from surveys.questionnaires.models import Questionnaire
from surveys.rounds.models import Round

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
    from surveys.organisation.models import Department

    departments = Department.objects.all()
    if visible.department_ids is not None:
        departments = departments.filter(pk__in=visible.department_ids)
    return dict(departments.values_list("slug", "pk"))


def report_of(request: HttpRequest) -> Report:
    visible = report_scope(request.user)
    filters = _filters(request, _visible_slugs(visible))
    return report_build(filters=filters, visible=visible)


def query_string(request: HttpRequest, **changes: Any) -> str:
    params = {k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)}
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return urlencode(params)


def render_report(request: HttpRequest, template: str, page: str, build: Any) -> HttpResponse:
    visible = report_scope(request.user)
    base: dict[str, Any] = {
        "page": page,
        "query": query_string(request),
        # By title, never key (DESIGN §5); the key is only the filter's value.
        "questionnaires": list(Questionnaire.objects.order_by("key").values_list("key", "title")),
        "phases": Phase.choices,
        "no_departments": visible.department_ids is not None and not visible.department_ids,
    }
    try:
        with one_reading():
            report = report_of(request)
            built = build(report)
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
        **built,
    }
    return render(request, template, context)


@login_required
def trend(request: HttpRequest) -> HttpResponse:
    def build(report: Report) -> dict[str, Any]:
        rounds, rows = report.rounds, report.rows
        change = closed_change(rounds, rows)
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
            "change": change,
            "moved": _moved(report, change),
            "area_names": area_names(rounds),
            "suppressed_rounds": [r["label"] for r in rows if r.get("suppressed")],
        }

    return render_report(request, "reports/trend.html", "trend", build)


def _moved(report: Report, change: ClosedChange) -> dict[str, Any] | None:
    """What moved the mean between the two latest closed rounds (or ``from``/``to``)."""
    if change.current is None or change.previous is None:
        return None
    before_info, after_info = change.previous[0], change.current[0]
    parts = decompose(
        stored.finals_by_product(before_info, report.scope),
        stored.finals_by_product(after_info, report.scope),
    )
    # DESIGN §7: for a respondent, a part of one or two products would show their scores.
    if small_groups.applies(report.scope) and any(
        0 < n < small_groups.MIN_OTHERS for n in parts.counts.values()
    ):
        return None
    return {"before": before_info, "after": after_info, "parts": parts.as_dict()}


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
        return {
            "charts": chart_list,
            "selected_round": selected,
            "suppressed_note": any(
                f.get("suppressed") for figures in per_round.values() for f in figures.values()
            ),
        }

    return render_report(request, "reports/phases.html", "phases", build)


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
        from reports.figures.breakdowns import weakest

        return {
            "charts": [charts.item_heatmap(report.rounds, tables, metric)],
            "selected_round": selected,
            "item_rows": rows,
            "weakest": weakest(rows),
            "metric": metric,
            "metrics": [(m, "mean" if m == "mean" else m) for m in charts.ITEM_METRICS],
        }

    return render_report(request, "reports/items.html", "items", build)


def export_filename(report: Report, kind: str, ext: str) -> str:
    """A name that says what the file holds: questionnaire, kind, scope, filters and date,
    e.g. ``mlts-report-ads-production-2026-12-01.xlsx``."""
    filters = report.filters
    department = report.departments.get(filters.department_id or -1)
    if department is not None:
        scope = department.slug
    elif report.visible.department_ids is None:
        scope = "all"
    else:
        scope = "my-departments"
    parts = [filters.questionnaire, kind, scope]
    if filters.phase:
        parts.append(filters.phase)
    if filters.round:
        parts.append(f"round-{filters.round}")
    parts.append(timezone.localdate().isoformat())
    name = "-".join(parts)
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in name) + f".{ext}"


def _filter_names(report: Report) -> list[tuple[str, str]]:
    """The page's filters by name, for the workbook's Summary sheet."""
    filters = report.filters
    department = report.departments.get(filters.department_id or -1)
    phases = dict(Phase.choices)
    return [
        (_("Questionnaire"), filters.questionnaire),
        (
            _("Department"),
            department.name if department else _("All departments you may read"),
        ),
        (
            _("Phase"),
            str(phases.get(filters.phase, _("All phases"))) if filters.phase else _("All phases"),
        ),
        (_("Round"), filters.round or _("Latest")),
    ]


@login_required
def workbook(request: HttpRequest) -> HttpResponse:
    try:
        report = report_of(request)
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    try:
        # ``round`` picks the round on the Answers sheet (default: the latest with data).
        workbook_write(
            trend=report.trend,
            out=response,
            report=report,
            answers_round=report.filters.round,
            filters=_filter_names(report),
        )
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{export_filename(report, "report", "xlsx")}"'
    )
    return response


@login_required
def answers_csv(request: HttpRequest) -> StreamingHttpResponse | HttpResponse:
    try:
        report = report_of(request)
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    response = StreamingHttpResponse(
        answers_csv_lines(report.trend, scope=report.scope),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{export_filename(report, "answers", "csv")}"'
    )
    return response
