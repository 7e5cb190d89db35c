"""A product's page: score history (chart and table), claimed vs verified, next steps."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from scoring.areas import bottlenecks
from scoring.verified import claimed_gap
from surveys.assessments.models import Assessment, AssessmentStatus
from surveys.assessments.selectors import (
    area_scores_of,
    band_meaning,
    product_assessments,
    product_next_steps,
)
from surveys.core.i18n import tr
from surveys.core.plotting import Figure, scatter
from surveys.gate.selectors import gate_of
from surveys.initiatives.selectors import initiative_standings
from surveys.organisation.selectors import product_editable_by, products_visible_to
from surveys.questionnaires.models import Area
from surveys.reviews.selectors import pending_na_of, review_states_of


def _area_titles(assessments: list[Assessment]) -> dict[str, str]:
    """Area keys in questionnaire order, titled by the newest version that has them."""
    version_ids = list(dict.fromkeys(a.round.version_id for a in reversed(assessments)))
    titles: dict[str, str] = {}
    for version_id in version_ids:
        for area in Area.objects.filter(version_id=version_id).order_by("position"):
            titles.setdefault(area.key, tr(area.title))
    return titles


def history_figure(rows: list[dict[str, Any]], titles: dict[str, str]) -> dict[str, Any]:
    """The history of final and area scores as a Plotly figure (plain JSON for the page)."""
    labels = [row["assessment"].round.label for row in rows]
    figure = Figure()
    figure.add_trace(
        scatter(
            x=labels,
            y=[row["assessment"].final_score for row in rows],
            name=_("Final score"),
            mode="lines+markers",
            line={"width": 4},
        )
    )
    if any(row["assessment"].verified_score is not None for row in rows):
        figure.add_trace(
            scatter(
                x=labels,
                y=[row["assessment"].verified_score for row in rows],
                name=_("Verified score"),
                mode="lines+markers",
                line={"dash": "dot"},
            )
        )
    for key, title in titles.items():
        figure.add_trace(
            scatter(
                x=labels,
                y=[row["areas"].get(key) for row in rows],
                name=title,
                mode="lines+markers",
                opacity=0.6,
            )
        )
    figure.update_layout(
        xaxis={"title": _("Round"), "type": "category"},
        yaxis={"title": _("Score"), "rangemode": "tozero"},
        margin={"l": 50, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "h", "y": 1.12, "yanchor": "bottom"},
        height=380,
    )
    return figure.to_json()


@login_required
def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    product = get_object_or_404(
        products_visible_to(request.user).select_related("department"), slug=slug
    )
    assessments = product_assessments(product)
    scored = [
        a
        for a in assessments
        if a.final_score is not None and a.status != AssessmentStatus.NOT_SUBMITTED
    ]
    area_scores = area_scores_of([a.pk for a in scored])
    titles = _area_titles(scored) if scored else {}
    rows = [
        {
            "assessment": a,
            "areas": {key: row.score for key, row in area_scores[a.pk].items()},
            "verified_areas": {key: row.verified_score for key, row in area_scores[a.pk].items()},
            "cells": [
                (area_scores[a.pk].get(key), key in _bottlenecks(area_scores[a.pk], a))
                for key in titles
            ],
            "gap": claimed_gap(a.final_score, a.verified_score),
        }
        for a in scored
    ]
    latest = scored[-1] if scored else None
    return render(
        request,
        "surveys/product.html",
        {
            "product": product,
            "assessments": list(reversed(assessments)),
            "rows": rows,
            "titles": titles,
            "figure": history_figure(rows, titles) if rows else None,
            "latest": latest,
            "gate": gate_of(product),
            "can_manage_badges": product_editable_by(request.user, product.pk),
            "latest_meaning": band_meaning(latest.band) if latest else "",
            "bottlenecks": [
                title
                for key, title in titles.items()
                if key in _bottlenecks(area_scores[latest.pk], latest)
            ]
            if latest
            else [],
            "steps": product_next_steps(latest) if latest else [],
            "review_states": review_states_of(assessments),
            "pending_na": pending_na_of(scored),
            "initiative_standings": initiative_standings(product),
        },
    )


def _bottlenecks(areas: dict[str, Any], assessment: Assessment) -> set[str]:
    return set(bottlenecks({key: row.score for key, row in areas.items()}, assessment.final_score))
