"""The roles of DESIGN §1, as Django groups. Superusers count as MLOps admins."""

from __future__ import annotations

from typing import Any

ADMIN_GROUP = "MLOps admins"
MANAGER_GROUP = "Managers"


def _groups(user: Any) -> set[str]:
    cached = getattr(user, "_mlopsscore_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
        user._mlopsscore_groups = cached
    return cached


def roles_remember(user: Any, *, admin: bool, manager: bool) -> None:
    """Keep the roles a query already read (``viewer_roles``) for the rest of the request."""
    user._mlopsscore_groups = {
        name for name, has in ((ADMIN_GROUP, admin), (MANAGER_GROUP, manager)) if has
    }


def viewer_roles(user: Any) -> dict[str, Any]:
    """Annotations that read ``user``'s roles in the same query as what they look at."""
    from django.contrib.auth.models import Group
    from django.db.models import Exists

    def member_of(name: str) -> Exists:
        return Exists(Group.objects.filter(name=name, user=user.pk))

    return {"viewer_admin": member_of(ADMIN_GROUP), "viewer_manager": member_of(MANAGER_GROUP)}


def is_admin(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or ADMIN_GROUP in _groups(user)))


def is_manager(user: Any) -> bool:
    return bool(user.is_authenticated and MANAGER_GROUP in _groups(user))


def sees_everything(user: Any) -> bool:
    """Managers and admins read every product and every org-wide report."""
    return is_admin(user) or is_manager(user)
