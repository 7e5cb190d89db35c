"""Rounds (DESIGN §4): create, open with carry-forward, remind, close, regressions,
extend, re-open, re-score, and the cadence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
import requests
from django.core import mail

from mlopsscore import celery_app
from surveys.core.errors import ApplicationError
from surveys.models import (
    Answer,
    AnswerRevision,
    AreaScore,
    Assessment,
    AssessmentStatus,
    CarryStatus,
    Profile,
    Round,
    RoundEvent,
    RoundEventKind,
    RoundReminder,
    RoundReport,
    RoundStatus,
)
from surveys.questionnaires.services import questionnaire_load
from surveys.rounds import selectors, services
from tests import factories

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def eager() -> Iterator[None]:
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    """``with committed():`` runs what the block queued for after its commit (emails,
    webhook, report), as the end of a real transaction would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def closed_round(version: Any, label: str, opens_on: dt.date, answers: dict[Any, Any]) -> Round:
    """A closed round where each product submitted ``answers[product]`` (default value)."""
    rnd = factories.make_round(version, label=label, opens_on=opens_on, status=RoundStatus.OPEN)
    for product, default in answers.items():
        factories.make_assessment(rnd, product, default=default, status=AssessmentStatus.SUBMITTED)
    services.round_close(round=rnd, now=dt.datetime.combine(rnd.closes_on, dt.time(23), dt.UTC))
    return rnd


# --- create ---------------------------------------------------------------------------


def test_create_schedules_a_round_and_records_it(version: Any, cast: Any) -> None:
    rnd = services.round_create(
        version=version,
        label="2026-10",
        opens_on=dt.date(2026, 10, 1),
        closes_on=dt.date(2026, 10, 31),
        products=[cast.product],
        by=cast.admin,
    )
    assert rnd.status == RoundStatus.SCHEDULED
    assert list(rnd.products.all()) == [cast.product]
    assert rnd.reminder_days == [14, 7, 1]
    event = rnd.events.get()
    assert (event.kind, event.by) == (RoundEventKind.CREATED, cast.admin)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"label": " "}, "Give the round a label"),
        ({"closes_on": dt.date(2026, 9, 1)}, "close date must come after the open date"),
        ({"products": []}, "targets no product"),
        ({"label": "2026-04"}, "already exists"),
    ],
)
def test_create_refuses_bad_input(version: Any, cast: Any, changes: dict, message: str) -> None:
    factories.make_round(version, label="2026-04", opens_on=dt.date(2026, 4, 1))
    arguments = {
        "version": version,
        "label": "2026-10",
        "opens_on": dt.date(2026, 10, 1),
        "closes_on": dt.date(2026, 10, 31),
        "products": [cast.product],
        **changes,
    }
    with pytest.raises(ApplicationError, match=message):
        services.round_create(**arguments)


def test_create_refuses_a_draft_version(cast: Any) -> None:
    draft = factories.make_version(publish=False, version="2027.1")
    with pytest.raises(ApplicationError, match="publish it"):
        services.round_create(
            version=draft,
            label="x",
            opens_on=dt.date(2026, 10, 1),
            closes_on=dt.date(2026, 10, 31),
            products=[cast.product],
        )


# --- open -----------------------------------------------------------------------------


def test_open_creates_not_started_assessments_with_fresh_answers(version: Any, cast: Any) -> None:
    rnd = factories.make_round(version, status=RoundStatus.SCHEDULED, products=(cast.product,))
    result = services.round_open(round=rnd, now=NOW, notify=False)
    assert result is not None and result.assessments == 1
    assessment = Assessment.objects.get(round=rnd)
    assert assessment.status == AssessmentStatus.NOT_STARTED
    assert assessment.carried_from is None
    assert set(assessment.answers.values_list("value", "carry")) == {(None, CarryStatus.NONE)}
    assert assessment.answers.count() == 28
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.OPEN and rnd.opened_at == NOW


