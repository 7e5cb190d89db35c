"""Who may read reports (DESIGN §7): people, never CI tokens."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from surveys.organisation.selectors import department_ids_visible_to, token_of

from .selectors import Scope, scope_for


class ReadsReports(BasePermission):
    """A logged-in person: managers and admins read everything, respondents their departments."""

    message = "Reports are for people; a CI token cannot read them."

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and token_of(user) is None)


def report_scope(user: Any) -> Scope:
    """The products whose aggregates ``user`` may read."""
    return scope_for(department_ids_visible_to(user))
