"""DESIGN §3: JSON carries figures rounded to 4 decimals."""

import math

import pytest

from scoring.figures import figure


@pytest.mark.parametrize(
    ("value", "shown"), [(1 / 3, 0.3333), (2.0, 2.0), (7 * 5 / 6, 5.8333), (0.00005, 0.0001)]
)
def test_figures_are_rounded_to_4_decimals(value: float, shown: float) -> None:
    assert figure(value) == shown


def test_no_figure_stays_none() -> None:
    assert figure(None) is None
    assert figure(math.nan) is None
