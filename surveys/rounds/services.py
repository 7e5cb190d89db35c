"""Measurement rounds (DESIGN §4): create, open, remind, close, extend, re-open, re-score.

Every step claims its work under a lock on the round row (or with a conditional update
or a unique row), so a task that runs twice does nothing twice and no write of an
answer slips in beside a close. Every step is set-based: closing a round of 10,000
products takes a handful of queries. Emails, the webhook and the round report are sent
after the commit by tasks (``closing.event_record``, ``closing.report_rebuild``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.assessments.models import (
    AnswerRevision,
    Assessment,
    AssessmentStatus,
    CarryStatus,
    RevisionSource,
)
from surveys.core.errors import ApplicationError
from surveys.organisation.models import Product
from surveys.questionnaires.models import Item, Questionnaire, QuestionnaireVersion, VersionStatus
from surveys.rounds import carry
from surveys.rounds.bounds import check_dates, check_evidence_window, check_reminder_days
from surveys.rounds.closing import (
    FreezeResult,
    assessments_freeze,
    event_record,
    person,
)
from surveys.rounds.models import MailAudience, Round, RoundEventKind, RoundReminder, RoundStatus
from surveys.rounds.selectors import (
    cadence_next,
    newest_published,
    products_targetable,
    rounds_overlapping,
    today_of,
)

UNFINISHED = (AssessmentStatus.NOT_STARTED, AssessmentStatus.DRAFT)


def _source(by: Any) -> str:
    """A person acting is an admin in the app's pages; nobody is the periodic job."""
    return RevisionSource.ADMIN if person(by) else RevisionSource.JOB


def round_lock(round: Round | int) -> Round:
    """The round row, locked until the transaction ends: every write of a round's answers,
    submissions and scores takes it first, so a close and a write never interleave."""
    pk = round if isinstance(round, int) else round.pk
    return Round.objects.select_for_update().select_related("version", "questionnaire").get(pk=pk)


def _check_no_overlap(
    *, questionnaire_id: int, opens_on: dt.date, closes_on: dt.date, exclude_id: int | None
) -> None:
    other = rounds_overlapping(
        questionnaire_id=questionnaire_id,
        opens_on=opens_on,
        closes_on=closes_on,
        exclude_id=exclude_id,
    ).first()
    if other is not None:
        raise ApplicationError(
            _(
                "Rounds of one questionnaire never overlap: %(label)s runs from %(opens)s "
                "to %(closes)s."
            )
            % {"label": other.label, "opens": other.opens_on, "closes": other.closes_on}
        )


# --- create -----------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    version: QuestionnaireVersion,
    label: str,
    opens_on: dt.date,
    closes_on: dt.date,
    products: Iterable[Product] | QuerySet[Product] | None = None,
    reminder_days: Sequence[int] | None = None,
    evidence_window_days: int | None = None,
    by: Any = None,
) -> Round:
    """A scheduled round. ``products`` None targets every active product when it opens."""
    label = label.strip()
    if not label:
        raise ApplicationError(_("Give the round a label, for example 2026-10."))
    if version.status != VersionStatus.PUBLISHED:
        raise ApplicationError(
            _("%(version)s is a draft: publish it before using it in a round.")
            % {"version": version.label}
        )
    check_dates(opens_on, closes_on)
    days = check_reminder_days(
        settings.ROUND_REMINDER_DAYS if reminder_days is None else reminder_days
    )
    window = check_evidence_window(
        settings.EVIDENCE_WINDOW_DAYS if evidence_window_days is None else evidence_window_days
    )
    # Two admins creating rounds at once must not both pass the overlap check.
    Questionnaire.objects.select_for_update().filter(pk=version.questionnaire_id).first()
    if Round.objects.filter(questionnaire_id=version.questionnaire_id, label=label).exists():
        raise ApplicationError(
            _("A round labelled %(label)s already exists for %(questionnaire)s.")
            % {"label": label, "questionnaire": version.questionnaire.key}
        )
    _check_no_overlap(
        questionnaire_id=version.questionnaire_id,
        opens_on=opens_on,
        closes_on=closes_on,
        exclude_id=None,
    )
    round = Round.objects.create(
        questionnaire_id=version.questionnaire_id,
        version=version,
        label=label,
        opens_on=opens_on,
        closes_on=closes_on,
        reminder_days=days,
        evidence_window_days=window,
        created_by=person(by),
    )
    product_ids: list[int] = []
    if products is not None:
        product_ids = [p.pk for p in products]
        if not product_ids:
            raise ApplicationError(_("The round targets no product: choose at least one."))
        round.products.add(*product_ids)
    event_record(
        round=round,
        kind=RoundEventKind.CREATED,
        by=by,
        source=_source(by),
        products=len(product_ids) if products is not None else "all active",
    )
    return round


