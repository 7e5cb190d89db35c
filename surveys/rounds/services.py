"""Measurement rounds (DESIGN §4): create, open, remind, close, extend, re-open, re-score.

Every step claims its work with a conditional update (or a unique row), so a task that
runs twice does nothing twice. Every step is set-based: the number of queries does not
grow with the number of products, so closing a round of 10,000 products stays fast.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from mlopsscore.errors import ApplicationError
from surveys.assessments.scores import assessments_score_store
from surveys.models import (
    Answer,
    AnswerRevision,
    AreaScore,
    Assessment,
    AssessmentStatus,
    CarryStatus,
    Item,
    Product,
    Questionnaire,
    QuestionnaireVersion,
    RevisionSource,
    Round,
    RoundEvent,
    RoundEventKind,
    RoundReminder,
    RoundStatus,
    VersionStatus,
)
from surveys.questionnaires.lineage import carry_decision
from surveys.rounds import notifications

logger = logging.getLogger(__name__)

# DESIGN §4: a fall of this much since the previous round is a regression.
FINAL_DROP = 1.0
AREA_DROP = 2.0
_EPSILON = 1e-9
_BATCH = 2000
UNFINISHED = (AssessmentStatus.NOT_STARTED, AssessmentStatus.DRAFT)


def _today(now: dt.datetime) -> dt.date:
    return timezone.localdate(now)


def _person(by: Any) -> Any:
    """The user to record as the actor; None for the periodic job or a machine."""
    return by if getattr(by, "pk", None) else None


def _event(
    round: Round, kind: str, by: Any = None, now: dt.datetime | None = None, **details: Any
) -> None:
    RoundEvent.objects.create(
        round=round, kind=kind, by=_person(by), at=now or timezone.now(), details=details
    )


def _chunks(values: Sequence[Any], size: int = _BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- create -----------------------------------------------------------------------------


def products_targetable(
    *, department_ids: Iterable[int] | None = None, phases: Iterable[str] | None = None
) -> QuerySet[Product]:
    """Every active product, narrowed by department (with sub-departments) or phase."""
    from surveys.organisation.selectors import department_descendant_ids

    products = Product.objects.filter(is_active=True, archived_at__isnull=True)
    department_ids = set(department_ids or ())
    if department_ids:
        products = products.filter(department_id__in=department_descendant_ids(department_ids))
    phases = list(phases or ())
    if phases:
        products = products.filter(phase__in=phases)
    return products


@transaction.atomic
def round_create(
    *,
    version: QuestionnaireVersion,
    label: str,
    opens_on: dt.date,
    closes_on: dt.date,
    products: Iterable[Product] | QuerySet[Product] | None = None,
    reminder_days: Sequence[int] | None = None,
    by: Any = None,
) -> Round:
    """A scheduled round. ``products`` None targets every active product when it opens."""
    label = label.strip()
    if not label:
        raise ApplicationError("Give the round a label, for example 2026-10.")
    if version.status != VersionStatus.PUBLISHED:
        raise ApplicationError(
            f"{version.label} is a draft: publish it before using it in a round."
        )
    if closes_on <= opens_on:
        raise ApplicationError("The close date must come after the open date.")
    if Round.objects.filter(questionnaire_id=version.questionnaire_id, label=label).exists():
        raise ApplicationError(
            f"A round labelled {label} already exists for {version.questionnaire.key}."
        )
    days = sorted({int(d) for d in (reminder_days or settings.ROUND_REMINDER_DAYS)}, reverse=True)
    if any(d < 0 for d in days):
        raise ApplicationError("Reminder offsets are days before the close: 0 or more.")
    round = Round.objects.create(
        questionnaire_id=version.questionnaire_id,
        version=version,
        label=label,
        opens_on=opens_on,
        closes_on=closes_on,
        reminder_days=days,
        created_by=_person(by),
    )
    product_ids: list[int] = []
    if products is not None:
        product_ids = [p.pk for p in products]
        if not product_ids:
            raise ApplicationError("The round targets no product: choose at least one.")
        round.products.add(*product_ids)
    _event(
        round,
        RoundEventKind.CREATED,
        by,
        products=len(product_ids) if products is not None else "all active",
    )
    return round


# --- open -------------------------------------------------------------------------------


def _last_submitted(product_ids: Sequence[int], round: Round) -> dict[int, int]:
    """Per product, its last submitted assessment of this questionnaire before ``round``."""
    found: dict[int, int] = {}
    for chunk in _chunks(list(product_ids)):
        rows = (
            Assessment.objects.filter(
                product_id__in=chunk,
                round__questionnaire_id=round.questionnaire_id,
                round__opens_on__lt=round.opens_on,
                status=AssessmentStatus.SUBMITTED,
            )
            .exclude(round_id=round.pk)
            .order_by("product_id", "-round__opens_on", "-submitted_at")
            .values_list("product_id", "id")
        )
        for product_id, assessment_id in rows:
            found.setdefault(product_id, assessment_id)
    return found


@dataclass
class _Carried:
    value: str | None
    na_reason: str
    note: str
    evidence_url: str
    digest: str


def _carried_answers(source_ids: Sequence[int]) -> dict[int, dict[str, _Carried]]:
    """Per source assessment, its answers by item key."""
    found: dict[int, dict[str, _Carried]] = defaultdict(dict)
    for chunk in _chunks(list(source_ids)):
        rows = Answer.objects.filter(assessment_id__in=chunk).values_list(
            "assessment_id",
            "item__key",
            "value",
            "na_reason",
            "note",
            "evidence_url",
            "item__criteria_digest",
        )
        for assessment_id, key, value, na_reason, note, url, digest in rows:
            found[assessment_id][key] = _Carried(value, na_reason, note, url, digest)
    return found


@dataclass
class OpenResult:
    assessments: int = 0
    carried: int = 0
    new: int = 0
    changed: int = 0
    emails: int = 0


ANSWER_COLUMNS = (
    "assessment_id",
    "item_id",
    "value",
    "na_reason",
    "note",
    "evidence_url",
    "carry",
    "revision",
    "updated_at",
)


def answers_insert_rows(rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert answers given as tuples in ``ANSWER_COLUMNS`` order, set-based: COPY on
    PostgreSQL (hundreds of thousands of rows a second), big batches elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        columns = ", ".join(ANSWER_COLUMNS)
        sql = f"COPY {Answer._meta.db_table} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    Answer.objects.bulk_create(
        [Answer(**dict(zip(ANSWER_COLUMNS, row, strict=True))) for row in rows], batch_size=5000
    )


def _answer_rows(
    items: Sequence[Item], carried: dict[str, _Carried] | None, assessment_id: int, now: dt.datetime
) -> list[tuple[Any, ...]]:
    """The answers of a new assessment, carried by lineage (``carry_decision``)."""
    rows = []
    for item in items:
        source, carry = (None, CarryStatus.NONE.value)
        if carried is not None:
            source, carry = carry_decision(item, carried)
        row: tuple[str | None, str, str, str, str]
        if source is None:
            row = (None, "", "", "", carry)
        else:
            row = (source.value, source.na_reason, source.note, source.evidence_url, carry)
        rows.append((assessment_id, item.pk, *row, 0, now))
    return rows


def _carry_revisions(round: Round, now: dt.datetime) -> int:
    """One revision (source ``carry``) per carried answer, in a single statement."""
    revision = AnswerRevision._meta.db_table
    answer = Answer._meta.db_table
    assessment = Assessment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {revision} "
            "(answer_id, by_id, at, old_value, new_value, old_note, new_note, na_reason, source) "
            f"SELECT a.id, NULL, %s, NULL, a.value, '', a.note, a.na_reason, %s FROM {answer} a "
            f"WHERE a.carry IN (%s, %s) AND a.assessment_id IN "
            f"(SELECT id FROM {assessment} WHERE round_id = %s)",
            [
                connection.ops.adapt_datetimefield_value(now),
                RevisionSource.CARRY.value,
                CarryStatus.CARRIED.value,
                CarryStatus.REPLACED.value,
                round.pk,
            ],
        )
        return int(cursor.rowcount)


@transaction.atomic
def round_open(
    *, round: Round, now: dt.datetime | None = None, by: Any = None, notify: bool = True
) -> OpenResult | None:
    """Open a scheduled round: one assessment per targeted product, carried forward.

    Returns None when the round was not scheduled (already opened by someone else).
    """
    now = now or timezone.now()
    claimed = Round.objects.filter(pk=round.pk, status=RoundStatus.SCHEDULED).update(
        status=RoundStatus.OPEN, opened_at=now
    )
    if not claimed:
        return None
    round.refresh_from_db()
    if not round.products.exists():
        # A round scheduled by the cadence targets every active product at opening.
        round.products.add(*products_targetable().values_list("pk", flat=True))
    product_ids = list(
        round.products.exclude(assessments__round=round).values_list("pk", flat=True)
    )
    result = OpenResult()
    items = list(Item.objects.filter(version_id=round.version_id).order_by("position"))
    sources = _last_submitted(product_ids, round)
    for chunk in _chunks(product_ids):
        created = Assessment.objects.bulk_create(
            [
                Assessment(
                    round=round,
                    product_id=product_id,
                    status=AssessmentStatus.NOT_STARTED,
                    carried_from_id=sources.get(product_id),
                    created_at=now,
                    updated_at=now,
                )
                for product_id in chunk
            ]
        )
        carried = _carried_answers([a.carried_from_id for a in created if a.carried_from_id])
        rows: list[tuple[Any, ...]] = []
        for assessment in created:
            source = None
            if assessment.carried_from_id:
                source = carried.get(assessment.carried_from_id, {})
            rows.extend(_answer_rows(items, source, assessment.pk, now))
        answers_insert_rows(rows)
        result.assessments += len(created)
        result.new += sum(1 for row in rows if row[6] == CarryStatus.NEW)
        result.changed += sum(1 for row in rows if row[6] == CarryStatus.CHANGED)
    result.carried = _carry_revisions(round, now)
    _event(
        round,
        RoundEventKind.OPENED,
        by,
        now,
        assessments=result.assessments,
        carried=result.carried,
        new=result.new,
        changed=result.changed,
    )
    if notify:
        result.emails = notifications.assessments_notify(
            template="round_opened",
            assessments=Assessment.objects.filter(round=round).select_related("product", "round"),
        )
        notifications.webhook_post(
            text=f"Round {round.label} is open: {result.assessments} products, "
            f"closes on {round.closes_on:%Y-%m-%d}."
        )
    return result


# --- reminders --------------------------------------------------------------------------


def reminder_due(round: Round, today: dt.date) -> int | None:
    """The reminder offset due today: the nearest one whose day has come.

    A round opened late does not send its missed earlier reminders in a burst: only the
    most imminent one is due.
    """
    if round.status != RoundStatus.OPEN or today > round.closes_on:
        return None
    reached = [
        int(d) for d in round.reminder_days if today >= round.closes_on - dt.timedelta(days=int(d))
    ]
    return min(reached) if reached else None


@transaction.atomic
def round_remind(*, round: Round, days_before: int, now: dt.datetime | None = None) -> int | None:
    """Remind the members of products that have not submitted. Each wave is sent once
    (a unique row claims it); returns the number of emails, or None if already sent."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            reminder = RoundReminder.objects.create(
                round=round, days_before=days_before, sent_at=now
            )
    except IntegrityError:
        return None
    pending = Assessment.objects.filter(round=round, status__in=UNFINISHED).select_related(
        "product", "round"
    )
    sent = notifications.assessments_notify(
        template="round_reminder",
        assessments=pending,
        context=lambda a: {"days_before": days_before},
    )
    RoundReminder.objects.filter(pk=reminder.pk).update(recipients=sent)
    _event(round, RoundEventKind.REMINDED, None, now, days_before=days_before, emails=sent)
    notifications.webhook_post(
        text=f"Round {round.label}: {pending.count()} products have not submitted; "
        f"it closes in {days_before} day(s), on {round.closes_on:%Y-%m-%d}."
    )
    return sent


