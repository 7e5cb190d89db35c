"""JSON parsing that really enforces the size limit.

DRF hands its parser the raw request stream, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE is
never checked for JSON bodies. This parser reads at most that many bytes and answers 413
beyond it; everything else about the body is judged by ``surveys.core.guard.json_body``,
the one JSON reader of the project (malformed, non-UTF-8, absurdly nested JSON or
non-finite numbers answer 400, never 500).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from surveys.core.guard import BadInput, json_body


class LimitedJSONParser(JSONParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        # Imported here: api_errors imports DRF's views, which import this parser.
        from surveys.core.api.errors import too_large

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
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            # Text is checked field by field by the serializers, which name the field.
            return json_body(raw, encoding=encoding, check_text=False)
        except BadInput as exc:
            raise ParseError(exc.message) from exc
