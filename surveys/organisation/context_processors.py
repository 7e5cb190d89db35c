from typing import Any

from django.http import HttpRequest

from surveys.organisation import roles as _roles


def roles(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "user_is_admin": _roles.is_admin(user),
        "user_is_manager": _roles.is_manager(user),
        "user_sees_everything": _roles.sees_everything(user),
    }
