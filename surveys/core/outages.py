"""A dependency that is down answers 503, never a 500 page (DESIGN §8: production runs on
PostgreSQL and Redis, and either may restart under load).

Django's handler for uncaught errors (``handler500`` in ``mlopsscore/urls.py``) calls
``server_error``: when the error is the database or the shared cache being unreachable,
the person gets a 503 that says so and to try again, with ``Retry-After``; API clients get
the API's JSON error shape. A failed request's transaction is rolled back, and the next
request opens a fresh connection, so the app recovers by itself.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from surveys.core.api.errors import error_body

RETRY_AFTER_SECONDS = 10
_OUTAGES = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)


def is_outage(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or an error it was raised from) is a dependency being unreachable."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, _OUTAGES):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    if not is_outage(sys.exc_info()[1]):
        return defaults.server_error(request)
    message = _(
        "The service is briefly unavailable (its database or cache is restarting). "
        "Try again in a moment; what was saved before is safe."
    )
    response: HttpResponse
    if (
        request.path.startswith("/api/")
        or "application/json" in request.headers.get("Accept", "")
        or request.content_type == "application/json"
    ):
        response = JsonResponse(error_body("unavailable", message), status=503)
    else:
        # Rendered without the request: its context processors would read the database.
        body: str
        try:
            body = render_to_string("503.html", {"message": message})
        except Exception:
            body = f"<!doctype html><title>503</title><h1>503</h1><p>{message}</p>"
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
