"""Rate limit of CI ID tokens: per issuer and subject, at the stored tokens' rate."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .authentication import ci_principal_of


class CiIdentityRateThrottle(SimpleRateThrottle):
    scope = "ci_identity"

    def get_rate(self) -> str:
        return str(settings.API_TOKEN_THROTTLE)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        principal = ci_principal_of(request.user)
        if principal is None:
            return None
        who = f"{principal.ci_identity.issuer} {principal.ci_identity.subject}"
        return self.cache_format % {
            "scope": self.scope,
            "ident": hashlib.sha256(who.encode()).hexdigest()[:32],
        }
