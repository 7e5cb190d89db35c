"""Review steps appear on the audit page beside the other recorded changes."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from surveys.models import Item
from surveys.reviews import services


def test_review_steps_on_the_audit_page(assessment: Any, cast: Any, client_for: Any) -> None:
    item = Item.objects.get(version=assessment.round.version, key="data.i1")
    [query] = services.review_query(
        assessment=assessment, items=[item], comment="Show the run", by=cast.admin
    )
    services.review_query_reply(query=query, comment="run 42", by=cast.member)
    admin = client_for("admin")

    def rows(**params: str) -> list[tuple[str, str, str, str]]:
        entries = admin.get(reverse("audit:list"), params).context["entries"]
        return [(e.category, e.action, e.target, e.details) for e in entries]

    reviews = [
        ("Reviews", "review.replied", "Ads Ctr · 2026-10 · D1", "run 42"),
        ("Reviews", "review.queried", "Ads Ctr · 2026-10 · D1", "Show the run"),
    ]
    assert rows(category="reviews") == reviews
    assert set(reviews) <= set(rows())
    assert rows(category="reviews", who="member") == reviews[:1]
    assert not [r for r in rows(category="answers") if r[0] == "Reviews"]
    html = admin.get(reverse("audit:list"), {"category": "reviews"}).content.decode()
    assert "Show the run" in html
