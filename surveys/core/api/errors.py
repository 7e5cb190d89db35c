"""One JSON shape for every API error::

{"error": {"code": "invalid", "message": "...", "details": {...} | [...] | null}}

``api_exception_handler`` is DRF's exception handler; ``api_not_found`` answers URLs
under ``/api/`` that match no endpoint; ``schema_add_error_responses`` documents the
shape on every operation of the OpenAPI schema, so clients (and schemathesis) know it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from surveys.core.errors import ApplicationError


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = "The request body is too large."


def too_large() -> RequestTooLarge:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return RequestTooLarge(f"The request body exceeds the limit of {limit:,} bytes.")


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def _code_for(exc: Exception) -> str:
    if isinstance(exc, exceptions.APIException):
        code = exc.default_code
        return code if isinstance(code, str) else "error"
    return "error"


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(
            error_body("invalid", exc.message, exc.details), status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = too_large()

    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        message = "The request is invalid; see details for every problem."
        if isinstance(data, dict) and set(data) == {"non_field_errors"}:
            message = " ".join(str(m) for m in data["non_field_errors"])
        details = data
    else:
        message = str(data.get("detail", exc)) if isinstance(data, dict) else str(exc)
        details = None
    response.data = error_body(_code_for(exc), message, details)
    return response


def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """URLs under /api/ that match no endpoint: a JSON 404 instead of an HTML page."""
    return JsonResponse(
        error_body("not_found", f"No API endpoint at {request.path}."),
        status=status.HTTP_404_NOT_FOUND,
    )


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "example": "invalid"},
                "message": {"type": "string"},
                "details": {
                    "description": "Every problem: by field, and for a batch by index; "
                    "null when there is nothing more to say."
                },
            },
        }
    },
}

_ALWAYS = {
    "400": "Invalid input or query parameters.",
    "401": "No credentials, or an unknown or revoked token.",
    "403": "Not allowed for this person or token.",
    "404": "Not found, or not visible to the caller.",
    "429": "Too many requests for this token or person.",
}
_WITH_BODY = {
    "413": "The request body exceeds DATA_UPLOAD_MAX_MEMORY_SIZE.",
    "415": "The body is not application/json.",
}


def schema_add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the error shape on every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            statuses = dict(_ALWAYS)
            if "requestBody" in operation:
                statuses.update(_WITH_BODY)
            responses = operation.setdefault("responses", {})
            for code, description in statuses.items():
                responses.setdefault(code, {"description": description, "content": ref})
    return result
