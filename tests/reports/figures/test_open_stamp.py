"""An open round's figures made of stored scores are counted once per state of its scores
(DESIGN §5: computed live; on deadline day every manager's page would count them again).
They are cached under the round's stamp, so after anything that changes what they are made
of, every figure equals the one freshly counted, for every scope a page asks for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from reports.figures import caching, selectors
from reports.figures.bottlenecks import capped_by_department, capped_by_round, next_steps_of
from reports.figures.breakdowns import ancestors_map
from reports.figures.caching import counted_live, one_reading
from reports.figures.report import Filters, report_build
from reports.figures.selectors import EVERYTHING, Scope
from reports.figures.tallies import department_cells, item_counts, round_cells
from reports.figures.trend import trend_document
from reports.tasks import round_report_build
from surveys.assessments.scores import assessments_score_store
from surveys.assessments.services import answer_set, assessment_discard
from surveys.assessments.writing import AnswerChange, answers_change
from surveys.models import Assessment, AssessmentStatus, Product, RevisionSource, RoundReport
from surveys.reviews.services import na_reject
from surveys.rounds import services
from tests import factories
from tests.reports.conftest import Org, answers
from tests.reports.figures.test_stored import scopes

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_round(org: Org) -> Org:
    """The open round 2022-10 with four products submitted and scored, one in draft; the
    closed rounds' reports built (their figures are read from them)."""
    for label in ("2021-10", "2022-04"):
        round_report_build(org.rounds[label].pk)
    rnd = org.rounds["2022-10"]
    table = {
        "p1": ("1 1 NA", "1 .5 1"),
        "p3": (".5 .5 1", "1 1 1"),
        "p4": ("1 1 1", ".5 .5 .5"),
        "p6": ("0 0 1", ".5 NA NA"),
    }
    for slug, (data, model) in table.items():
        values = {k: (v.replace(".5", "0.5") if v else v) for k, v in answers(data, model).items()}
        factories.make_assessment(
            rnd, org.products[slug], values, status=AssessmentStatus.SUBMITTED
        )
    factories.make_assessment(rnd, org.products["p2"])
    factories.score_round(rnd)
    return org


def open_figures(org: Org, scope: Scope) -> dict[str, Any]:
    """Every figure of the open round a page or the trend API reads, for ``scope``."""
    rounds = selectors.rounds_of(org.v1.questionnaire)
    info = next(i for i in rounds if i.label == "2022-10")
    ancestors = ancestors_map(selectors.departments_tree())
    report = report_build(filters=Filters(questionnaire="mlts"), visible=scope)

    def row(baseline: str | None) -> list[dict[str, Any]]:
        document = trend_document(questionnaire="mlts", scope=scope, baseline=baseline)
        return [r for r in document["rounds"] if r["label"] == info.label]

    return {
        "trend": row(None),
        "cohort of 2022-04": row("2022-04"),
        "phases": round_cells([info], scope=scope),
        "departments": department_cells([info], scope=scope),
        "capped": capped_by_round([info], scope),
        "capped by department": capped_by_department(info=info, scope=scope, ancestors=ancestors),
        "department figures": report.department_figures(info),
        "phase figures": report.phase_figures(info),
        "items": {pk: sorted(rows) for pk, rows in item_counts([info], scope=scope).items()},
        "next steps": next_steps_of(info, scope),
    }


def fresh(org: Org, scope: Scope) -> dict[str, Any]:
    with counted_live():
        return open_figures(org, scope)


def move_p4_to_ads(org: Org) -> None:
    # As an admin's edit would, or a script: no signal, no score written.
    Product.objects.filter(pk=org.products["p4"].pk).update(department=org.departments["ads"])


def p3_to_poc(org: Org) -> None:
    Product.objects.filter(pk=org.products["p3"].pk).update(phase="poc")


def p2_submits(org: Org) -> None:
    assessment = Assessment.objects.get(round=org.rounds["2022-10"], product=org.products["p2"])
    assessment.answers.update(value="1")
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.save(update_fields=["status"])
    assessments_score_store(round=org.rounds["2022-10"], assessments=[assessment], source="web")


