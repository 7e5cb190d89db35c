"""Who may open what (DESIGN §7); which rows they see is the selectors' job.

``admin_required`` is the one gate of the MLOps admins' pages: anonymous visitors log in,
everyone else but an MLOps admin gets 403, and machine tokens never open these pages.

``ApiAccess`` is the API's: each view says what a token needs, ``token_scope = "read"`` or
``"write"``; ``None`` (the default) means tokens may not call it at all (assessments and
rounds belong to people: a CI token sees no assessments).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.permissions import BasePermission

from surveys.organisation.models import Product
from surveys.organisation.roles import is_admin
from surveys.organisation.selectors import (
    ci_identity_of,
    products_editable_by,
    products_visible_to,
    token_of,
)


def admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if token_of(request.user) is not None or not is_admin(request.user):
            raise PermissionDenied(_("Only MLOps admins may open this page."))
        return view(request, *args, **kwargs)

    return wrapped


def wants_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json"


class ApiAccess(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        if ci_identity_of(user) is not None:
            self.message = gettext_lazy(
                "A CI ID token may only post evidence and read the release gate."
            )
            return bool(getattr(view, "accepts_ci_identity", False))
        token = token_of(user)
        if token is None:
            return True
        scope = getattr(view, "token_scope", None)
        if scope is None:
            self.message = gettext_lazy("API tokens cannot use this endpoint; sign in as a person.")
            return False
        if scope == "read" and not token.can_read:
            self.message = gettext_lazy("This token may not read; create one with the read scope.")
            return False
        if scope == "write" and not token.can_write_evidence:
            self.message = gettext_lazy("This token is read-only; it cannot post evidence.")
            return False
        return True


class EvidenceWriter(BasePermission):
    """Evidence comes from a token of its product, or from an MLOps admin."""

    message = gettext_lazy(
        "Only MLOps admins post evidence when signed in; pipelines post with a token of "
        "their product."
    )

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return token_of(user) is not None or ci_identity_of(user) is not None or is_admin(user)


def product_managed_by(user: Any, slug: str) -> Product:
    """The product ``slug`` if ``user`` manages it (a member or an MLOps admin: its tokens,
    trust policies, badge keys); 403 for one they may only see, 404 for one they may not."""
    product = products_editable_by(user).filter(slug=slug).first()
    if product is not None:
        return product
    if products_visible_to(user).filter(slug=slug).exists():
        raise PermissionDenied
    raise Http404
