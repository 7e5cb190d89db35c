"""Guideline pages: Markdown files ``<slug>.md`` (English) and ``<slug>.ja.md`` (Japanese)."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from mlopsscore.errors import ApplicationError
from surveys.models import Guideline


def _title_of(markdown: str, fallback: str) -> str:
    first = markdown.lstrip().splitlines()[0] if markdown.strip() else ""
    return first.lstrip("#").strip() if first.startswith("#") else fallback


@transaction.atomic
def guidelines_load(*, directory: Path) -> list[Guideline]:
    """Create or update one guideline per ``<slug>.md`` in ``directory``."""
    if not directory.is_dir():
        raise ApplicationError(
            gettext("%(directory)s is not a directory of guideline pages.")
            % {"directory": directory}
        )
    loaded = []
    for english in sorted(directory.glob("*.md")):
        if english.name.endswith(".ja.md"):
            continue
        slug = english.name.removesuffix(".md")
        body = {"en": english.read_text(encoding="utf-8")}
        japanese = directory / f"{slug}.ja.md"
        if japanese.exists():
            body["ja"] = japanese.read_text(encoding="utf-8")
        title = {lang: _title_of(text, slug) for lang, text in body.items()}
        guideline, _ = Guideline.objects.update_or_create(
            slug=slug, defaults={"title": title, "body": body, "updated_at": timezone.now()}
        )
        loaded.append(guideline)
    return loaded
