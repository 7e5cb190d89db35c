"""Who acts (DESIGN §4: every change records who made it).

A service takes ``by: Actor``: a person (a signed-in user), or None for the periodic job
and the system. Machines that post evidence act through their token or CI identity and
are recorded as such by the evidence services, never as a person.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

# The project keeps Django's own user model (AUTH_USER_MODEL is not swapped).
Actor: TypeAlias = User | None


def actor_of(request: HttpRequest) -> User:
    """The signed-in person behind a request to a page that requires one (the page's
    decorator has already sent everyone else away)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
