"""The one path that freezes a round's assessments (DESIGN §4).

``round_close``, the import of historical rounds and the demo seed all call
``assessments_freeze``: drafts recorded as not submitted, scores stored, regressions
flagged, the event recorded in the same transaction, and the round report and the
regression emails left to tasks enqueued when that transaction commits.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from scoring.regression import regression_of
from surveys.assessments.models import Answer, AreaScore, Assessment, AssessmentStatus
from surveys.assessments.scores import assessments_score_store
from surveys.assessments.writing import submissions_restore
from surveys.core.actors import Actor
from surveys.core.tasks import enqueue
from surveys.rounds.carry import chunks
from surveys.rounds.models import MailAudience, Round, RoundEvent, RoundMail, RoundStatus

logger = logging.getLogger(__name__)

UNFINISHED = (AssessmentStatus.NOT_STARTED, AssessmentStatus.DRAFT)
# The reports app builds the report; surveys never imports it, it names the task.
REPORT_TASK = "reports.round_report_build"


def person(by: Actor) -> Any:
    """The user to record as the actor; None for the periodic job or a machine."""
    return by if getattr(by, "pk", None) else None


def event_record(
    *,
    round: Round,
    kind: str,
    by: Actor,
    source: str,
    now: dt.datetime | None = None,
    mail: dict[str, Any] | None = None,
    **details: Any,
) -> RoundEvent:
    """Record what happened to a round; ``mail`` (RoundMail fields) is what to tell whom,
    sent after the commit by ``surveys.round_mail_send``."""
    event = RoundEvent.objects.create(
        round=round,
        kind=kind,
        by=person(by),
        at=now or timezone.now(),
        source=source,
        details=details,
    )
    if mail:
        notice = RoundMail.objects.create(event=event, **mail)
        enqueue("surveys.round_mail_send", notice.pk)
    return event


def report_rebuild(round: Round) -> None:
    """The round's stored report is built again after the commit (``reports`` builds it)."""
    enqueue(REPORT_TASK, round.pk)


@dataclass
class FreezeResult:
    unsubmitted_changes: int = 0
    submitted: int = 0
    not_submitted: int = 0
    scored: int = 0
    regressions: int = 0
    regressed_ids: list[int] = field(default_factory=list)
    event: RoundEvent | None = None


def _in(round: Round, assessment_ids: Sequence[int] | None) -> QuerySet[Assessment]:
    assessments = Assessment.objects.filter(round=round)
    return assessments if assessment_ids is None else assessments.filter(pk__in=assessment_ids)


def _undo_unsubmitted(
    assessments: QuerySet[Assessment], by: Actor, source: str, now: dt.datetime
) -> int:
    """DESIGN §2: at the close the last submission counts. Answers changed since it go
    back to it, each change recorded, so the history keeps the unsubmitted changes
    (unscored) and everything that reads the closed round reads the submission.
    Returns how many answers went back."""
    changed = assessments.filter(status=AssessmentStatus.SUBMITTED, unsubmitted_changes__gt=0)
    ids = list(changed.values_list("pk", flat=True))
    restored = 0
    for chunk in chunks(ids):
        restored += submissions_restore(
            Answer.objects.filter(assessment_id__in=chunk), by=person(by), at=now, source=source
        )
    Assessment.objects.filter(pk__in=ids).update(unsubmitted_changes=0)
    return restored


def _record_non_response(assessments: QuerySet[Assessment]) -> int:
    """Unfinished assessments become non-responses; non-responses carry no score.
    Returns how many of ``assessments`` are non-responses."""
    assessments.filter(status__in=UNFINISHED).update(status=AssessmentStatus.NOT_SUBMITTED)
    unscored = assessments.filter(status=AssessmentStatus.NOT_SUBMITTED)
    count = unscored.update(
        is_complete=False,
        final_score=None,
        verified_score=None,
        band="",
        scored_at=None,
        score_source="",
        is_regression=False,
        regression={},
    )
    AreaScore.objects.filter(assessment__in=unscored).delete()
    return count