def round_record_historical(
    *,
    version: QuestionnaireVersion,
    label: str,
    opens_on: dt.date,
    closes_on: dt.date,
    by: Any = None,
) -> Round:
    """A closed round of the past (an import, the demo's history): its assessments are
    written by the caller and frozen with ``closing.assessments_freeze``, which records
    the event. Call inside a transaction."""
    check_dates(opens_on, closes_on)
    tz = timezone.get_default_timezone()
    return Round.objects.create(
        questionnaire_id=version.questionnaire_id,
        version=version,
        label=label,
        opens_on=opens_on,
        closes_on=closes_on,
        status=RoundStatus.CLOSED,
        is_historical=True,
        opened_at=dt.datetime.combine(opens_on, dt.time.min, tzinfo=tz),
        closed_at=dt.datetime.combine(closes_on, dt.time.max, tzinfo=tz),
        created_by=person(by),
    )


# --- open -------------------------------------------------------------------------------


@dataclass
class OpenResult:
    assessments: int = 0
    carried: int = 0
    new: int = 0
    changed: int = 0
    na_expired: int = 0


@transaction.atomic
def round_open(
    *, round: Round, now: dt.datetime | None = None, by: Any = None, notify: bool = True
) -> OpenResult | None:
    """Open a scheduled round: one assessment per targeted product, carried forward.

    Returns None when the round was not scheduled (already opened by someone else).
    """
    now = now or timezone.now()
    locked = round_lock(round)
    if locked.status != RoundStatus.SCHEDULED:
        return None
    Round.objects.filter(pk=locked.pk).update(status=RoundStatus.OPEN, opened_at=now)
    round.refresh_from_db()
    if not round.products.exists():
        # A round scheduled by the cadence targets every active product at opening.
        round.products.add(*products_targetable().values_list("pk", flat=True))
    product_ids = list(
        round.products.exclude(assessments__round=round).values_list("pk", flat=True)
    )
    result = OpenResult()
    items = list(Item.objects.filter(version_id=round.version_id).order_by("position"))
    sources = carry.last_submitted(product_ids, round)
    for chunk in carry.chunks(product_ids):
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
        carried = carry.carried_answers([a.carried_from_id for a in created if a.carried_from_id])
        rows: list[tuple[Any, ...]] = []
        for assessment in created:
            source = None
            if assessment.carried_from_id:
                source = carried.get(assessment.carried_from_id, {})
            rows.extend(carry.answer_rows(items, source, assessment.pk, now))
        carry.answers_insert_rows(rows)
        result.assessments += len(created)
        result.new += sum(1 for row in rows if row[6] == CarryStatus.NEW)
        result.changed += sum(1 for row in rows if row[6] == CarryStatus.CHANGED)
    result.na_expired = carry.na_carry_apply(round=round, now=now)
    result.carried = carry.carry_revisions(round, now)
    event_record(
        round=round,
        kind=RoundEventKind.OPENED,
        by=by,
        source=_source(by),
        now=now,
        mail={
            "template": "round_opened",
            "audience": MailAudience.EVERYONE,
            "webhook_text": f"Round {round.label} is open: {result.assessments} products, "
            f"closes on {round.closes_on:%Y-%m-%d}.",
        }
        if notify
        else None,
        assessments=result.assessments,
        carried=result.carried,
        new=result.new,
        changed=result.changed,
    )
    return result


# --- reminders --------------------------------------------------------------------------


@transaction.atomic
def round_remind(*, round: Round, days_before: int, now: dt.datetime | None = None) -> int | None:
    """Remind the members of products that have not submitted. Each wave is claimed once
    (a unique row); returns how many products are reminded, or None if already claimed."""
    now = now or timezone.now()
    locked = round_lock(round)
    if locked.status != RoundStatus.OPEN:
        return None
    try:
        with transaction.atomic():
            RoundReminder.objects.create(round=locked, days_before=days_before, sent_at=now)
    except IntegrityError:
        return None
    pending = Assessment.objects.filter(round=locked, status__in=UNFINISHED).count()
    _reminded(
        locked,
        pending,
        by=None,
        now=now,
        template="round_reminder",
        context={"days_before": days_before},
        closes=f"it closes in {days_before} day(s), on {locked.closes_on:%Y-%m-%d}",
        days_before=days_before,
    )
    return pending