def p1_resubmits_lower(org: Org) -> None:
    assessment = Assessment.objects.get(round=org.rounds["2022-10"], product=org.products["p1"])
    assessment.answers.filter(item__key__startswith="model").update(value="0")
    assessments_score_store(round=org.rounds["2022-10"], assessments=[assessment], source="web")


def p3_model_slips(org: Org) -> None:
    """Only an area score moves: p3's model 3.0 → 2.5; final (data, 2.0) and verified
    (1.5, nothing backed) stay."""
    assessment = Assessment.objects.get(round=org.rounds["2022-10"], product=org.products["p3"])
    before = (assessment.final_score, assessment.verified_score)
    assessment.answers.filter(item__key="model.i3").update(value="0.5")
    assessments_score_store(round=org.rounds["2022-10"], assessments=[assessment], source="web")
    assessment.refresh_from_db()
    assert (assessment.final_score, assessment.verified_score) == before


def p5_joins_the_round(org: Org) -> None:
    factories.make_assessment(org.rounds["2022-10"], org.products["p5"])


def p6_leaves_the_round(org: Org) -> None:
    Assessment.objects.filter(round=org.rounds["2022-10"], product=org.products["p6"]).delete()


def _answer(org: Org, slug: str, item_key: str) -> tuple[Assessment, Any]:
    assessment = Assessment.objects.get(round=org.rounds["2022-10"], product=org.products[slug])
    return assessment, assessment.answers.select_related("item").get(item__key=item_key)


def _save(org: Org, slug: str, item_key: str, value: str) -> None:
    """A team member's autosave, as the page sends it."""
    assessment, answer = _answer(org, slug, item_key)
    member = factories.UserFactory()
    org.products[slug].members.add(member)
    answer_set(
        assessment=assessment,
        item=answer.item,
        value=value,
        na_reason="does not apply" if value == "NA" else "",
        base_revision=answer.revision,
        by=member,
    )


def p6_na_rejected_then_answered(org: Org) -> None:
    """The rejected N/A voids p6's submission (a draft, its scores kept until the close):
    its answers count as they are, each save changing them, with no score stored."""
    version = org.rounds["2022-10"].version
    type(version).objects.filter(pk=version.pk).update(na_requires_approval=True)
    _, na = _answer(org, "p6", "model.i2")
    na_reject(answer=na, by=factories.admin_user(), comment="It applies to p6.")
    _save(org, "p6", "model.i2", "1")
    _save(org, "p6", "data.i1", "1")


def p4_answers_changed_in_bulk(org: Org) -> None:
    """A writer of many answers at once (an expired N/A approval, a file): no score stored."""
    _, answer = _answer(org, "p4", "model.i1")
    changed = answers_change(
        [AnswerChange(answer, "0")],
        by=None,
        at=dt.datetime.now(dt.UTC),
        source=RevisionSource.ADMIN,
    )
    assert changed == 1


