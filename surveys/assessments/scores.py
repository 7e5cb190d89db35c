"""Scores of assessments: computed by ``scoring``, stored with the assessment.

``assessments_score_store`` is set-based: it scores any number of assessments of one
round in a handful of queries, so closing a round of 10,000 products stays fast.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from scoring.areas import ScoreCard, score_card
from scoring.values import Policy
from scoring.verified import EvidenceRun, backed_keys, lower_unbacked
from surveys.assessments.models import Answer, AreaScore, Assessment, RoundOfAssessment
from surveys.assessments.signals import scores_stored
from surveys.evidence.models import Evidence
from surveys.questionnaires.models import Item, QuestionnaireVersion


@dataclass(frozen=True)
class Layout:
    """A version's areas in order, each with its items' (id, key) in order."""

    version_id: int
    policy: Policy
    areas: tuple[tuple[str, tuple[tuple[int, str], ...]], ...]

    # Item id → item key, built once per layout: scoring a round reads it per assessment.
    key_of: dict[int, str] = field(init=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        keys = {item_id: key for _, items in self.areas for item_id, key in items}
        object.__setattr__(self, "key_of", keys)

    def values_by_area(self, values: dict[int, str | None]) -> dict[str, list[str | None]]:
        return {key: [values.get(item_id) for item_id, _ in items] for key, items in self.areas}


def _layout_load(version_id: int) -> Layout:
    version = QuestionnaireVersion.objects.get(pk=version_id)
    by_area: dict[str, list[tuple[int, str]]] = defaultdict(list)
    order: list[str] = []
    for area_key, item_id, item_key in (
        Item.objects.filter(version_id=version_id)
        .order_by("area__position", "position")
        .values_list("area__key", "id", "key")
    ):
        if area_key not in by_area:
            order.append(area_key)
        by_area[area_key].append((item_id, item_key))
    areas = tuple((key, tuple(by_area[key])) for key in order)
    return Layout(version_id, version.policy, areas)


_layout_cached = lru_cache(maxsize=64)(_layout_load)


def version_layout(version: QuestionnaireVersion) -> Layout:
    # Only published versions are cached: they never change.
    if version.is_published:
        return _layout_cached(version.pk)
    return _layout_load(version.pk)


def assessment_values(assessment: Assessment) -> dict[int, str | None]:
    return dict(Answer.objects.filter(assessment=assessment).values_list("item_id", "value"))


def backed_item_keys(product_ids: Iterable[int], round: RoundOfAssessment) -> dict[int, set[str]]:
    """Per product, the item keys whose check ran inside the round's evidence window.

    The rule is ``scoring.verified.backed_keys``; the query only narrows the rows to the
    window and keeps the latest run per product, item and outcome, so the rows to judge
    stay few however often a pipeline posts.
    """
    window = round.evidence_window
    runs: dict[int, list[EvidenceRun]] = defaultdict(list)
    rows = (
        Evidence.objects.filter(
            product_id__in=list(product_ids),
            observed_at__gte=window[0],
            observed_at__lte=window[1],
        )
        .values("product_id", "item_key", "outcome")
        .annotate(last=Max("observed_at"))
        .values_list("product_id", "item_key", "outcome", "last")
    )
    for product_id, item_key, outcome, last in rows:
        runs[product_id].append(EvidenceRun(item_key, outcome, last))
    backed: dict[int, set[str]] = defaultdict(set)
    for product_id, product_runs in runs.items():
        backed[product_id] = backed_keys(product_runs, window)
    return backed


def cards_for(
    layout: Layout, values: dict[int, str | None], backed: set[str]
) -> tuple[ScoreCard, ScoreCard]:
    """The claimed and the verified score card of one assessment's values."""
    claimed = score_card(layout.values_by_area(values), layout.policy)
    key_of = layout.key_of
    by_key = {key: values.get(item_id) for item_id, key in key_of.items()}
    lowered = lower_unbacked(by_key, backed)
    verified_by_id = {item_id: lowered[key] for item_id, key in key_of.items()}
    verified = score_card(layout.values_by_area(verified_by_id), layout.policy)
    return claimed, verified


