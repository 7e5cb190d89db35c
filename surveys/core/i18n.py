"""Bilingual text. Every questionnaire text is stored as a language map {"en": ..., "ja": ...}."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

LANGS = ("en", "ja")


def as_text_map(value: Any) -> dict[str, str]:
    """A file's text (a plain string or a language map) as a language map."""
    if isinstance(value, str):
        return {"en": value}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items() if isinstance(v, str)}
    raise TypeError(f"expected a string or a language map, got {type(value).__name__}")


def tr(value: dict[str, str] | str | None, lang: str | None = None) -> str:
    """The text in ``lang`` (default: the active language), falling back to English."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    lang = (lang or get_language() or "en")[:2]
    return value.get(lang) or value.get("en") or next(iter(value.values()), "")
