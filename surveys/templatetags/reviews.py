"""The review thread beside an item, and the review mark of an assessment (read only)."""

from __future__ import annotations

from typing import Any

from django import template

from surveys.organisation.selectors import products_editable_by
from surveys.reviews.selectors import queries_by_item, review_state

register = template.Library()


@register.inclusion_tag("reviews/_thread.html", takes_context=True)
def review_thread(context: Any, assessment: Any, item: Any) -> dict[str, Any]:
    if assessment is None or not getattr(assessment, "pk", None):
        return {"queries": []}
    user = context["request"].user
    can_reply = getattr(assessment, "_team_may_reply", None)
    if can_reply is None:
        can_reply = products_editable_by(user).filter(pk=assessment.product_id).exists()
        assessment._team_may_reply = can_reply
    return {
        "queries": queries_by_item(assessment).get(item.pk, []),
        "can_reply": can_reply,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def review_mark(assessment: Any) -> str:
    return review_state(assessment)


@register.inclusion_tag("reviews/_reply_forms.html", takes_context=True)
def review_reply_forms(context: Any, assessment: Any) -> dict[str, Any]:
    """The reply forms the threads' fields belong to, outside the assessment form."""
    queries = [q for qs in queries_by_item(assessment).values() for q in qs]
    return {
        "queries": [q for q in queries if q.state != "resolved"],
        "csrf_token": context.get("csrf_token"),
    }
