"""One JSON shape for every API error::

{"error": {"code": "invalid", "message": "...", "details": {...} | [...] | null}}
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .errors import ApplicationError


def _code_for(exc: Exception) -> str:
    if isinstance(exc, exceptions.APIException):
        code = exc.default_code
        return code if isinstance(code, str) else "error"
    return "error"


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(
            {"error": {"code": "invalid", "message": exc.message, "details": exc.details}},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        message = "The request is invalid; see details for every problem."
        details = data
    else:
        message = str(data.get("detail", exc)) if isinstance(data, dict) else str(exc)
        details = None
    response.data = {"error": {"code": _code_for(exc), "message": message, "details": details}}
    return response
