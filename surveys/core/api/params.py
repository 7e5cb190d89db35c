"""Query parameters read safely: text the database can compare, or a clear 400."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError


def text_param(request: Any, name: str, *, max_length: int = 200) -> str | None:
    """The parameter's value, or None when absent or empty."""
    value = request.query_params.get(name)
    if not value:
        return None
    if "\x00" in value or len(value) > max_length:
        raise ValidationError(
            {name: [f"Give at most {max_length} characters, without NUL characters."]}
        )
    return str(value)
