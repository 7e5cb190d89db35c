"""figures from value counts equal the figures of every value, and a
closed round's cached counts follow a re-score (its report is rebuilt)."""

from __future__ import annotations

import math
import random
from typing import Any

import pandas as pd
import pytest

from reports.figures.services import round_report_store
from reports.figures.tallies import Tally
from reports.figures.trend import trend_document
from surveys.models import Assessment

SCORES = [0.0, 0.5, 1.0, 7 / 6, 1.5, 1.75, 2.0, 7 / 3, 2.5, 2.8, 3.0, 3.5, 14 / 3, 5.25, 7.0]


@pytest.mark.parametrize("seed", range(30))
def test_counts_give_the_figures_of_every_value(seed: int) -> None:
    rng = random.Random(seed)
    values = [rng.choice(SCORES) for _ in range(rng.randint(1, 400))]
    tally = Tally(values)
    series = pd.Series(values, dtype="float64")
    assert tally.mean() == math.fsum(values) / len(values)  # as the trend computed it
    assert tally.median() == series.median()
    assert tally.quantile(0.25) == series.quantile(0.25)
    assert tally.quantile(0.75) == series.quantile(0.75)


def test_an_empty_tally_has_no_figures() -> None:
    assert Tally().mean() is None and Tally().median() is None and Tally().quantile(0.5) is None


@pytest.mark.django_db
def test_a_rescored_closed_round_is_counted_again(org: Any) -> None:
    rnd = org.rounds["2021-10"]
    round_report_store(round=rnd)
    before = trend_document(questionnaire="mlts")["rounds"][0]["final"]["mean"]
    assert before == 1.8125  # p1 2.0, p2 0.0, p3 3.0, p5 2.25
    Assessment.objects.filter(round=rnd, product=org.products["p2"]).update(final_score=1.0)
    # A re-score stores the round's report again: the cached counts are not used.
    round_report_store(round=rnd)
    assert trend_document(questionnaire="mlts")["rounds"][0]["final"]["mean"] == 2.0625


@pytest.mark.django_db
def test_a_rescored_closed_rounds_breakdowns_are_computed_again(org: Any) -> None:
    """A department's figures under a filter no snapshot covers are kept in the cache for
    a closed round, until a re-score rebuilds its report."""
    from reports.figures.report import Filters, report_build
    from reports.figures.selectors import EVERYTHING

    rnd = org.rounds["2021-10"]
    ads = org.departments["ads"].pk

    def ads_mean() -> float:
        report = report_build(
            filters=Filters(questionnaire="mlts", phase="production"), visible=EVERYTHING
        )
        info = next(i for i in report.rounds if i.id == rnd.pk)
        return float(report.department_figures(info)[ads]["final"]["mean"])

    round_report_store(round=rnd)
    assert ads_mean() == 1.6667  # p1 2.0, p2 0.0, p3 (ads-ml) 3.0
    Assessment.objects.filter(round=rnd, product=org.products["p2"]).update(final_score=1.0)
    assert ads_mean() == 1.6667  # the report was not rebuilt: still cached
    round_report_store(round=rnd)
    assert ads_mean() == 2.0  # p1 2.0, p2 1.0, p3 3.0