def _score_submitted(
    round: Round, assessments: QuerySet[Assessment], source: str, now: dt.datetime
) -> int:
    ids = list(
        assessments.filter(status=AssessmentStatus.SUBMITTED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for chunk in chunks(ids):
        assessments_score_store(
            round=round,
            assessments=list(Assessment.objects.filter(pk__in=chunk).order_by("pk")),
            source=source,
            now=now,
        )
    return len(ids)


def _area_scores(assessment_ids: Sequence[int]) -> dict[int, dict[str, float]]:
    found: dict[int, dict[str, float]] = defaultdict(dict)
    for chunk in chunks(list(assessment_ids), 5000):
        rows = AreaScore.objects.filter(assessment_id__in=chunk, score__isnull=False).values_list(
            "assessment_id", "area_key", "score"
        )
        for assessment_id, key, score in rows:
            found[assessment_id][key] = float(score or 0.0)
    return found


def _previous_scored(round: Round, product_ids: Sequence[int]) -> dict[int, tuple[int, float, str]]:
    """Per product, its assessment in its previous scored round of the same questionnaire."""
    found: dict[int, tuple[int, float, str]] = {}
    for chunk in chunks(list(product_ids), 5000):
        rows = (
            Assessment.objects.filter(
                product_id__in=chunk,
                round__questionnaire_id=round.questionnaire_id,
                round__opens_on__lt=round.opens_on,
                round__status=RoundStatus.CLOSED,
                final_score__isnull=False,
            )
            .order_by("product_id", "-round__opens_on")
            .values_list("product_id", "id", "final_score", "round__label")
        )
        for product_id, assessment_id, final, label in rows:
            found.setdefault(product_id, (assessment_id, float(final or 0.0), label))
    return found


def regressions_flag(round: Round) -> list[int]:
    """Flag this round's scored assessments that regressed (``scoring.regression``);
    returns their ids."""
    current = list(
        Assessment.objects.filter(round=round, final_score__isnull=False).values_list(
            "id", "product_id", "final_score"
        )
    )
    previous = _previous_scored(round, [product_id for _, product_id, _ in current])
    areas = _area_scores([a for a, _, _ in current] + [p[0] for p in previous.values()])
    flagged: list[Assessment] = []
    for assessment_id, product_id, final in current:
        if product_id not in previous:
            continue
        prev_id, prev_final, prev_label = previous[product_id]
        found = regression_of(
            final=float(final or 0.0),
            areas=areas.get(assessment_id, {}),
            previous_final=prev_final,
            previous_areas=areas.get(prev_id, {}),
        )
        if found is not None:
            details = {**found.as_json(), "previous_round": prev_label}
            flagged.append(Assessment(pk=assessment_id, is_regression=True, regression=details))
    Assessment.objects.filter(round=round).update(is_regression=False, regression={})
    Assessment.objects.bulk_update(flagged, ["is_regression", "regression"], batch_size=1000)
    return [a.pk for a in flagged]


def assessments_freeze(
    *,
    round: Round,
    kind: str,
    by: Actor,
    source: str,
    now: dt.datetime | None = None,
    assessment_ids: Sequence[int] | None = None,
    notify: bool = True,
    **details: Any,
) -> FreezeResult:
    """Freeze the assessments of a closed ``round`` (all, or ``assessment_ids``): record
    non-response, store scores, flag regressions, record the event ``kind``, and after
    the commit rebuild the round's report and tell the members of regressed products.

    The caller holds the round row locked (or created it in this transaction).
    """
    assert transaction.get_connection().in_atomic_block, "call inside transaction.atomic"
    now = now or timezone.now()
    result = FreezeResult()
    assessments = _in(round, assessment_ids)
    result.unsubmitted_changes = _undo_unsubmitted(assessments, by, source, now)
    result.not_submitted = _record_non_response(assessments)
    # Scored at the close's own time: nothing of a closed round is dated after its close.
    result.submitted = result.scored = _score_submitted(round, assessments, source, now)
    result.regressed_ids = regressions_flag(round)
    result.regressions = len(result.regressed_ids)
    mail = None
    if notify:
        mail = {
            "template": "regression" if result.regressed_ids else "",
            "audience": MailAudience.REGRESSED,
            "webhook_text": f"Round {round.label} {kind}: {result.submitted} submitted, "
            f"{result.not_submitted} not submitted, {result.regressions} regressions.",
        }
    if result.unsubmitted_changes:
        details["unsubmitted_changes"] = result.unsubmitted_changes
    result.event = event_record(
        round=round,
        kind=kind,
        by=by,
        source=source,
        now=now,
        mail=mail,
        submitted=result.submitted,
        not_submitted=result.not_submitted,
        regressions=result.regressions,
        **details,
    )
    report_rebuild(round)
    return result
