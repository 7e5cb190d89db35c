"""Rate limits: per token (``API_TOKEN_THROTTLE``) and per signed-in person.

Rates are read from settings at each request, so they can be changed without
re-importing DRF's settings.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from surveys.organisation.selectors import token_of


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self) -> str:
        return str(settings.API_TOKEN_THROTTLE)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        token = token_of(request.user)
        if token is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class PersonRateThrottle(SimpleRateThrottle):
    scope = "user"

    def get_rate(self) -> str:
        return str(settings.API_USER_THROTTLE)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        user = request.user
        if user is None or not user.is_authenticated or token_of(user) is not None:
            return None
        if user.pk is None:
            # A CI ID token: no person (CiIdentityRateThrottle counts those).
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}
