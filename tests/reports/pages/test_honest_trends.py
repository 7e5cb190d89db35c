"""an open round is provisional, and what moved the mean.

Figures are computed by hand from the fixture of ``conftest.py``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from reports.figures.movement import decompose
from surveys.models import AssessmentStatus
from tests import factories

from .test_pages import figures_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_round(org: Any) -> Any:
    """2022-10 is open: p1 submitted (all 1 → final 3.0), p4 still a draft."""
    rnd = org.rounds["2022-10"]
    factories.make_assessment(
        rnd, org.products["p1"], default="1", status=AssessmentStatus.SUBMITTED
    )
    factories.make_assessment(rnd, org.products["p4"])
    factories.score_round(rnd)
    return rnd


def manager_get(cast: Any, url: str, **params: Any) -> Any:
    client = Client()
    client.force_login(cast.manager)
    return client.get(url, params)


def test_the_open_round_is_drawn_provisional_and_apart(
    org: Any, cast: Any, open_round: Any
) -> None:
    response = manager_get(cast, "/reports/")
    charts = figures_of(response)
    traces = {t.get("name"): t for t in charts["chart-trend"]["data"]}
    # The solid line stops at the last closed round ...
    assert traces["Mean, all products"]["y"] == [1.8125, 1.75, None]
    # ... and a dotted, hollow continuation carries the open round's provisional mean.
    tail = traces["Mean, all products (provisional)"]
    assert tail["y"] == [None, 1.75, 3.0]
    assert tail["line"]["dash"] == "dot" and tail["marker"]["symbol"] == "circle-open"
    axis = charts["chart-trend"]["layout"]["xaxis"]
    assert "provisional 50%" in axis["ticktext"][2] and axis["ticktext"][0] == "2021-10"
    # Bars of the open round are hatched.
    band = charts["chart-bands"]["data"][0]
    assert band["marker"]["pattern"]["shape"] == ["", "", "/"]
    html = response.content.decode()
    assert "2022-10 (provisional, 50% responded)" in html
    assert "provisional figures from 1 of 2 products so far" in html


def test_change_since_last_round_ignores_the_open_round(
    org: Any, cast: Any, open_round: Any
) -> None:
    html = manager_get(cast, "/reports/").content.decode()
    card = html[html.index('id="change"') : html.index('id="moved"')]
    assert "Latest closed round: 2022-04" in card
    assert "against the previous closed round, 2021-10" in card
    # mean 1.75 against 1.8125: down 0.06, not up to the provisional 3.0
    assert re.search(r"▼.*?-0\.06", card, re.S)
    # meeting the target (2.0): 2 of 4 in both closed rounds (p1 2.0, p3 3.0 / p1, p4)
    assert "2 / 4" in card


def test_what_moved_the_mean_by_hand() -> None:
    # 2021-10: p1 2.0, p2 0.0, p3 3.0, p5 2.25; 2022-04: p1 2.0, p3 1.5, p4 3.0, p6 0.5
    parts = decompose({1: 2.0, 2: 0.0, 3: 3.0, 5: 2.25}, {1: 2.0, 3: 1.5, 4: 3.0, 6: 0.5})
    got = parts.as_dict()
    assert got["before_mean"] == 1.8125 and got["after_mean"] == 1.75
    assert got["change"] == -0.0625
    assert got["improved"] == 0.0
    assert got["declined"] == -0.375  # p3 fell 1.5, over 4 scored
    assert got["joined"] == -0.375  # 2/4 × (1.75 − 2.5): p4, p6 below the continuing mean
    assert got["left"] == 0.6875  # 2/4 × (2.5 − 1.125): p2, p5 were weaker
    assert got["counts"] == {"improved": 0, "declined": 1, "unchanged": 1, "joined": 2, "left": 2}
    total = got["improved"] + got["declined"] + got["joined"] + got["left"]
    assert total == pytest.approx(got["change"])


def test_decomposition_when_nobody_continues() -> None:
    got = decompose({1: 1.0, 2: 2.0}, {3: 3.0}).as_dict()
    assert got["joined"] == 1.5 and got["left"] == 0.0 and got["change"] == 1.5


def test_the_trend_page_shows_what_moved_the_mean(org: Any, cast: Any) -> None:
    html = manager_get(cast, "/reports/").content.decode()
    table = html[html.index('id="moved-table"') :]
    table = table[: table.index("</table>")]
    assert "What moved the mean from 2021-10 to 2022-04" in html
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    text = [re.sub(r"<[^>]+>|\s+", " ", row).split() for row in rows[1:]]
    assert text[0][-5:] == ["0", "▶", "no", "change", "0.00"]  # improved: none
    assert text[1][-1] == "-0.38" and text[2][-1] == "-0.38" and text[3][-1] == "+0.69"