CHANGES: list[Callable[[Org], None]] = [
    move_p4_to_ads,
    p3_to_poc,
    p2_submits,
    p1_resubmits_lower,
    p3_model_slips,
    p5_joins_the_round,
    p6_leaves_the_round,
    p6_na_rejected_then_answered,
    p4_answers_changed_in_bulk,
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
def test_after_a_change_every_open_figure_equals_a_fresh_count(
    open_round: Org, change: Callable[[Org], None]
) -> None:
    for scope in scopes(open_round):
        open_figures(open_round, scope)  # counted, and kept under the stamp of now
    before = {str(scope): fresh(open_round, scope) for scope in scopes(open_round)}
    change(open_round)
    for scope in scopes(open_round):
        after = open_figures(open_round, scope)
        assert after == fresh(open_round, scope), scope
        if scope == EVERYTHING:
            assert after != before[str(scope)], "the change shows in the figures"


def test_the_second_reader_counts_nothing_again(open_round: Org) -> None:
    cache.clear()
    first = open_figures(open_round, EVERYTHING)
    with CaptureQueriesContext(connection) as queries:
        second = open_figures(open_round, EVERYTHING)
    assert second == first
    # Area scores are read only to count them: the second reader does not read them.
    assert not [q["sql"] for q in queries if '"surveys_areascore"' in q["sql"]]


def test_a_page_reads_the_stamp_once(open_round: Org) -> None:
    with mock.patch.object(caching, "_stamp_read", wraps=caching._stamp_read) as read:
        open_figures(open_round, EVERYTHING)
        assert read.call_count > 1  # outside a page: each figure reads it
        read.reset_mock()
        with one_reading():
            open_figures(open_round, EVERYTHING)
        assert read.call_count == 1


def test_a_round_just_closed_is_counted_once_until_its_report_is_built(open_round: Org) -> None:
    """Between the close and the report's task, every reader of the round would count it."""
    rnd = open_round.rounds["2022-10"]
    open_figures(open_round, EVERYTHING)
    services.round_close(round=rnd, now=dt.datetime(2023, 4, 1, tzinfo=dt.UTC))
    assert not RoundReport.objects.filter(round=rnd).exists()  # its task runs on commit
    first = open_figures(open_round, EVERYTHING)
    assert first == fresh(open_round, EVERYTHING)
    with CaptureQueriesContext(connection) as queries:
        assert open_figures(open_round, EVERYTHING) == first
    assert not [q["sql"] for q in queries if '"surveys_areascore"' in q["sql"]]


def test_accepted_only_figures_of_the_open_round_are_counted_live(open_round: Org) -> None:
    accepted = Scope(accepted_only=True)
    open_figures(open_round, accepted)
    with CaptureQueriesContext(connection) as queries:
        open_figures(open_round, accepted)
    assert [q["sql"] for q in queries if '"surveys_areascore"' in q["sql"]]


def test_the_pages_show_a_submission_at_once(open_round: Org, cast: Any) -> None:
    client = Client()
    client.force_login(cast.manager)
    client.get("/reports/departments/")
    before = client.get("/api/v1/reports/trend/?questionnaire=mlts").json()
    p2_submits(open_round)
    after = client.get("/api/v1/reports/trend/?questionnaire=mlts").json()
    rows = [r for r in after["rounds"] if r["label"] == "2022-10"]
    old = [r for r in before["rounds"] if r["label"] == "2022-10"]
    assert rows[0]["scored"] == old[0]["scored"] + 1


def answers_read(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if 'FROM "surveys_answer"' in q["sql"]]


def test_saves_after_a_submission_or_in_a_draft_count_no_answer_again(open_round: Org) -> None:
    """DESIGN §2: a submission stands until submitted again, so a team's saves after it
    change no figure; on deadline day they must not make every manager's page count the
    round's answers again (nor do saves in a draft that has no score)."""
    before = open_figures(open_round, EVERYTHING)
    _save(open_round, "p1", "model.i2", "0")  # the first change since p1's submission
    assert open_figures(open_round, EVERYTHING) == before == fresh(open_round, EVERYTHING)
    for slug, item, value in [
        ("p1", "model.i2", "1"),
        ("p1", "data.i1", "0"),
        ("p2", "data.i1", "1"),
    ]:
        _save(open_round, slug, item, value)
        with CaptureQueriesContext(connection) as queries:
            assert open_figures(open_round, EVERYTHING) == before
        assert answers_read(queries) == [], (slug, item)
    assert before == fresh(open_round, EVERYTHING)


def test_discarding_the_changes_since_a_submission_leaves_the_figures_as_submitted(
    open_round: Org, cast: Any
) -> None:
    before = open_figures(open_round, EVERYTHING)
    _save(open_round, "p4", "model.i1", "0")
    assessment, _ = _answer(open_round, "p4", "model.i1")
    assert assessment_discard(assessment=assessment, by=cast.admin) == 1
    assert open_figures(open_round, EVERYTHING) == before == fresh(open_round, EVERYTHING)
