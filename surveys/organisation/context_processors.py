from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from surveys.organisation import roles as _roles


def roles(request: HttpRequest) -> dict[str, Any]:
    # An error page rendered before the authentication middleware ran (a bad Host
    # header) has no user yet: it is shown as to an anonymous visitor.
    user = getattr(request, "user", None) or AnonymousUser()
    return {
        "user_is_admin": _roles.is_admin(user),
        "user_is_manager": _roles.is_manager(user),
        "user_sees_everything": _roles.sees_everything(user),
        # Called only where a template asks: admins and members of a product manage tokens.
        "user_manages_tokens": lambda: _manages_tokens(user),
    }


def _manages_tokens(user: Any) -> bool:
    from surveys.organisation.selectors import products_editable_by

    if _roles.is_admin(user):
        return True  # admins manage every product's tokens
    return bool(user.is_authenticated) and products_editable_by(user).exists()