def _reminded(
    locked: Round,
    pending: int,
    *,
    by: Any,
    now: dt.datetime,
    template: str,
    context: dict[str, Any],
    closes: str,
    **payload: Any,
) -> None:
    """Record a reminder wave: its event, and the emails to the unfinished products'
    members and the webhook post that follow the commit."""
    event_record(
        round=locked,
        kind=RoundEventKind.REMINDED,
        by=by,
        source=_source(by),
        now=now,
        mail={
            "template": template,
            "audience": MailAudience.UNFINISHED,
            "context": context,
            "webhook_text": f"Round {locked.label}: {pending} products have not submitted; "
            f"{closes}.",
        },
        pending=pending,
        **payload,
    )


@transaction.atomic
def round_remind_now(*, round: Round, by: Any, now: dt.datetime | None = None) -> int:
    """An admin's reminder, now, to the members of products that have not submitted
    (beside the scheduled waves, which it does not use up); returns how many products."""
    now = now or timezone.now()
    locked = round_lock(round)
    if locked.status != RoundStatus.OPEN:
        raise ApplicationError(_("Only an open round sends reminders."))
    pending = Assessment.objects.filter(round=locked, status__in=UNFINISHED).count()
    if not pending:
        raise ApplicationError(_("Every targeted product has submitted: nobody to remind."))
    days_left = max((locked.closes_on - today_of(now)).days, 0)
    _reminded(
        locked,
        pending,
        by=by,
        now=now,
        template="round_reminder_now",
        context={"days_left": days_left},
        closes=f"it closes on {locked.closes_on:%Y-%m-%d}",
        manual=True,
    )
    return pending


# --- close, re-score --------------------------------------------------------------------


CloseResult = FreezeResult


@transaction.atomic
def round_close(
    *, round: Round, now: dt.datetime | None = None, by: Any = None, notify: bool = True
) -> CloseResult | None:
    """Freeze an open round: non-response recorded, scores stored, regressions flagged,
    all in one transaction; the report and the emails follow its commit. None when it
    was not open (closed already by someone else)."""
    locked = round_lock(round)
    # Read the time once the lock is held: every write that went before has committed.
    now = now or timezone.now()
    if locked.status != RoundStatus.OPEN:
        return None
    Round.objects.filter(pk=locked.pk).update(status=RoundStatus.CLOSED, closed_at=now)
    round.refresh_from_db()
    return assessments_freeze(
        round=round,
        kind=RoundEventKind.CLOSED,
        by=by,
        source=_source(by),
        now=now,
        notify=notify,
    )


@transaction.atomic
def round_rescore(
    *, round: Round, by: Any, now: dt.datetime | None = None, source: str = RevisionSource.ADMIN
) -> int:
    """Re-compute the stored scores of a closed round: an explicit, recorded admin action."""
    now = now or timezone.now()
    locked = round_lock(round)
    if locked.status != RoundStatus.CLOSED:
        raise ApplicationError(
            _("Only a closed round can be re-scored; an open round scores as it goes.")
        )
    before = dict(
        Assessment.objects.filter(round=locked, status=AssessmentStatus.SUBMITTED).values_list(
            "pk", "final_score"
        )
    )
    result = assessments_freeze(
        round=locked, kind=RoundEventKind.RESCORED, by=by, source=source, now=now, notify=False
    )
    after = dict(Assessment.objects.filter(pk__in=list(before)).values_list("pk", "final_score"))
    assert result.event is not None
    result.event.details["changed"] = sum(
        1 for pk, final in after.items() if before.get(pk) != final
    )
    result.event.save(update_fields=["details"])
    return result.scored


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
    locked = round_lock(round)
    if locked.status == RoundStatus.CLOSED:
        raise ApplicationError(_("This round is closed: re-open it to give more time."))
    if closes_on <= locked.closes_on:
        raise ApplicationError(
            _("The new close date must be after the current one (%(date)s).")
            % {"date": f"{locked.closes_on:%Y-%m-%d}"}
        )
    check_dates(locked.opens_on, closes_on)
    _check_no_overlap(
        questionnaire_id=locked.questionnaire_id,
        opens_on=locked.opens_on,
        closes_on=closes_on,
        exclude_id=locked.pk,
    )
    previous = locked.closes_on
    Round.objects.filter(pk=locked.pk).update(closes_on=closes_on)
    _rearm_reminders(locked, closes_on, today_of(now))
    event_record(
        round=locked,
        kind=RoundEventKind.EXTENDED,
        by=by,
        source=_source(by),
        now=now,
        mail={"webhook_text": f"Round {locked.label} now closes on {closes_on:%Y-%m-%d}."},
        **{"from": str(previous), "to": str(closes_on)},
    )
    round.refresh_from_db()
    return round


