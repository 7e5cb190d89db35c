"""Who may read reports (DESIGN §7): people, never CI tokens."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from reports.figures.selectors import Scope, scope_for
from surveys.organisation.selectors import (
    department_ids_visible_to,
    products_visible_to,
    token_of,
)


class ReadsReports(BasePermission):
    """A logged-in person: managers and admins read everything, respondents their departments."""

    message = "Reports are for people; a CI token cannot read them."

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and token_of(user) is None)


def report_scope(user: Any) -> Scope:
    """What ``user`` may read in reports and exports (DESIGN §7): the aggregates of the
    departments they may see, and the rows (answers, scores) of their own products."""
    departments = department_ids_visible_to(user)
    if departments is None:
        return scope_for(None)
    listed: set[int] = set()
    if departments:
        listed = set(products_visible_to(user).values_list("pk", flat=True))
    return scope_for(departments, listed)
