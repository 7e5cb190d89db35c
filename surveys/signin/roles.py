"""Keeping a person's roles in step with their identity provider's groups."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from surveys.organisation.roles import ADMIN_GROUP, MANAGER_GROUP


def roles_from_groups(groups: Iterable[str]) -> set[str]:
    """The app roles (Django group names) that the provider's groups grant."""
    held = set(groups)
    roles = set()
    if held & set(settings.OIDC_ADMIN_GROUPS):
        roles.add(ADMIN_GROUP)
    if held & set(settings.OIDC_MANAGER_GROUPS):
        roles.add(MANAGER_GROUP)
    return roles


@transaction.atomic
def user_roles_sync(*, user: Any, groups: Iterable[str]) -> set[str]:
    """Grant the roles the groups map to and take back those they no longer do.

    Only the two mapped roles are touched: product membership stays in the app.
    """
    wanted = roles_from_groups(groups)
    for name in (ADMIN_GROUP, MANAGER_GROUP):
        group, _created = Group.objects.get_or_create(name=name)
        if name in wanted:
            user.groups.add(group)
        else:
            user.groups.remove(group)
    # roles.py caches a user's groups on the object; this object's roles just changed.
    user.__dict__.pop("_mlopsscore_groups", None)
    return wanted
