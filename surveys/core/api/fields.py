"""Serializer fields that refuse what the database could not store."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from scoring.figures import figure


def utf8_encodable(value: str) -> None:
    """Lone surrogates (``"\\ud800"`` in JSON) are valid JSON but no storable text."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise DjangoValidationError(
            _("This text holds characters that are not valid Unicode.")
        ) from exc


class Text(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs["validators"] = [*kwargs.get("validators", ()), utf8_encodable]
        super().__init__(**kwargs)


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with a timezone: a naive time is ambiguous, so it is refused."""

    default_error_messages = {
        "naive": _("Give the time with its timezone, e.g. 2026-11-20T03:00:00Z."),
    }

    def to_internal_value(self, value: Any) -> datetime:
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        return super().to_internal_value(value)


class ScoreField(serializers.FloatField):
    """A score as JSON carries it: rounded to 4 decimals (DESIGN §3)."""

    def to_representation(self, value: Any) -> Any:
        return figure(value)