def test_open_carries_forward_by_key_and_marks_new_and_changed_items(cast: Any) -> None:
    old = factories.make_version(na_items=("data.i7",))
    previous = closed_round(old, "2026-04", dt.date(2026, 4, 1), {cast.product: "0.5"})
    submitted = Assessment.objects.get(round=previous)
    Answer.objects.filter(assessment=submitted, item__key="data.i7").update(
        value="NA", na_reason="no hand-made features"
    )
    # The new version renames nothing, changes the criteria of data.i2, adds data.i8.
    data = factories.questionnaire_data(version="2027.1", per_area=7, na_items=("data.i7",))
    data["areas"][0]["items"][1]["criteria"]["1"] = "Automated, and alerts on failure"
    extra = dict(data["areas"][0]["items"][0], key="data.i8", code="D8")
    data["areas"][0]["items"].append(extra)
    new, _ = questionnaire_load(data=data, publish=True)
    rnd = factories.make_round(new, status=RoundStatus.SCHEDULED, products=(cast.product,))

    result = services.round_open(round=rnd, now=NOW, notify=False)

    assessment = Assessment.objects.get(round=rnd)
    assert assessment.carried_from == submitted
    answers = {a.item.key: a for a in assessment.answers.select_related("item")}
    assert (answers["data.i1"].value, answers["data.i1"].carry) == ("0.5", CarryStatus.CARRIED)
    assert (answers["data.i7"].value, answers["data.i7"].na_reason) == (
        "NA",
        "no hand-made features",
    )
    assert (answers["data.i2"].value, answers["data.i2"].carry) == (None, CarryStatus.CHANGED)
    assert (answers["data.i8"].value, answers["data.i8"].carry) == (None, CarryStatus.NEW)
    assert result is not None and (result.carried, result.new, result.changed) == (27, 1, 1)
    revisions = AnswerRevision.objects.filter(answer__assessment=assessment)
    assert revisions.count() == 27
    assert set(revisions.values_list("source", "old_value")) == {("carry", None)}


def test_open_carries_from_the_last_submitted_not_the_last_round(version: Any, cast: Any) -> None:
    closed_round(version, "2025-10", dt.date(2025, 10, 1), {cast.product: "1"})
    skipped = factories.make_round(version, label="2026-04", opens_on=dt.date(2026, 4, 1))
    factories.make_assessment(skipped, cast.product, default="0")  # a draft: never submitted
    services.round_close(round=skipped, now=NOW - dt.timedelta(days=100))
    rnd = factories.make_round(version, status=RoundStatus.SCHEDULED, products=(cast.product,))
    services.round_open(round=rnd, now=NOW, notify=False)
    values = set(Answer.objects.filter(assessment__round=rnd).values_list("value", flat=True))
    assert values == {"1"}


def test_open_twice_does_nothing_twice(version: Any, cast: Any) -> None:
    rnd = factories.make_round(
        version, status=RoundStatus.SCHEDULED, products=(cast.product, cast.other_product)
    )
    assert services.round_open(round=rnd, now=NOW, notify=False) is not None
    assert services.round_open(round=rnd, now=NOW, notify=False) is None
    assert Assessment.objects.filter(round=rnd).count() == 2
    assert rnd.events.filter(kind=RoundEventKind.OPENED).count() == 1


def test_a_round_with_no_target_opens_for_every_active_product(version: Any, cast: Any) -> None:
    factories.ProductFactory(slug="retired", is_active=False)
    rnd = factories.make_round(version, status=RoundStatus.SCHEDULED)
    services.round_open(round=rnd, now=NOW, notify=False)
    assert set(rnd.products.values_list("slug", flat=True)) == {"ads-ctr", "search-rank"}


def test_open_tells_members_with_a_link(
    version: Any, cast: Any, settings: Any, committed: Any
) -> None:
    settings.SITE_URL = "https://score.example"
    rnd = factories.make_round(version, status=RoundStatus.SCHEDULED, products=(cast.product,))
    with committed():
        services.round_open(round=rnd, now=NOW)
    assessment = Assessment.objects.get(round=rnd)
    [email] = mail.outbox
    assert email.to == ["member@example.com"]
    assert "2026-10" in email.subject and "Ads Ctr" in email.subject
    assert f"https://score.example/assessments/{assessment.pk}/" in email.body


# --- reminders ------------------------------------------------------------------------


def test_reminders_go_to_members_of_unsubmitted_products_in_their_language(
    version: Any, cast: Any, committed: Any
) -> None:
    Profile.objects.create(user=cast.other_member, language="ja")
    rnd = factories.make_round(version, products=(cast.product, cast.other_product))
    factories.make_assessment(rnd, cast.product, default="1", status=AssessmentStatus.SUBMITTED)
    factories.make_assessment(rnd, cast.other_product, status=AssessmentStatus.NOT_STARTED)
    factories.ProductFactory(slug="no-members")  # not targeted, nobody to tell

    with committed():
        assert services.round_remind(round=rnd, days_before=7, now=NOW) == 1
    [email] = mail.outbox
    assert email.to == ["other-member@example.com"]
    assert "リマインダー" in email.subject
    assert "/assessments/" in email.body
    assert RoundReminder.objects.get(round=rnd).recipients == 1


