"""The one gate of the MLOps admins' pages: anonymous visitors log in, everyone else but
an MLOps admin gets 403 (DESIGN §7). Machine tokens never open these pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from surveys.organisation.roles import is_admin
from surveys.organisation.selectors import token_of


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
