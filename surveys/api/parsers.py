"""JSON parsing that really enforces the size limit.

DRF hands its parser the raw request stream, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE is
never checked for JSON bodies. This parser reads at most that many bytes and answers 413
beyond it; malformed, non-UTF-8 or absurdly nested JSON answers 400, never 500.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


class LimitedJSONParser(JSONParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        # Imported here: api_errors imports DRF's views, which import this parser.
        from surveys.api.errors import too_large

        limit: int | None = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        parser_context = parser_context or {}
        request = parser_context.get("request")
        if limit is not None and request is not None:
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > limit:
                raise too_large()
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise too_large()
        try:
            text = raw.decode(parser_context.get("encoding", settings.DEFAULT_CHARSET))
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError("The body is not UTF-8 encoded JSON.") from exc
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deeply.") from exc
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