def test_a_reminder_wave_is_sent_once(version: Any, cast: Any, committed: Any) -> None:
    rnd = factories.make_round(version, products=(cast.product,))
    factories.make_assessment(rnd, cast.product, status=AssessmentStatus.DRAFT)
    with committed():
        assert services.round_remind(round=rnd, days_before=7, now=NOW) == 1
    with committed():
        assert services.round_remind(round=rnd, days_before=7, now=NOW) is None
    assert len(mail.outbox) == 1
    assert rnd.events.filter(kind=RoundEventKind.REMINDED).count() == 1


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (dt.date(2026, 10, 16), None),
        (dt.date(2026, 10, 17), 14),
        (dt.date(2026, 10, 23), 14),
        (dt.date(2026, 10, 24), 7),
        (dt.date(2026, 10, 30), 1),
        (dt.date(2026, 10, 31), 1),
        (dt.date(2026, 11, 1), None),
    ],
)
def test_the_reminder_due_is_the_nearest_offset_reached(
    version: Any, today: dt.date, due: int | None
) -> None:
    rnd = factories.make_round(version, closes_on=dt.date(2026, 10, 31))
    assert selectors.reminder_due(rnd, today) == due


# --- close ----------------------------------------------------------------------------


def test_close_freezes_scores_records_non_response_and_stores_the_report(
    version: Any, cast: Any, committed: Any
) -> None:
    third = factories.ProductFactory(slug="third")
    rnd = factories.make_round(version, products=(cast.product, cast.other_product, third))
    submitted = factories.make_assessment(
        rnd, cast.product, default="1", status=AssessmentStatus.SUBMITTED
    )
    draft = factories.make_assessment(rnd, cast.other_product, default="1")
    untouched = factories.make_assessment(rnd, third, status=AssessmentStatus.NOT_STARTED)

    with committed():
        result = services.round_close(round=rnd, now=NOW, notify=False)

    assert result is not None
    assert (result.submitted, result.not_submitted) == (1, 2)
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.CLOSED and rnd.closed_at == NOW
    submitted.refresh_from_db()
    assert (submitted.final_score, submitted.band) == (7.0, ">5")
    assert AreaScore.objects.filter(assessment=submitted).count() == 4
    for other in (draft, untouched):
        other.refresh_from_db()
        assert other.status == AssessmentStatus.NOT_SUBMITTED
        assert other.final_score is None
    report = RoundReport.objects.get(round=rnd)
    assert report.data["targeted"] == 3 and report.data["scored"] == 1
    event = rnd.events.get(kind=RoundEventKind.CLOSED)
    assert event.details == {"submitted": 1, "not_submitted": 2, "regressions": 0}


def test_closing_twice_does_nothing_twice(version: Any, cast: Any) -> None:
    rnd = factories.make_round(version, products=(cast.product,))
    assessment = factories.make_assessment(
        rnd, cast.product, default="1", status=AssessmentStatus.SUBMITTED
    )
    services.round_close(round=rnd, now=NOW)
    assessment.refresh_from_db()
    scored_at = assessment.scored_at
    assert services.round_close(round=rnd, now=NOW + dt.timedelta(hours=1)) is None
    assessment.refresh_from_db()
    assert assessment.scored_at == scored_at
    assert rnd.events.filter(kind=RoundEventKind.CLOSED).count() == 1


@pytest.mark.parametrize(
    ("before", "after", "flagged"),
    [
        ("1", "0.5", True),  # every area falls from 7 to 3.5: final and areas
        ("0.5", "0.5", False),
    ],
)
def test_close_flags_regressions_and_tells_the_members(
    version: Any, cast: Any, before: str, after: str, flagged: bool, committed: Any
) -> None:
    closed_round(version, "2026-04", dt.date(2026, 4, 1), {cast.product: before})
    mail.outbox.clear()
    rnd = factories.make_round(version, products=(cast.product,))
    assessment = factories.make_assessment(
        rnd, cast.product, default=after, status=AssessmentStatus.SUBMITTED
    )
    with committed():
        result = services.round_close(round=rnd, now=NOW)
    assessment.refresh_from_db()
    assert assessment.is_regression is flagged
    assert result is not None and result.regressions == int(flagged)
    if flagged:
        assert assessment.regression["previous_round"] == "2026-04"
        assert assessment.regression["final_drop"] == 3.5
        assert set(assessment.regression["areas"]) == {"data", "model", "infra", "monitoring"}
        [email] = mail.outbox
        assert email.to == ["member@example.com"] and "regressed" in email.subject
        assert "7.00" in email.body and "3.50" in email.body
    else:
        assert mail.outbox == []