# --- close, regressions, re-score --------------------------------------------------------


@dataclass
class CloseResult:
    submitted: int = 0
    not_submitted: int = 0
    scored: int = 0
    regressions: int = 0
    emails: int = 0
    regressed_ids: list[int] = field(default_factory=list)


def _score_submitted(round: Round) -> int:
    ids = list(
        Assessment.objects.filter(round=round, status=AssessmentStatus.SUBMITTED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for chunk in _chunks(ids):
        assessments_score_store(
            round=round, assessments=list(Assessment.objects.filter(pk__in=chunk).order_by("pk"))
        )
    return len(ids)


def _record_non_response(round: Round) -> int:
    count = Assessment.objects.filter(round=round, status__in=UNFINISHED).update(
        status=AssessmentStatus.NOT_SUBMITTED,
        is_complete=False,
        final_score=None,
        verified_score=None,
        band="",
        scored_at=None,
        is_regression=False,
        regression={},
    )
    AreaScore.objects.filter(
        assessment__round=round, assessment__status=AssessmentStatus.NOT_SUBMITTED
    ).delete()
    return count


def _area_scores(assessment_ids: Sequence[int]) -> dict[int, dict[str, float]]:
    found: dict[int, dict[str, float]] = defaultdict(dict)
    for chunk in _chunks(list(assessment_ids), 5000):
        rows = AreaScore.objects.filter(assessment_id__in=chunk, score__isnull=False).values_list(
            "assessment_id", "area_key", "score"
        )
        for assessment_id, key, score in rows:
            found[assessment_id][key] = float(score or 0.0)
    return found


def _previous_scored(round: Round, product_ids: Sequence[int]) -> dict[int, tuple[int, float, str]]:
    """Per product, its assessment in its previous scored round of the same questionnaire."""
    found: dict[int, tuple[int, float, str]] = {}
    for chunk in _chunks(list(product_ids), 5000):
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


def regression_of(
    *,
    final: float,
    areas: dict[str, float],
    previous_final: float,
    previous_areas: dict[str, float],
) -> dict[str, Any] | None:
    """The regression details when the final fell by 1.0 or more, or an area by 2.0 or
    more (DESIGN §4); None otherwise."""
    final_drop = previous_final - final
    area_drops = {
        key: {
            "previous": previous_areas[key],
            "current": score,
            "drop": previous_areas[key] - score,
        }
        for key, score in areas.items()
        if key in previous_areas and previous_areas[key] - score >= AREA_DROP - _EPSILON
    }
    if final_drop < FINAL_DROP - _EPSILON and not area_drops:
        return None
    return {
        "previous_final": previous_final,
        "final": final,
        "final_drop": round_4(final_drop),
        "areas": {
            key: {k: round_4(v) for k, v in drop.items()} for key, drop in area_drops.items()
        },
    }


def round_4(value: float) -> float:
    return round(value, 4)


def _flag_regressions(round: Round) -> list[int]:
    """Flag this round's scored assessments that regressed; returns their ids."""
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
        details = regression_of(
            final=float(final or 0.0),
            areas=areas.get(assessment_id, {}),
            previous_final=prev_final,
            previous_areas=areas.get(prev_id, {}),
        )
        if details is not None:
            details["previous_round"] = prev_label
            flagged.append(Assessment(pk=assessment_id, is_regression=True, regression=details))
    Assessment.objects.filter(round=round).update(is_regression=False, regression={})
    Assessment.objects.bulk_update(flagged, ["is_regression", "regression"], batch_size=1000)
    return [a.pk for a in flagged]


def _store_report(round: Round) -> None:
    from reports.services import round_report_store

    round_report_store(round=round)


@transaction.atomic
def round_close(
    *, round: Round, now: dt.datetime | None = None, by: Any = None, notify: bool = True
) -> CloseResult | None:
    """Freeze an open round: non-response recorded, scores and report stored,
    regressions flagged and their members told. None when it was not open."""
    now = now or timezone.now()
    claimed = Round.objects.filter(pk=round.pk, status=RoundStatus.OPEN).update(
        status=RoundStatus.CLOSED, closed_at=now
    )
    if not claimed:
        return None
    round.refresh_from_db()
    result = CloseResult()
    result.not_submitted = _record_non_response(round)
    result.submitted = result.scored = _score_submitted(round)
    result.regressed_ids = _flag_regressions(round)
    result.regressions = len(result.regressed_ids)
    _store_report(round)
    _event(
        round,
        RoundEventKind.CLOSED,
        by,
        now,
        submitted=result.submitted,
        not_submitted=result.not_submitted,
        regressions=result.regressions,
    )
    if notify:
        result.emails = notifications.assessments_notify(
            template="regression",
            assessments=Assessment.objects.filter(pk__in=result.regressed_ids).select_related(
                "product", "round"
            ),
        )
        notifications.webhook_post(
            text=f"Round {round.label} closed: {result.submitted} submitted, "
            f"{result.not_submitted} not submitted, {result.regressions} regressions."
        )
    return result


@transaction.atomic
def round_rescore(*, round: Round, by: Any, now: dt.datetime | None = None) -> int:
    """Re-compute the stored scores of a closed round: an explicit, recorded admin action."""
    now = now or timezone.now()
    locked = Round.objects.select_for_update().get(pk=round.pk)
    if locked.status != RoundStatus.CLOSED:
        raise ApplicationError(
            "Only a closed round can be re-scored; an open round scores as it goes."
        )
    before = dict(
        Assessment.objects.filter(round=locked, status=AssessmentStatus.SUBMITTED).values_list(
            "pk", "final_score"
        )
    )
    scored = _score_submitted(locked)
    after = dict(Assessment.objects.filter(pk__in=list(before)).values_list("pk", "final_score"))
    regressions = len(_flag_regressions(locked))
    _store_report(locked)
    changed = sum(1 for pk, final in after.items() if before.get(pk) != final)
    _event(
        locked,
        RoundEventKind.RESCORED,
        by,
        now,
        scored=scored,
        changed=changed,
        regressions=regressions,
    )
    return scored


# --- admin actions ----------------------------------------------------------------------


def _rearm_reminders(round: Round, closes_on: dt.date, today: dt.date) -> None:
    """Reminders whose day comes again before a new close date are sent again then."""
    RoundReminder.objects.filter(
        round=round,
        days_before__in=[
            int(d) for d in round.reminder_days if closes_on - dt.timedelta(days=int(d)) > today
        ],
    ).delete()


@transaction.atomic
def round_extend(
    *, round: Round, closes_on: dt.date, by: Any, now: dt.datetime | None = None
) -> Round:
    """Move the close date of a scheduled or open round later."""
    now = now or timezone.now()
    locked = Round.objects.select_for_update().get(pk=round.pk)
    if locked.status == RoundStatus.CLOSED:
        raise ApplicationError("This round is closed: re-open it to give more time.")
    if closes_on <= locked.closes_on:
        raise ApplicationError(
            f"The new close date must be after the current one ({locked.closes_on:%Y-%m-%d})."
        )
    previous = locked.closes_on
    Round.objects.filter(pk=locked.pk).update(closes_on=closes_on)
    _rearm_reminders(locked, closes_on, _today(now))
    _event(
        locked, RoundEventKind.EXTENDED, by, now, **{"from": str(previous), "to": str(closes_on)}
    )
    notifications.webhook_post(text=f"Round {locked.label} now closes on {closes_on:%Y-%m-%d}.")
    round.refresh_from_db()
    return round


@transaction.atomic
def round_close_early(*, round: Round, by: Any, now: dt.datetime | None = None) -> None:
    """Ask for an open round to close now. The close date moves to yesterday, so that if
    the close task cannot be queued the next periodic tick closes it anyway."""
    now = now or timezone.now()
    if round.status != RoundStatus.OPEN:
        raise ApplicationError("Only an open round can be closed.")
    yesterday = _today(now) - dt.timedelta(days=1)
    Round.objects.filter(pk=round.pk, status=RoundStatus.OPEN).update(
        closes_on=min(round.closes_on, yesterday)
    )
    round.refresh_from_db()


@transaction.atomic
def round_reopen(
    *, round: Round, closes_on: dt.date, by: Any, reason: str = "", now: dt.datetime | None = None
) -> Round:
    """Re-open a closed round until ``closes_on``: a recorded admin action. Non-responses
    become editable again; the scores and report are stored again when it closes."""
    now = now or timezone.now()
    if closes_on <= _today(now):
        raise ApplicationError("The new close date must be in the future.")
    claimed = Round.objects.filter(pk=round.pk, status=RoundStatus.CLOSED).update(
        status=RoundStatus.OPEN, closed_at=None, closes_on=closes_on
    )
    if not claimed:
        raise ApplicationError("Only a closed round can be re-opened.")
    started = AnswerRevision.objects.filter(answer__assessment=OuterRef("pk")).exclude(
        source=RevisionSource.CARRY
    )
    not_submitted = Assessment.objects.filter(round=round, status=AssessmentStatus.NOT_SUBMITTED)
    drafts = not_submitted.filter(Exists(started)).update(status=AssessmentStatus.DRAFT)
    not_started = not_submitted.update(status=AssessmentStatus.NOT_STARTED)
    _rearm_reminders(round, closes_on, _today(now))
    _event(
        round,
        RoundEventKind.REOPENED,
        by,
        now,
        reason=reason,
        closes_on=str(closes_on),
        drafts=drafts,
        not_started=not_started,
    )
    notifications.webhook_post(
        text=f"Round {round.label} is open again until {closes_on:%Y-%m-%d}."
    )
    round.refresh_from_db()
    return round


# --- cadence ----------------------------------------------------------------------------


def cadence_next(after: dt.date, months: Sequence[int]) -> dt.date:
    """The first cadence date (the 1st of a cadence month) strictly after ``after``."""
    months = sorted(set(months))
    for year in (after.year, after.year + 1):
        for month in months:
            candidate = dt.date(year, month, 1)
            if candidate > after:
                return candidate
    raise ApplicationError("ROUND_CADENCE_MONTHS is empty.")  # pragma: no cover


def newest_published(questionnaire: Questionnaire) -> QuestionnaireVersion | None:
    return (
        QuestionnaireVersion.objects.filter(
            questionnaire=questionnaire, status=VersionStatus.PUBLISHED, archived_at__isnull=True
        )
        .order_by("-published_at", "-created_at", "-pk")
        .first()
    )


@transaction.atomic
def round_schedule_next(
    *, questionnaire: Questionnaire, now: dt.datetime | None = None
) -> Round | None:
    """Schedule the next round of the cadence with the newest published version.

    Nothing happens while a round of this questionnaire is still scheduled, so the job
    can run any number of times.
    """
    now = now or timezone.now()
    Questionnaire.objects.select_for_update().filter(pk=questionnaire.pk).first()
    rounds = Round.objects.filter(questionnaire=questionnaire)
    if rounds.filter(status=RoundStatus.SCHEDULED).exists():
        return None
    version = newest_published(questionnaire)
    if version is None:
        return None
    latest = rounds.order_by("-opens_on").values_list("opens_on", flat=True).first()
    after = (
        max(latest, _today(now) - dt.timedelta(days=1))
        if latest
        else _today(now) - dt.timedelta(days=1)
    )
    opens_on = cadence_next(after, settings.ROUND_CADENCE_MONTHS)
    label = f"{opens_on:%Y-%m}"
    if rounds.filter(Q(label=label) | Q(opens_on=opens_on)).exists():
        return None
    round = Round.objects.create(
        questionnaire=questionnaire,
        version=version,
        label=label,
        opens_on=opens_on,
        closes_on=opens_on + dt.timedelta(days=settings.ROUND_OPEN_DAYS),
    )
    _event(round, RoundEventKind.CREATED, None, now, scheduled=True, version=version.label)
    return round


# --- the periodic job's view of what is due ----------------------------------------------


@dataclass
class DueWork:
    open: list[int] = field(default_factory=list)
    remind: list[tuple[int, int]] = field(default_factory=list)
    close: list[int] = field(default_factory=list)


def rounds_due(*, now: dt.datetime | None = None) -> DueWork:
    """What the periodic job should do now (reading only; the tasks claim the work)."""
    today = _today(now or timezone.now())
    due = DueWork()
    due.open = list(
        Round.objects.filter(status=RoundStatus.SCHEDULED, opens_on__lte=today).values_list(
            "pk", flat=True
        )
    )
    open_rounds = Round.objects.filter(status=RoundStatus.OPEN)
    due.close = [r.pk for r in open_rounds if r.closes_on < today]
    sent = set(
        RoundReminder.objects.filter(round__status=RoundStatus.OPEN).values_list(
            "round_id", "days_before"
        )
    )
    for r in open_rounds:
        days = reminder_due(r, today)
        if days is not None and r.pk not in due.close and (r.pk, days) not in sent:
            due.remind.append((r.pk, days))
    return due


def rounds_schedule_next(*, now: dt.datetime | None = None) -> list[Round]:
    """Schedule the next round of every questionnaire that has a published version."""
    scheduled = []
    for questionnaire in Questionnaire.objects.filter(
        versions__status=VersionStatus.PUBLISHED
    ).distinct():
        round = round_schedule_next(questionnaire=questionnaire, now=now)
        if round is not None:
            scheduled.append(round)
    return scheduled
