"""Guideline pages: Markdown rendered to HTML, then sanitised (no script ever gets through)."""

from __future__ import annotations

import nh3
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

from surveys.core.i18n import tr
from surveys.guidelines.models import Guideline
from surveys.guidelines.release import required_by_phase

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip


# CommonMark with tables and strikethrough. markdown-it-py parses in time about linear in
# the text (a page of "[" took Python-Markdown minutes); texts are bounded too
# (GUIDELINE_MAX_CHARS), so no render runs for more than about a second.
_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
# Every link is made a link, and nh3 drops an unsafe address (javascript:, data:) from it,
# as before, rather than leaving the Markdown source of the link on the page.
_MARKDOWN.validateLink = lambda url: True  # type: ignore[method-assign]


def render_markdown(text: str) -> str:
    """Markdown to safe HTML: raw HTML in the source is escaped or stripped by nh3."""
    return nh3.clean(_MARKDOWN.render(text), tags=ALLOWED_TAGS, link_rel="noopener noreferrer")


@login_required
def guideline_detail(request: HttpRequest, slug: str) -> HttpResponse:
    guideline = get_object_or_404(Guideline, slug=slug)
    body = mark_safe(render_markdown(tr(guideline.body)))
    # DESIGN §2: the required and the recommended requirements, shown apart.
    required = mark_safe(render_markdown(tr(guideline.required)))
    recommended = mark_safe(render_markdown(tr(guideline.recommended)))
    return render(
        request,
        "surveys/guideline.html",
        {
            "guideline": guideline,
            "title": tr(guideline.title) or slug,
            "body": body,
            "required": required,
            "recommended": recommended,
            "required_for_release": required_by_phase(slug),
        },
    )