def test_regressions_compare_with_the_previous_scored_round(version: Any, cast: Any) -> None:
    closed_round(version, "2025-10", dt.date(2025, 10, 1), {cast.product: "1"})
    # In 2026-04 the product did not respond: the comparison goes back to 2025-10.
    skipped = factories.make_round(version, label="2026-04", opens_on=dt.date(2026, 4, 1))
    factories.make_assessment(skipped, cast.product, default="0.5")
    services.round_close(round=skipped, now=NOW - dt.timedelta(days=100))
    rnd = factories.make_round(version, products=(cast.product,))
    assessment = factories.make_assessment(
        rnd, cast.product, default="0.5", status=AssessmentStatus.SUBMITTED
    )
    services.round_close(round=rnd, now=NOW)
    assessment.refresh_from_db()
    assert assessment.is_regression
    assert assessment.regression["previous_round"] == "2025-10"


# --- admin actions --------------------------------------------------------------------


def test_extend_moves_the_close_date_later_and_records_it(version: Any, cast: Any) -> None:
    rnd = factories.make_round(version, closes_on=dt.date(2026, 10, 31))
    services.round_extend(round=rnd, closes_on=dt.date(2026, 11, 7), by=cast.admin)
    rnd.refresh_from_db()
    assert rnd.closes_on == dt.date(2026, 11, 7)
    event = rnd.events.get(kind=RoundEventKind.EXTENDED)
    assert event.details == {"from": "2026-10-31", "to": "2026-11-07"} and event.by == cast.admin
    with pytest.raises(ApplicationError, match="after the current one"):
        services.round_extend(round=rnd, closes_on=dt.date(2026, 11, 1), by=cast.admin)


def test_a_closed_round_cannot_be_extended(version: Any, cast: Any) -> None:
    rnd = factories.make_round(version, status=RoundStatus.CLOSED)
    with pytest.raises(ApplicationError, match="re-open"):
        services.round_extend(round=rnd, closes_on=dt.date(2027, 1, 1), by=cast.admin)


def test_reopen_makes_non_responses_editable_and_is_recorded(version: Any, cast: Any) -> None:
    rnd = factories.make_round(version, products=(cast.product, cast.other_product))
    started = factories.make_assessment(rnd, cast.product, default="0.5")
    AnswerRevision.objects.create(answer=started.answers.first(), new_value="0.5", source="web")
    untouched = factories.make_assessment(rnd, cast.other_product, status="not_started")
    services.round_close(round=rnd, now=NOW, notify=False)

    services.round_reopen(
        round=rnd, closes_on=dt.date(2026, 11, 15), by=cast.admin, reason="late team", now=NOW
    )

    rnd.refresh_from_db()
    assert (rnd.status, rnd.closed_at, rnd.closes_on) == ("open", None, dt.date(2026, 11, 15))
    started.refresh_from_db()
    untouched.refresh_from_db()
    assert (started.status, untouched.status) == ("draft", "not_started")
    event = rnd.events.get(kind=RoundEventKind.REOPENED)
    assert event.by == cast.admin and event.details["reason"] == "late team"
    with pytest.raises(ApplicationError, match="Only a closed round"):
        services.round_reopen(round=rnd, closes_on=dt.date(2026, 11, 20), by=cast.admin, now=NOW)


def test_rescore_is_explicit_and_recorded(version: Any, cast: Any) -> None:
    rnd = factories.make_round(version, products=(cast.product,))
    assessment = factories.make_assessment(
        rnd, cast.product, default="1", status=AssessmentStatus.SUBMITTED
    )
    services.round_close(round=rnd, now=NOW)
    # A stored score never changes by itself, even when an answer is corrected in the data.
    Answer.objects.filter(assessment=assessment, item__key="data.i1").update(value="0")
    assessment.refresh_from_db()
    assert assessment.final_score == 7.0

    assert services.round_rescore(round=rnd, by=cast.admin) == 1
    assessment.refresh_from_db()
    assert assessment.final_score == 6.0
    event = rnd.events.get(kind=RoundEventKind.RESCORED)
    assert event.by == cast.admin and event.details["changed"] == 1


