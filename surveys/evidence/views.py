"""How to post evidence from CI: docs/ci.md as a page of the app."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from surveys.guidelines.views import render_markdown

CI_DOC = settings.BASE_DIR / "docs" / "ci.md"


@login_required
def evidence_help(request: HttpRequest) -> HttpResponse:
    body = mark_safe(render_markdown(CI_DOC.read_text(encoding="utf-8")))
    return render(request, "surveys/help_evidence.html", {"body": body})
