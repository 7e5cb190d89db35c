"""DESIGN §4: once a round is closed no answer, submission or score of it
changes, however close in time a write arrives. Real threads autosave and submit while
an admin closes the round; run on SQLite and, with ``DATABASE_URL``, on PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import OperationalError, connection

from surveys.assessments.scores import assessment_cards
from surveys.assessments.services import answer_set, assessment_submit
from surveys.core.errors import ApplicationError
from surveys.models import (
    Answer,
    AnswerRevision,
    Assessment,
    AssessmentStatus,
    Item,
    Round,
    RoundStatus,
)
from surveys.rounds import services
from tests import factories

WRITERS = 4
WRITES = 40


def _writer(
    assessment: Assessment, items: list[Item], member: Any, started: threading.Semaphore
) -> None:
    try:
        for n in range(WRITES):
            try:
                if n % 5 == 4:
                    assessment_submit(assessment=assessment, by=member)
                else:
                    answer_set(
                        assessment=assessment,
                        item=items[n % len(items)],
                        value="1" if n % 2 else "0.5",
                        base_revision=None,
                        by=member,
                    )
                started.release()
            except ApplicationError as exc:
                if "closed" in exc.message:
                    return
            except OperationalError:
                continue  # SQLite without a write lock: refused, nothing written
    finally:
        connection.close()


def _closer(round: Round, admin: Any, started: threading.Semaphore, done: list[Any]) -> None:
    try:
        for _ in range(WRITERS * 2):  # let the writers get going first
            started.acquire()
        while True:
            try:
                done.append(services.round_close(round=round, by=admin))
                return
            except OperationalError:
                continue
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_no_answer_submission_or_score_changes_after_the_close() -> None:
    version = factories.make_version()
    admin = factories.admin_user(username="admin")
    rnd = factories.make_round(version)
    work = []
    for n in range(WRITERS):
        member = factories.UserFactory(username=f"member{n}")
        product = factories.ProductFactory(slug=f"p{n}", members=[member])
        rnd.products.add(product)
        assessment = factories.make_assessment(
            rnd, product, default="0.5", status=AssessmentStatus.DRAFT
        )
        work.append((assessment, member))
    items = list(Item.objects.filter(version=version).order_by("position")[:6])
    started = threading.Semaphore(0)
    done: list[Any] = []
    threads = [
        threading.Thread(target=_writer, args=(assessment, items, member, started))
        for assessment, member in work
    ]
    threads.append(threading.Thread(target=_closer, args=(rnd, admin, started, done)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.CLOSED and done and done[0] is not None
    closed_at = rnd.closed_at
    in_round = {"answer__assessment__round": rnd}
    assert AnswerRevision.objects.filter(at__gt=closed_at, **in_round).count() == 0
    assert Answer.objects.filter(assessment__round=rnd, updated_at__gt=closed_at).count() == 0
    assessments = list(Assessment.objects.filter(round=rnd))
    assert {a.status for a in assessments} <= {
        AssessmentStatus.SUBMITTED,
        AssessmentStatus.NOT_SUBMITTED,
    }
    for assessment in assessments:
        assert assessment.submitted_at is None or assessment.submitted_at <= closed_at
        assert assessment.scored_at is None or assessment.scored_at <= closed_at
        if assessment.status == AssessmentStatus.SUBMITTED:
            # The stored score is the score of the answers as they stand.
            claimed, _ = assessment_cards(assessment)
            assert assessment.final_score == claimed.final
        else:
            assert assessment.final_score is None
