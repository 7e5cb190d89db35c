"""Reading feedback on items: beside a product's items, beside the items of a draft
version in the studio, and the items with most feedback per round (DESIGN §5)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from surveys.assessments.models import Assessment
from surveys.feedback.models import FeedbackKind, ItemFeedback
from surveys.questionnaires.models import Item, QuestionnaireVersion
from surveys.rounds.models import Round


def feedback_of_product(assessment: Assessment) -> dict[str, list[ItemFeedback]]:
    """By item key, the feedback this product left on its items in any round, newest
    first: its members see what became of it."""
    rows: dict[str, list[ItemFeedback]] = defaultdict(list)
    for feedback in (
        ItemFeedback.objects.filter(assessment__product_id=assessment.product_id)
        .select_related("assessment__round", "addressed_in__questionnaire", "by")
        .order_by("-at", "-id")
    ):
        rows[feedback.item_key].append(feedback)
    return dict(rows)


@dataclass
class ItemFeedbackSummary:
    """The studio's view of one item's feedback: counts by kind and every comment."""

    counts: list[tuple[str, int]] = field(default_factory=list)
    entries: list[ItemFeedback] = field(default_factory=list)
    open: int = 0


def feedback_by_key(version: QuestionnaireVersion) -> dict[str, ItemFeedbackSummary]:
    """By item key, the feedback on that practice in any version of the questionnaire,
    by round and product (the key stays the same while the practice means the same)."""
    keys = list(version.items.values_list("key", flat=True))
    rows = (
        ItemFeedback.objects.filter(
            item_key__in=keys, item__version__questionnaire_id=version.questionnaire_id
        )
        .select_related("assessment__round", "assessment__product", "addressed_in__questionnaire")
        .order_by("-assessment__round__opens_on", "assessment__product__name", "-at")
    )
    found: dict[str, list[ItemFeedback]] = defaultdict(list)
    for feedback in rows:
        found[feedback.item_key].append(feedback)
    labels = dict(FeedbackKind.choices)
    summaries = {}
    for key, entries in found.items():
        counted = Counter(f.kind for f in entries)
        summaries[key] = ItemFeedbackSummary(
            counts=[(str(labels[k]), counted[k]) for k in FeedbackKind.values if counted[k]],
            entries=entries,
            open=sum(1 for f in entries if f.status == "open"),
        )
    return summaries


@dataclass
class ReportRow:
    item: Item
    total: int
    kinds: list[tuple[str, int]]
    open: int


def most_feedback(round: Round, limit: int = 10) -> list[ReportRow]:
    """The items of ``round`` with most feedback, most first, with counts by kind."""
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    open_counts: Counter[int] = Counter()
    for item_id, kind, status, n in (
        ItemFeedback.objects.filter(assessment__round=round)
        .values("item_id", "kind", "status")
        .annotate(n=Count("id"))
        .values_list("item_id", "kind", "status", "n")
    ):
        counts[item_id][kind] += n
        if status == "open":
            open_counts[item_id] += n
    ranked = sorted(counts, key=lambda pk: (-sum(counts[pk].values()), pk))[:limit]
    items = Item.objects.in_bulk(ranked)
    labels = dict(FeedbackKind.choices)
    return [
        ReportRow(
            item=items[pk],
            total=sum(counts[pk].values()),
            kinds=[(str(labels[k]), counts[pk][k]) for k in FeedbackKind.values if counts[pk][k]],
            open=open_counts[pk],
        )
        for pk in ranked
    ]


def feedback_report(rounds: Any) -> list[tuple[Round, list[ReportRow]]]:
    return [(rnd, rows) for rnd in rounds if (rows := most_feedback(rnd))]


def assessment_feedback(assessment: Assessment, user: Any) -> dict[str, Any]:
    """What the assessment page shows of feedback: the product's own, by item key, and
    whether ``user`` may leave more (members and admins; managers read only)."""
    from surveys.organisation.selectors import product_editable_by

    return {
        "mine": feedback_of_product(assessment),
        "can_leave": product_editable_by(user, assessment.product_id),
        # Translated once: the page offers them beside each of its items.
        "kinds": [(value, str(label)) for value, label in FeedbackKind.choices],
    }
