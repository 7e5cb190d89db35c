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
    """Keep the roles a query already read (``viewer_roles_sql``) for the rest of the request."""
    user._mlopsscore_groups = {
        name for name, has in ((ADMIN_GROUP, admin), (MANAGER_GROUP, manager)) if has
    }


def viewer_roles_sql() -> str:
    """Two select terms, ``viewer_admin`` and ``viewer_manager``, that read a person's
    roles in the same statement as what they look at; ``viewer_roles_params`` gives
    their parameters."""
    from django.contrib.auth.models import Group, User
    from django.db import connection

    quote = connection.ops.quote_name
    through = User.groups.through._meta
    user_col = quote(through.get_field("user").column)
    group_col = quote(through.get_field("group").column)
    groups = f"{quote(Group._meta.db_table)} g ON g.{quote(Group._meta.pk.column)}"

    def member_of(label: str) -> str:
        return (
            f"EXISTS (SELECT 1 FROM {quote(through.db_table)} ug JOIN {groups} = ug.{group_col} "
            f"WHERE ug.{user_col} = %s AND g.name = %s) AS {label}"
        )

    return f"{member_of('viewer_admin')}, {member_of('viewer_manager')}"


def viewer_roles_params(user_pk: int) -> list[Any]:
    return [user_pk, ADMIN_GROUP, user_pk, MANAGER_GROUP]


def is_admin(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or ADMIN_GROUP in _groups(user)))


def is_manager(user: Any) -> bool:
    return bool(user.is_authenticated and MANAGER_GROUP in _groups(user))


def sees_everything(user: Any) -> bool:
    """Managers and admins read every product and every org-wide report."""
    return is_admin(user) or is_manager(user)
