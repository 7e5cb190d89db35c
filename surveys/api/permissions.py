"""Who may call what (DESIGN §7). Which rows they see is the selectors' job.

Each view says what a token needs: ``token_scope = "read"`` or ``"write"``; ``None``
(the default) means tokens may not call it at all (assessments and rounds belong to
people: a CI token sees no assessments).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from surveys.organisation.roles import is_admin
from surveys.organisation.selectors import token_of
from surveys.trust.authentication import ci_principal_of


class ApiAccess(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        if ci_principal_of(user) is not None:
            self.message = _("A CI ID token may only post evidence and read the release gate.")
            return bool(getattr(view, "accepts_ci_identity", False))
        token = token_of(user)
        if token is None:
            return True
        scope = getattr(view, "token_scope", None)
        if scope is None:
            self.message = _("API tokens cannot use this endpoint; sign in as a person.")
            return False
        if scope == "read" and not token.can_read:
            self.message = _("This token may not read; create one with the read scope.")
            return False
        if scope == "write" and not token.can_write_evidence:
            self.message = _("This token is read-only; it cannot post evidence.")
            return False
        return True


class EvidenceWriter(BasePermission):
    """Evidence comes from a token of its product, or from an MLOps admin."""

    message = _(
        "Only MLOps admins post evidence when signed in; pipelines post with a token of "
        "their product."
    )

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return token_of(user) is not None or ci_principal_of(user) is not None or is_admin(user)
