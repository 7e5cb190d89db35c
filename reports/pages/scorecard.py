"""The product scorecard page and its CSV."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from reports.exports.spreadsheets import csv_lines
from reports.figures.report import Report
from reports.figures.scorecard import (
    BAND_FILTERS,
    PER_PAGE,
    SORTS,
    bottlenecks_of,
    rounds_for,
    scorecard_chunks,
    scorecard_queryset,
)
from reports.pages.charts import area_names
from reports.pages.views import export_filename, query_string, render_report, report_of
from scoring.rules import BAND_KEYS, band_of
from surveys.assessments.models import AssessmentStatus
from surveys.core.errors import ApplicationError
from surveys.organisation.models import Phase


def _params(request: HttpRequest) -> tuple[str, str, str]:
    search = (request.GET.get("q") or "").strip()[:100]
    band = request.GET.get("band") or ""
    if band and band not in BAND_FILTERS:
        raise ApplicationError(_("Unknown band %(band)s.") % {"band": band})
    sort = request.GET.get("sort") or "name"
    if sort.lstrip("-") not in SORTS:
        sort = "name"
    return search, band, sort


def _queryset(request: HttpRequest, report: Report) -> Any:
    search, band, sort = _params(request)
    rounds = rounds_for(report.rounds, report.rows, report.filters.round)
    qs = scorecard_queryset(
        user=request.user, scope=report.scope, rounds=rounds, search=search, band=band, sort=sort
    )
    return rounds, qs


def _row(product: Any, bottlenecks: list[str], names: dict[str, str]) -> dict[str, Any]:
    statuses = dict(AssessmentStatus.choices)
    return {
        "product": product,
        "band": band_of(product.final).key if product.final is not None else "",
        "bottlenecks": [names.get(k, k) for k in bottlenecks],
        "status": str(statuses.get(product.open_status, "")) if product.open_status else "",
    }


def _page_row(
    product: Any, bottlenecks: list[str], names: dict[str, str], phases: dict[str, str]
) -> dict[str, Any]:
    """A row as the page shows it: its phase's name and its last activity in the reader's
    zone, worked out here once (the template's date filters on 100 rows were half the
    page's drawing)."""
    local = timezone.localtime(product.last_activity) if product.last_activity else None
    return {
        **_row(product, bottlenecks, names),
        "phase": phases.get(product.phase, product.phase),
        "activity": local.strftime("%Y-%m-%d") if local else "",
        "activity_iso": local.isoformat() if local else "",
    }


@login_required
def scorecard(request: HttpRequest) -> HttpResponse:
    def build(report: Report) -> dict[str, Any]:
        search, band, sort = _params(request)
        rounds, qs = _queryset(request, report)
        page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
        names = area_names(report.rounds)
        current = rounds.current.id if rounds.current else None
        found = bottlenecks_of(round_id=current, product_ids=[p.pk for p in page.object_list])
        phases = {key: str(label) for key, label in Phase.choices}
        columns = [
            ("name", _("Product")),
            ("department", _("Department")),
            ("phase", _("Phase")),
            ("final", _("Final score")),
            (None, _("Band")),
            ("verified", _("Verified score")),
            ("gap", _("Gap")),
            (None, _("Bottleneck area")),
            ("change", pgettext("score change", "Change")),
            ("status", _("Open round")),
            ("activity", _("Last activity")),
        ]
        base = {k: request.GET[k] for k in ("q", "band") if request.GET.get(k)}
        headers = []
        for key, title in columns:
            if key is None:
                headers.append({"title": title, "query": None, "sort": None})
                continue
            state = "ascending" if sort == key else "descending" if sort == f"-{key}" else None
            target = f"-{key}" if sort == key else key
            headers.append(
                {
                    "title": title,
                    "query": query_string(request, sort=target, page=None, **base),
                    "sort": state,
                }
            )
        return {
            "charts": [],
            "rounds_used": rounds,
            "rows": [_page_row(p, found.get(p.pk, []), names, phases) for p in page.object_list],
            "page_obj": page,
            "headers": headers,
            "search": search,
            "band": band,
            "bands": BAND_KEYS,
            "sort": sort,
            "page_query": query_string(request, page=None, sort=sort, **base),
            "csv_query": query_string(request, sort=sort, **base),
        }

    return render_report(request, "reports/scorecard.html", "scorecard", build)


@login_required
def scorecard_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    try:
        report = report_of(request)
        rounds, qs = _queryset(request, report)
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    names = area_names(report.rounds)
    current = rounds.current.id if rounds.current else None

    def rows() -> Iterator[list[Any]]:
        # csv_lines writes a byte order mark first and escapes formula-like text.
        yield (
            [
                "product",
                _("Product"),
                _("Department"),
                _("Phase"),
                "round",
                _("Final score"),
                _("Band"),
                _("Verified score"),
                _("Gap"),
                "bottleneck",
                _("Bottleneck area"),
                pgettext("score change", "Change"),
                _("Open round"),
                _("Last activity"),
            ]
        )
        product: Any
        for product, keys in scorecard_chunks(qs, current):
            row = _row(product, keys, names)
            yield (
                [
                    product.slug,
                    product.name,
                    product.department.name if product.department_id else "",
                    product.phase,
                    rounds.current.label if rounds.current else "",
                    _num(product.final),
                    row["band"],
                    _num(product.verified),
                    _num(product.gap),
                    " ".join(keys),
                    " / ".join(row["bottlenecks"]),
                    _num(product.change),
                    row["status"],
                    product.last_activity.isoformat() if product.last_activity else "",
                ]
            )

    response = StreamingHttpResponse(csv_lines(rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{export_filename(report, "scorecard", "csv")}"'
    )
    return response


def _num(value: float | None) -> float | str:
    """A number as a number (a CSV cell that is text beginning with "-" would be escaped)."""
    return "" if value is None else round(value, 4)
