"""DESIGN §5: an initiative reads each product's latest submitted answers, now and on
each day of its burn-up (from the history of submissions); a draft moves nothing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine

from surveys.assessments.services import answer_set, assessment_submit
from surveys.initiatives.selectors import initiative_count, initiative_progress
from surveys.initiatives.services import InitiativeInput, initiative_save
from surveys.models import (
    Answer,
    AssessmentStatus,
    Item,
    Phase,
    QuestionnaireVersion,
    RoundStatus,
    Submission,
)
from surveys.reviews.services import na_reject
from tests import factories

SENT = AssessmentStatus.SUBMITTED
MONITORING_LOW = {f"monitoring.i{n}": "0" for n in range(1, 8)}
TODAY = dt.date(2026, 10, 10)


def _on(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 10, day, hour, tzinfo=dt.UTC)


def _initiative(admin: Any, version: Any, **overrides: Any) -> Any:
    data = {
        "title": {"en": "Monitoring to 2"},
        "questionnaire": version.questionnaire,
        "target_kind": "area",
        "target_key": "monitoring",
        "threshold": 2.0,
        "phases": [Phase.PRODUCTION],
        "starts_on": dt.date(2026, 10, 1),
        "deadline": dt.date(2026, 12, 31),
        "owner": admin,
    }
    data.update(overrides)
    return initiative_save(initiative=None, data=InitiativeInput(**data), by=admin)


def _submitted_on(assessment: Any, moment: dt.datetime) -> None:
    Submission.objects.filter(assessment=assessment).update(at=moment)
    type(assessment).objects.filter(pk=assessment.pk).update(created_at=moment, submitted_at=moment)


@pytest.fixture
def weak(cast: Any, version: Any) -> Any:
    """``product`` submitted a weak monitoring area on 30 September; ``other_product``
    submitted one meeting ``monitoring ≥ 2`` then."""
    rnd = factories.make_round(version, opens_on=dt.date(2026, 9, 30))
    weak = factories.make_assessment(rnd, cast.product, MONITORING_LOW, default="1", status=SENT)
    strong = factories.make_assessment(rnd, cast.other_product, default="0.5", status=SENT)
    for assessment in (weak, strong):
        _submitted_on(assessment, dt.datetime(2026, 9, 30, 12, tzinfo=dt.UTC))
    weak.refresh_from_db()
    return weak


def _set_monitoring(assessment: Any, value: str, by: Any, moment: dt.datetime) -> None:
    with time_machine.travel(moment, tick=False):
        for item in Item.objects.filter(version=assessment.round.version, area__key="monitoring"):
            answer_set(assessment=assessment, item=item, value=value, base_revision=None, by=by)


def _submit(assessment: Any, by: Any, moment: dt.datetime) -> None:
    with time_machine.travel(moment, tick=False):
        assessment_submit(assessment=assessment, by=by)


def _counts(initiative: Any) -> list[int]:
    return initiative_progress(initiative, today=TODAY).counts


def _meeting(initiative: Any) -> list[str]:
    return [r.product.slug for r in initiative_progress(initiative, today=TODAY).meeting]


class TestDraftsAndSubmissions:
    def test_a_draft_change_moves_neither_now_nor_the_burn_up(
        self, cast: Any, version: Any, weak: Any
    ) -> None:
        initiative = _initiative(cast.admin, version)
        _set_monitoring(weak, "1", cast.member, _on(3))
        weak.refresh_from_db()
        assert (weak.status, weak.unsubmitted_changes) == (SENT, 7)
        assert _meeting(initiative) == ["search-rank"]
        assert _counts(initiative) == [1] * 10

    def test_submitting_moves_both_on_the_day_it_was_submitted(
        self, cast: Any, version: Any, weak: Any
    ) -> None:
        initiative = _initiative(cast.admin, version)
        _set_monitoring(weak, "1", cast.member, _on(3))
        _submit(weak, cast.member, _on(5))
        assert _meeting(initiative) == ["ads-ctr", "search-rank"]
        assert _counts(initiative) == [1, 1, 1, 1, 2, 2, 2, 2, 2, 2]
        assert Submission.objects.filter(assessment=weak).count() == 2

    def test_a_later_resubmission_replaces_it(self, cast: Any, version: Any, weak: Any) -> None:
        initiative = _initiative(cast.admin, version)
        _set_monitoring(weak, "1", cast.member, _on(3))
        _submit(weak, cast.member, _on(5))
        _set_monitoring(weak, "0", cast.member, _on(7, 9))
        assert _counts(initiative)[-1] == 2  # not yet submitted
        _submit(weak, cast.member, _on(7, 11))
        assert _meeting(initiative) == ["search-rank"]
        assert _counts(initiative) == [1, 1, 1, 1, 2, 2, 1, 1, 1, 1]

    def test_a_submission_voided_by_an_na_rejection_stops_counting(
        self, cast: Any, version: Any, weak: Any
    ) -> None:
        QuestionnaireVersion.objects.filter(pk=version.pk).update(na_requires_approval=True)
        initiative = _initiative(cast.admin, version)
        _set_monitoring(weak, "1", cast.member, _on(3))
        na = Item.objects.get(version=version, key="monitoring.i7")
        with time_machine.travel(_on(3, 11), tick=False):
            answer_set(
                assessment=weak,
                item=na,
                value="NA",
                na_reason="no live traffic",
                base_revision=None,
                by=cast.member,
            )
        _submit(weak, cast.member, _on(5))
        assert _counts(initiative)[-1] == 2
        with time_machine.travel(_on(7), tick=False):
            na_reject(
                answer=Answer.objects.get(assessment=weak, item=na), by=cast.admin, comment="no"
            )
        weak.refresh_from_db()
        assert weak.status == AssessmentStatus.DRAFT
        assert Submission.objects.get(assessment=weak, at=_on(5)).voided_at == _on(7)
        assert _meeting(initiative) == ["search-rank"]
        assert _counts(initiative) == [1, 1, 1, 1, 2, 2, 1, 1, 1, 1]

    def test_a_product_that_never_submitted_does_not_meet(self, cast: Any, version: Any) -> None:
        rnd = factories.make_round(version, opens_on=dt.date(2026, 10, 1))
        factories.make_assessment(rnd, cast.other_product, default="1")  # a complete draft
        initiative = _initiative(cast.admin, version)
        progress = initiative_progress(initiative, today=TODAY)
        assert progress.meeting == [] and progress.counts == [0] * 10
        [row] = [r for r in progress.rows if r.product == cast.other_product]
        assert row.assessment is None
        assert initiative_count(initiative, today=TODAY) == (0, 2)


class TestRounds:
    def test_a_draft_round_never_submitted_leaves_the_previous_submission_standing(
        self, cast: Any, version: Any
    ) -> None:
        september = factories.make_round(
            version, label="2026-09", opens_on=dt.date(2026, 9, 1), status=RoundStatus.CLOSED
        )
        before = factories.make_assessment(september, cast.product, default="1", status=SENT)
        _submitted_on(before, dt.datetime(2026, 9, 20, 12, tzinfo=dt.UTC))
        october = factories.make_round(version, opens_on=dt.date(2026, 10, 2))
        now = factories.make_assessment(october, cast.product, default="1")
        _set_monitoring(now, "0", cast.member, _on(4))
        initiative = _initiative(cast.admin, version)
        assert _meeting(initiative) == ["ads-ctr"]
        assert _counts(initiative) == [1] * 10
        # Once submitted, the new round's answers are the product's.
        _submit(now, cast.member, _on(6))
        assert _meeting(initiative) == []
        assert _counts(initiative) == [1] * 5 + [0] * 5

    def test_an_item_target_reads_the_submission_too(
        self, cast: Any, version: Any, weak: Any
    ) -> None:
        initiative = _initiative(
            cast.admin, version, target_kind="item", target_key="monitoring.i1", threshold=1.0
        )
        _set_monitoring(weak, "1", cast.member, _on(2))
        assert _counts(initiative) == [0] * 10  # search-rank's monitoring.i1 is 0.5
        _submit(weak, cast.member, _on(8))
        assert _counts(initiative) == [0] * 7 + [1] * 3


class TestCount:
    @pytest.mark.parametrize("verified", [False, True])
    def test_the_list_count_gives_the_page_numbers(
        self, cast: Any, version: Any, weak: Any, client_for: Any, verified: bool
    ) -> None:
        initiative = _initiative(cast.admin, version, verified=verified)
        other = _initiative(
            cast.admin,
            version,
            title={"en": "Data to 1"},
            target_kind="final",
            target_key="",
            threshold=1.0,
            phases=[],
        )
        _set_monitoring(weak, "1", cast.member, _on(3))
        for kept in (initiative, other):
            progress = initiative_progress(kept)
            assert initiative_count(kept) == (len(progress.meeting), progress.scope_size)
        _submit(weak, cast.member, _on(5))
        for kept in (initiative, other):
            progress = initiative_progress(kept)
            assert initiative_count(kept) == (len(progress.meeting), progress.scope_size)
        body = client_for("admin").get("/initiatives/").content.decode()
        shown = {
            int(pk): (int(met), int(size))
            for pk, met, size in re.findall(
                r'data-initiative="(\d+)">.*?data-met>(\d+) / (\d+)<', body, re.DOTALL
            )
        }
        assert shown == {
            kept.pk: (len(p.meeting), p.scope_size)
            for kept in (initiative, other)
            for p in [initiative_progress(kept)]
        }

    def test_the_list_reads_a_handful_of_queries_whatever_the_products(
        self, cast: Any, version: Any, weak: Any, django_assert_max_num_queries: Any
    ) -> None:
        initiative = _initiative(cast.admin, version, phases=[])
        rnd = weak.round
        for n in range(12):
            product = factories.ProductFactory(slug=f"extra-{n}", phase=Phase.PRODUCTION)
            factories.make_assessment(rnd, product, default="1", status=SENT)
        with django_assert_max_num_queries(8):
            met, size = initiative_count(initiative)
        assert (met, size) == (13, 14)


class TestEveryReader:
    def test_api_sheet_and_reminders_read_the_submission_not_the_draft(
        self,
        cast: Any,
        version: Any,
        weak: Any,
        client_for: Any,
    ) -> None:
        from django.core import mail

        from surveys.initiatives.services import initiative_remind, initiative_reminder_send

        initiative = _initiative(cast.admin, version)
        _set_monitoring(weak, "1", cast.member, _on(3))  # saved, not submitted
        [row] = client_for("admin").get("/api/v1/initiatives/").json()["results"]
        assert (row["progress"]["meeting"], row["progress"]["in_scope"]) == (1, 2)
        mine = client_for("member").get("/api/v1/initiatives/").json()["results"][0]
        assert mine["progress"]["products"] == [
            {"product": "ads-ctr", "meets": False, "score": 0.0}
        ]
        cast.member.email = "member@example.com"
        cast.member.save()
        reminder = initiative_remind(initiative=initiative, days_before=14, now=_on(10))
        assert reminder is not None
        initiative_reminder_send(reminder_id=reminder.pk)
        assert [m.to for m in mail.outbox] == [["member@example.com"]]
        _submit(weak, cast.member, _on(5))
        [row] = client_for("admin").get("/api/v1/initiatives/").json()["results"]
        assert (row["progress"]["meeting"], row["progress"]["in_scope"]) == (2, 2)