def assessment_cards(assessment: Assessment) -> tuple[ScoreCard, ScoreCard]:
    """Live claimed and verified cards for one assessment (used by pages as people type)."""
    layout = version_layout(assessment.round.version)
    backed = backed_item_keys([assessment.product_id], assessment.round)
    return cards_for(layout, assessment_values(assessment), backed[assessment.product_id])


@transaction.atomic
def assessments_score_store(
    *,
    round: RoundOfAssessment,
    assessments: Sequence[Assessment],
    source: str,
    now: datetime | None = None,
) -> int:
    """Compute and store the scores of these assessments of ``round``, recording where
    the change came from (``RevisionSource``); returns how many."""
    if not assessments:
        return 0
    layout = version_layout(round.version)
    ids = [a.pk for a in assessments]
    values: dict[int, dict[int, str | None]] = defaultdict(dict)
    for assessment_id, item_id, value in Answer.objects.filter(assessment_id__in=ids).values_list(
        "assessment_id", "item_id", "value"
    ):
        values[assessment_id][item_id] = value
    backed = backed_item_keys({a.product_id for a in assessments}, round)
    now = now or timezone.now()
    area_rows: list[AreaScore] = []
    for assessment in assessments:
        claimed, verified = cards_for(layout, values[assessment.pk], backed[assessment.product_id])
        assessment.is_complete = claimed.complete
        assessment.final_score = claimed.final
        assessment.verified_score = verified.final
        assessment.band = claimed.band.key if claimed.band else ""
        assessment.scored_at = now
        assessment.score_source = source
        if claimed.final is None:
            continue
        for key, area in claimed.areas.items():
            area_rows.append(
                AreaScore(
                    assessment_id=assessment.pk,
                    area_key=key,
                    n=area.n,
                    applicable=area.applicable,
                    raw=area.raw,
                    score=area.score,
                    verified_score=verified.areas[key].score,
                )
            )
    _scores_update(assessments)
    AreaScore.objects.filter(assessment_id__in=ids).delete()
    AreaScore.objects.bulk_create(area_rows, batch_size=5000)
    product_ids = {a.product_id for a in assessments}
    transaction.on_commit(lambda: scores_stored.send(sender=Assessment, product_ids=product_ids))
    return len(assessments)


_SCORE_FIELDS = (
    "is_complete",
    "final_score",
    "verified_score",
    "band",
    "scored_at",
    "score_source",
)


def _scores_update(assessments: Sequence[Assessment]) -> None:
    """Write the score fields of many assessments. On PostgreSQL one UPDATE ... FROM
    (VALUES ...) per 5,000 rows: Django's bulk_update builds a CASE per row and field,
    which took two thirds of the time of closing a round of 10,000 products."""
    if connection.vendor != "postgresql":
        Assessment.objects.bulk_update(assessments, list(_SCORE_FIELDS), batch_size=2000)
        return
    row = (
        "(%s::bigint, %s::boolean, %s::double precision, %s::double precision, %s,"
        " %s::timestamptz, %s)"
    )
    table = Assessment._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(assessments), 5000):
            chunk = assessments[start : start + 5000]
            cursor.execute(
                f"UPDATE {table} AS a SET is_complete = v.c, final_score = v.f, "
                "verified_score = v.vf, band = v.b, scored_at = v.s, score_source = v.src "
                f"FROM (VALUES {', '.join([row] * len(chunk))}) AS v(id, c, f, vf, b, s, src) "
                "WHERE a.id = v.id",
                [
                    value
                    for a in chunk
                    for value in (
                        a.pk,
                        a.is_complete,
                        a.final_score,
                        a.verified_score,
                        a.band,
                        a.scored_at,
                        a.score_source,
                    )
                ],
            )
