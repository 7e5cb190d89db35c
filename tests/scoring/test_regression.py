"""DESIGN §4: a product regressed when its final fell by 1.0 or more, or an area by 2.0."""

import pytest

from scoring.regression import AreaDrop, regression_of


@pytest.mark.parametrize(
    ("previous", "current", "flagged"),
    [(3.0, 2.0, True), (3.0, 2.5, False), (2.5, 1.0, True), (1.0, 1.0, False), (1.0, 3.0, False)],
)
def test_a_final_fall_of_one_or_more_is_a_regression(
    previous: float, current: float, flagged: bool
) -> None:
    found = regression_of(final=current, areas={}, previous_final=previous, previous_areas={})
    assert (found is not None) == flagged


def test_an_area_fall_of_two_is_a_regression_even_when_the_final_holds() -> None:
    found = regression_of(
        final=2.0,
        areas={"data": 2.0, "model": 4.0},
        previous_final=2.0,
        previous_areas={"data": 2.0, "model": 6.0},
    )
    assert found is not None
    assert found.areas == {"model": AreaDrop(6.0, 4.0, 2.0)}
    assert found.final_drop == 0.0


def test_an_area_fall_just_under_two_is_not() -> None:
    found = regression_of(
        final=3.0, areas={"model": 4.25}, previous_final=3.0, previous_areas={"model": 6.0}
    )
    assert found is None


def test_rescaled_scores_that_fell_by_exactly_one_count_despite_float_error() -> None:
    # 7 * 3.5 / 6 and friends are not exact in binary floating point.
    previous = 7 * 5 / 6
    assert regression_of(final=previous - 1.0, areas={}, previous_final=previous, previous_areas={})


def test_areas_missing_in_either_round_are_not_compared() -> None:
    found = regression_of(
        final=2.0, areas={"data": 0.0}, previous_final=2.0, previous_areas={"model": 7.0}
    )
    assert found is None


def test_details_carry_figures_rounded_to_4_decimals() -> None:
    found = regression_of(
        final=7 / 3, areas={"data": 1 / 3}, previous_final=3.5, previous_areas={"data": 7 / 3}
    )
    assert found is not None
    assert found.as_json() == {
        "previous_final": 3.5,
        "final": 2.3333,
        "final_drop": 1.1667,
        "areas": {"data": {"previous": 2.3333, "current": 0.3333, "drop": 2.0}},
    }
