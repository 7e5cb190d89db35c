"""Pagination with bounds: a huge limit or offset is clamped or refused, never a DB overflow."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    default_limit = 100
    max_limit = 1000
    max_offset = 1_000_000_000

    def get_offset(self, request: Any) -> int:
        offset = super().get_offset(request)
        if offset > self.max_offset:
            raise ValidationError({"offset": [f"offset is at most {self.max_offset:,}."]})
        return offset