@transaction.atomic
def round_close_early(*, round: Round, by: Any, now: dt.datetime | None = None) -> None:
    """Ask for an open round to close now. The close date moves to yesterday, so that if
    the close task cannot be queued the next periodic tick closes it anyway."""
    now = now or timezone.now()
    locked = round_lock(round)
    if locked.status != RoundStatus.OPEN:
        raise ApplicationError(_("Only an open round can be closed."))
    yesterday = today_of(now) - dt.timedelta(days=1)
    # The close date stays after the open date (a database rule): a round opened today
    # keeps its date and is closed by the task the page queues.
    closes_on = max(min(locked.closes_on, yesterday), locked.opens_on + dt.timedelta(days=1))
    Round.objects.filter(pk=locked.pk).update(closes_on=closes_on)
    event_record(
        round=locked,
        kind=RoundEventKind.CLOSE_REQUESTED,
        by=by,
        source=_source(by),
        now=now,
        mail=None,
        **{"from": str(locked.closes_on), "to": str(closes_on)},
    )
    round.refresh_from_db()


@transaction.atomic
def round_reopen(
    *, round: Round, closes_on: dt.date, by: Any, reason: str = "", now: dt.datetime | None = None
) -> Round:
    """Re-open a closed round until ``closes_on``: a recorded admin action. Non-responses
    become editable again; the scores and report are stored again when it closes."""
    now = now or timezone.now()
    locked = round_lock(round)
    if locked.status != RoundStatus.CLOSED:
        raise ApplicationError(_("Only a closed round can be re-opened."))
    if closes_on <= today_of(now):
        raise ApplicationError(_("The new close date must be in the future."))
    check_dates(locked.opens_on, closes_on)
    _check_no_overlap(
        questionnaire_id=locked.questionnaire_id,
        opens_on=locked.opens_on,
        closes_on=closes_on,
        exclude_id=locked.pk,
    )
    Round.objects.filter(pk=locked.pk).update(
        status=RoundStatus.OPEN, closed_at=None, closes_on=closes_on
    )
    started = AnswerRevision.objects.filter(answer__assessment=OuterRef("pk")).exclude(
        source=RevisionSource.CARRY
    )
    not_submitted = Assessment.objects.filter(round=locked, status=AssessmentStatus.NOT_SUBMITTED)
    drafts = not_submitted.filter(Exists(started)).update(status=AssessmentStatus.DRAFT)
    not_started = not_submitted.update(status=AssessmentStatus.NOT_STARTED)
    _rearm_reminders(locked, closes_on, today_of(now))
    event_record(
        round=locked,
        kind=RoundEventKind.REOPENED,
        by=by,
        source=_source(by),
        now=now,
        mail={"webhook_text": f"Round {locked.label} is open again until {closes_on:%Y-%m-%d}."},
        reason=reason,
        closes_on=str(closes_on),
        drafts=drafts,
        not_started=not_started,
    )
    round.refresh_from_db()
    return round


# --- cadence ----------------------------------------------------------------------------


@transaction.atomic
def round_schedule_next(
    *, questionnaire: Questionnaire, now: dt.datetime | None = None
) -> Round | None:
    """Schedule the next round of the cadence with the newest published version.

    Nothing happens while a round of this questionnaire is still scheduled, or when the
    next cadence date falls inside another round, so the job can run any number of times.
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
    yesterday = today_of(now) - dt.timedelta(days=1)
    opens_on = cadence_next(
        max(latest, yesterday) if latest else yesterday, settings.ROUND_CADENCE_MONTHS
    )
    if opens_on is None:
        return None
    closes_on = opens_on + dt.timedelta(days=settings.ROUND_OPEN_DAYS)
    label = f"{opens_on:%Y-%m}"
    if rounds.filter(Q(label=label) | Q(opens_on=opens_on)).exists():
        return None
    if rounds_overlapping(
        questionnaire_id=questionnaire.pk, opens_on=opens_on, closes_on=closes_on
    ).exists():
        return None
    round = Round.objects.create(
        questionnaire=questionnaire,
        version=version,
        label=label,
        opens_on=opens_on,
        closes_on=closes_on,
    )
    event_record(
        round=round,
        kind=RoundEventKind.CREATED,
        by=None,
        source=RevisionSource.JOB,
        now=now,
        scheduled=True,
        version=version.label,
    )
    return round


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
