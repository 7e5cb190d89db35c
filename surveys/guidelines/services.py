"""Guideline pages: Markdown files ``<slug>.md`` (English) and ``<slug>.ja.md`` (Japanese)."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from surveys.audit.models import AuditCategory
from surveys.audit.services import audit_record
from surveys.core.actors import Actor
from surveys.core.errors import ApplicationError
from surveys.guidelines.models import Guideline, GuidelineRevision

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
RESERVED = {"new", "preview"}


def markdown_too_long(text: str) -> str | None:
    """Why a guideline text is refused for its length, or None (the work of rendering
    and diffing it is bounded by its length)."""
    limit = settings.GUIDELINE_MAX_CHARS
    if len(text) <= limit:
        return None
    return gettext(
        "A guideline holds at most %(limit)s characters in each language; this text has "
        "%(length)s. Split it into several guidelines."
    ) % {"limit": f"{limit:,}", "length": f"{len(text):,}"}


def _title_of(markdown: str, fallback: str) -> str:
    first = markdown.lstrip().splitlines()[0] if markdown.strip() else ""
    return first.lstrip("#").strip() if first.startswith("#") else fallback


@transaction.atomic(durable=True)
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
        for text in body.values():
            problem = markdown_too_long(text)
            if problem:
                raise ApplicationError(
                    gettext("%(file)s: %(problem)s") % {"file": english.name, "problem": problem}
                )
        title = {lang: _title_of(text, slug) for lang, text in body.items()}
        guideline, _ = Guideline.objects.update_or_create(
            slug=slug, defaults={"title": title, "body": body, "updated_at": timezone.now()}
        )
        loaded.append(guideline)
    return loaded


def _snapshot(guideline: Guideline, by: Actor, number: int) -> GuidelineRevision:
    return GuidelineRevision.objects.create(
        guideline=guideline, number=number, by=by, title=guideline.title, body=guideline.body
    )


@transaction.atomic(durable=True)
def guideline_save(
    *,
    slug: str,
    title: dict[str, str],
    body: dict[str, str],
    by: Actor,
    guideline: Guideline | None = None,
) -> Guideline:
    """Create or edit a guideline; every saved state is kept as a revision, with who and
    when, so the previous text is never lost (a page loaded from files gets revision 0)."""
    title = {k: v.strip() for k, v in title.items() if v and v.strip()}
    body = {k: v for k, v in body.items() if v and v.strip()}
    if not body.get("en") and not body.get("ja"):
        raise ApplicationError(gettext("Write the guideline in English or Japanese."))
    for text in body.values():
        problem = markdown_too_long(text)
        if problem:
            raise ApplicationError(problem)
    if guideline is None:
        if slug in RESERVED or not SLUG_RE.match(slug or ""):
            raise ApplicationError(
                gettext(
                    "%(slug)r cannot be a guideline slug: use lowercase letters, digits and '-'."
                )
                % {"slug": slug}
            )
        if Guideline.objects.filter(slug=slug).exists():
            raise ApplicationError(gettext("A guideline %(slug)r exists already.") % {"slug": slug})
        guideline = Guideline.objects.create(
            slug=slug, title=title or {"en": slug}, body=body, updated_at=timezone.now()
        )
        action, before = "guideline.created", {}
    else:
        guideline = Guideline.objects.select_for_update().get(pk=guideline.pk)
        if not guideline.revisions.exists():
            _snapshot(guideline, None, 0)
        if guideline.title == (title or guideline.title) and guideline.body == body:
            return guideline
        before = guideline.body
        guideline.title, guideline.body = title or guideline.title, body
        guideline.updated_at = timezone.now()
        guideline.save()
        action = "guideline.changed"
    last = guideline.revisions.order_by("-number").values_list("number", flat=True).first()
    revision = _snapshot(guideline, by, (last if last is not None else 0) + 1)
    audit_record(
        by=by,
        category=AuditCategory.GUIDELINES,
        action=action,
        subject=guideline,
        target=guideline.slug,
        revision=revision.number,
        diff=body_diff(before, body),
    )
    return guideline


def body_diff(before: dict[str, str], after: dict[str, str]) -> str:
    """A unified diff of the Markdown, language by language."""
    out: list[str] = []
    for lang in sorted(set(before) | set(after)):
        a, b = before.get(lang, ""), after.get(lang, "")
        if a != b:
            out.extend(
                difflib.unified_diff(
                    a.splitlines(),
                    b.splitlines(),
                    f"{lang} (before)",
                    f"{lang} (after)",
                    lineterm="",
                )
            )
    return "\n".join(out)