def test_an_open_round_is_not_rescored(version: Any, cast: Any) -> None:
    rnd = factories.make_round(version)
    with pytest.raises(ApplicationError, match="Only a closed round"):
        services.round_rescore(round=rnd, by=cast.admin)


# --- cadence --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (dt.date(2026, 4, 1), dt.date(2026, 10, 1)),
        (dt.date(2026, 10, 1), dt.date(2027, 4, 1)),
        (dt.date(2026, 3, 31), dt.date(2026, 4, 1)),
        (dt.date(2026, 12, 31), dt.date(2027, 4, 1)),
    ],
)
def test_cadence_is_april_and_october(after: dt.date, expected: dt.date) -> None:
    assert selectors.cadence_next(after, [4, 10]) == expected


def test_the_next_round_uses_the_newest_published_version(version: Any, settings: Any) -> None:
    settings.ROUND_OPEN_DAYS = 21
    factories.make_round(version, label="2026-10", opens_on=dt.date(2026, 10, 1))
    newer = factories.make_version(version="2027.1")
    factories.make_version(version="2027.2-draft", publish=False)

    rnd = services.round_schedule_next(questionnaire=version.questionnaire, now=NOW)

    assert rnd is not None
    assert (rnd.label, rnd.opens_on, rnd.closes_on) == (
        "2027-04",
        dt.date(2027, 4, 1),
        dt.date(2027, 4, 22),
    )
    assert rnd.version == newer and rnd.status == RoundStatus.SCHEDULED
    # Scheduling again does nothing while that round waits.
    assert services.round_schedule_next(questionnaire=version.questionnaire, now=NOW) is None
    assert Round.objects.count() == 2


def test_the_cadence_months_are_configurable(version: Any, settings: Any) -> None:
    settings.ROUND_CADENCE_MONTHS = [1, 7]
    rnd = services.round_schedule_next(questionnaire=version.questionnaire, now=NOW)
    assert rnd is not None and rnd.label == "2027-01"


def test_round_events_post_to_the_webhook(
    version: Any, cast: Any, settings: Any, monkeypatch: Any, committed: Any
) -> None:
    settings.ROUND_WEBHOOK_URL = "https://hooks.example/round"
    post = mock.Mock()
    monkeypatch.setattr("surveys.rounds.notifications.requests.post", post)
    rnd = factories.make_round(version, products=(cast.product,))
    with committed():
        services.round_close(round=rnd, now=NOW)
    post.assert_called_once()
    assert post.call_args.args == ("https://hooks.example/round",)
    assert "2026-10 closed" in post.call_args.kwargs["json"]["text"]
    assert post.call_args.kwargs["timeout"] <= 10


def test_a_failing_webhook_is_logged_not_raised(
    version: Any, cast: Any, settings: Any, monkeypatch: Any, caplog: Any, committed: Any
) -> None:
    settings.ROUND_WEBHOOK_URL = "https://hooks.example/round"
    monkeypatch.setattr(
        "surveys.rounds.notifications.requests.post",
        mock.Mock(side_effect=requests.ConnectionError("refused")),
    )
    rnd = factories.make_round(version, products=(cast.product,))
    with committed():
        assert services.round_close(round=rnd, now=NOW) is not None
    assert "Round webhook failed" in caplog.text
    assert RoundEvent.objects.filter(round=rnd, kind=RoundEventKind.CLOSED).exists()


def test_reopening_rearms_the_reminders_still_ahead(version: Any, cast: Any) -> None:
    rnd = factories.make_round(version, closes_on=dt.date(2026, 10, 31))
    factories.make_assessment(rnd, cast.product, status=AssessmentStatus.DRAFT)
    for days in (14, 7, 1):
        services.round_remind(round=rnd, days_before=days, now=NOW)
    services.round_close(round=rnd, now=NOW, notify=False)
    services.round_reopen(
        round=rnd, closes_on=dt.date(2026, 10, 10), by=cast.admin, reason="late", now=NOW
    )
    # Closing on 10 October seen from 1 October: the 7- and 1-day reminders lie ahead.
    assert list(RoundReminder.objects.filter(round=rnd).values_list("days_before", flat=True)) == [
        14
    ]
