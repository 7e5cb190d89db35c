"""DESIGN §5: a closed round's figures are computed once — when it closes, is re-scored or
imported into — and stored; a reader, even the first after a deploy (an empty cache),
computes nothing for it. After each of these, every figure read from the stored counts
equals the one freshly counted from stored scores, for every scope a page can ask for."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.figures import selectors, stored
from reports.figures.bottlenecks import capped_by_department, capped_by_round, next_steps_of
from reports.figures.breakdowns import ancestors_map
from reports.figures.caching import counted_live
from reports.figures.selectors import EVERYTHING, Scope
from reports.figures.tallies import department_cells, item_counts, round_cells
from reports.figures.trend import trend_document
from reports.tasks import round_report_build
from surveys.imports.services import answers_import
from surveys.models import Answer, AssessmentStatus, Round, RoundReport, RoundStatus
from surveys.rounds import services
from tests.reports.conftest import Org

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2022, 11, 1, tzinfo=dt.UTC)
# The tables holding scores and answers: a reader of closed rounds never reads them.
SCORE_TABLES = ('"surveys_assessment"', '"surveys_areascore"', '"surveys_answer"')


def scopes(org: Org) -> list[Scope]:
    """Every kind of scope a page asks for: everything, the departments a member may read,
    a department with its subtree, a phase, and both narrowings at once."""
    ads, ads_ml, search = (org.departments[s].pk for s in ("ads", "ads-ml", "search"))
    return [
        EVERYTHING,
        Scope(frozenset({search})),
        Scope(frozenset({ads, ads_ml})),
        Scope(phase="production"),
        Scope(frozenset({search}), phase="poc"),
        Scope(frozenset()),
    ]


def figures(org: Org, scope: Scope) -> dict[str, Any]:
    """Every figure the report pages and the trend API read, for ``scope``."""
    rounds = selectors.rounds_of(org.v1.questionnaire)
    ancestors = ancestors_map(selectors.departments_tree())
    closed = [info for info in rounds if not info.is_provisional]
    return {
        "trend": trend_document(questionnaire="mlts", scope=scope),
        "trend from 2022-04": trend_document(questionnaire="mlts", scope=scope, baseline="2022-04"),
        "phases": round_cells(rounds, scope=scope),
        "departments": department_cells(rounds, scope=scope),
        "items": {pk: sorted(rows) for pk, rows in item_counts(rounds, scope=scope).items()},
        "capped": capped_by_round(rounds, scope),
        "capped by department": {
            info.id: capped_by_department(info=info, scope=scope, ancestors=ancestors)
            for info in closed
        },
        "next steps": {info.id: next_steps_of(info, scope) for info in closed},
        "finals": {info.id: stored.finals_by_product(info, scope) for info in closed},
    }


@contextmanager
def cold() -> Iterator[None]:
    """A process that has just started: nothing cached, no report decoded."""
    cache.clear()
    selectors.decoded_clear()
    yield
    cache.clear()
    selectors.decoded_clear()


def assert_stored_equal_fresh(org: Org) -> None:
    for scope in scopes(org):
        with cold():
            read = figures(org, scope)
        with counted_live():
            fresh = figures(org, scope)
        assert read == fresh, scope


def build_reports(org: Org) -> None:
    for label in ("2021-10", "2022-04"):
        round_report_build(org.rounds[label].pk)


def test_a_closed_round_stores_its_counts_with_its_report(org: Org) -> None:
    build_reports(org)
    counts = RoundReport.objects.get(round=org.rounds["2022-04"]).counts
    assert counts["format"] == stored.COUNTS_FORMAT
    ads, search = org.departments["ads"].pk, org.departments["search"].pk
    # p1 (2.0) and p2 (not scored) are ads' own products in production.
    assert counts["cells"][f"{ads}|production"]["targeted"] == 2
    assert counts["cells"][f"{ads}|production"]["final"] == [[2.0, 1]]
    # p6, search's product in its proof of concept, scored 0.5.
    assert counts["scored"][f"{search}|poc"] == {"ids": [org.products["p6"].pk], "finals": [0.5]}


def test_stored_figures_equal_fresh_ones_once_the_reports_are_built(org: Org) -> None:
    build_reports(org)
    assert_stored_equal_fresh(org)


def test_a_cold_reader_of_closed_rounds_reads_no_score_or_answer(org: Org) -> None:
    Round.objects.filter(pk=org.rounds["2022-10"].pk).delete()  # only closed rounds left
    build_reports(org)
    for scope in scopes(org):
        with cold(), CaptureQueriesContext(connection) as queries:
            figures(org, scope)
        read = [q["sql"] for q in queries.captured_queries]
        assert not [sql for sql in read if any(table in sql for table in SCORE_TABLES)]


def test_after_a_close_the_stored_figures_equal_fresh_ones(
    org: Org, django_capture_on_commit_callbacks: Any
) -> None:
    build_reports(org)
    later = org.rounds["2022-04"]
    Round.objects.filter(pk=later.pk).update(status=RoundStatus.OPEN)
    RoundReport.objects.filter(round=later).delete()
    # p2 answers in the last days of the round and submits.
    Answer.objects.filter(assessment__round=later, assessment__product=org.products["p2"]).update(
        value="1"
    )
    later.assessments.filter(product=org.products["p2"]).update(
        status=AssessmentStatus.SUBMITTED, submitted_at=NOW - dt.timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.round_close(round=later, now=NOW)
    assert RoundReport.objects.filter(round=later).exists()
    assert trend_document(questionnaire="mlts")["rounds"][1]["scored"] == 5
    assert_stored_equal_fresh(org)


def test_a_rescore_refreshes_that_rounds_figures_only(
    org: Org, cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    build_reports(org)
    first, later = org.rounds["2021-10"], org.rounds["2022-04"]
    with cold():
        figures(org, EVERYTHING)  # cached under the reports as they were built
    other_built = RoundReport.objects.get(round=first).built_at
    # The stored scores of 2022-04 drifted from its answers (p3 answered 1 everywhere).
    Answer.objects.filter(assessment__round=later, assessment__product=org.products["p3"]).update(
        value="1"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.round_rescore(round=later, by=cast.admin, now=NOW)
    assert RoundReport.objects.get(round=first).built_at == other_built
    # The cache still holds the old figures, under the old report's time: never read again.
    rows = trend_document(questionnaire="mlts")["rounds"]
    assert rows[1]["final"]["mean"] == round((2.0 + 3.0 + 3.0 + 0.5) / 4, 4)
    assert_stored_equal_fresh(org)


def test_an_import_into_a_closed_round_refreshes_its_figures(
    org: Org, cast: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    build_reports(org)
    built = RoundReport.objects.get(round=org.rounds["2022-04"]).built_at
    path = tmp_path / "answers.csv"
    path.write_text(
        "round,product,item,answer\n2022-04,p6,data.i2,1\n2022-04,p6,data.i3,1\n",
        encoding="utf-8",
    )
    with django_capture_on_commit_callbacks(execute=True):
        answers_import(path=path, version=org.v2, by=cast.admin)
    assert RoundReport.objects.get(round=org.rounds["2022-04"]).built_at > built
    with cold():
        phases = trend_document(questionnaire="mlts", scope=Scope(phase="poc"))["rounds"]
    assert phases[1]["final"]["mean"] == 0.5  # p6's model area still caps it
    assert_stored_equal_fresh(org)


def test_counts_of_another_format_are_not_read(org: Org) -> None:
    build_reports(org)
    report = RoundReport.objects.get(round=org.rounds["2021-10"])
    report.counts["format"] = stored.COUNTS_FORMAT + 1
    report.counts["cells"] = {}
    report.save()
    with cold():
        read = trend_document(questionnaire="mlts")
    with counted_live():
        assert read == trend_document(questionnaire="mlts")


def test_accepted_only_figures_are_counted_live(org: Org) -> None:
    """A review may accept an assessment of a closed round at any time: not stored."""
    build_reports(org)
    scope = Scope(accepted_only=True)
    with cold():
        read = trend_document(questionnaire="mlts", scope=scope)
    assert read["rounds"][0]["scored"] == 0  # nobody reviewed yet
    with counted_live():
        assert read == trend_document(questionnaire="mlts", scope=scope)


def test_report_rebuild_stores_the_counts_of_every_closed_round(org: Org) -> None:
    from django.core.management import call_command

    call_command("report_rebuild", "--questionnaire", "mlts", stdout=io.StringIO())
    reports = dict(RoundReport.objects.values_list("round__label", "counts__format"))
    assert reports == {"2021-10": stored.COUNTS_FORMAT, "2022-04": stored.COUNTS_FORMAT}
    assert_stored_equal_fresh(org)


def report_reads(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if '"surveys_roundreport"."data"' in q["sql"]
        or '"surveys_roundreport"."counts"' in q["sql"]
    ]


def test_a_process_decodes_a_rounds_stored_report_once_per_build(
    org: Org, cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Every page reads the snapshots of all its rounds, and the trend page two rounds'
    stored scores: decoded once, then kept by the process under the time the report was
    built, so a rebuild is read afresh. The other stored counts are read only when the
    cache lacks the figures made of them: not kept (up to 900 KB decoded each)."""
    build_reports(org)
    later = org.rounds["2022-04"]
    rounds = [i for i in selectors.rounds_of(org.v1.questionnaire) if not i.is_provisional]
    with CaptureQueriesContext(connection) as first:
        snapshots = selectors.round_reports(rounds)
        scored = stored.stored(stored.SCORED, rounds)
        cells = stored.stored(stored.CELLS, rounds)
    assert len(report_reads(first)) == 3
    assert set(snapshots) == set(scored) == set(cells) == {i.id for i in rounds}
    with CaptureQueriesContext(connection) as again:
        assert selectors.round_reports(rounds) == snapshots
        assert stored.stored(stored.SCORED, rounds) == scored
        assert stored.stored(stored.CELLS, rounds) == cells
    assert len(report_reads(again)) == 1 and "cells" in report_reads(again)[0]

    # 2022-04 is re-scored (p3 answered 1 everywhere): its report is rebuilt, read afresh.
    Answer.objects.filter(assessment__round=later, assessment__product=org.products["p3"]).update(
        value="1"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.round_rescore(round=later, by=cast.admin, now=NOW)
    rounds = [i for i in selectors.rounds_of(org.v1.questionnaire) if not i.is_provisional]
    with CaptureQueriesContext(connection) as rebuilt:
        fresh = selectors.round_reports(rounds)
    assert len(report_reads(rebuilt)) == 1
    assert fresh[later.pk] == RoundReport.objects.get(round=later).data != snapshots[later.pk]
    assert fresh[org.rounds["2021-10"].pk] is snapshots[org.rounds["2021-10"].pk]


def test_the_decoded_reports_a_process_keeps_are_bounded(org: Org, monkeypatch: Any) -> None:
    build_reports(org)
    monkeypatch.setattr(selectors, "DECODED_MAX", 1)
    rounds = [i for i in selectors.rounds_of(org.v1.questionnaire) if not i.is_provisional]
    assert len(selectors.round_reports(rounds)) == 2
    assert len(selectors._DECODED) == 1
