"""The release gate's rule (DESIGN §6.8), as a pure function."""

from hypothesis import given
from hypothesis import strategies as st

from scoring.gate import GateFailure, gate_check


def test_every_area_at_the_target_passes():
    result = gate_check(areas={"data": 2.0, "monitoring": 3.5}, target=2.0)
    assert result.passes
    assert result.final == 2.0
    assert result.failing == ()


def test_the_areas_below_the_target_are_what_must_rise():
    result = gate_check(areas={"data": 3.0, "infra": 1.5, "monitoring": 0.5}, target=2.0)
    assert not result.passes
    assert result.final == 0.5
    assert [f.as_json() for f in result.failing] == [
        {"area": "infra", "score": 1.5, "needs": 2.0},
        {"area": "monitoring", "score": 0.5, "needs": 2.0},
    ]


def test_an_area_without_applicable_items_is_left_out():
    result = gate_check(areas={"data": 2.5, "model": None}, target=2.0)
    assert result.passes
    assert result.final == 2.5


def test_no_submitted_assessment_never_passes():
    result = gate_check(areas=None, target=0.0)
    assert not result.passes
    assert result.final is None


def test_no_scored_area_never_passes():
    assert not gate_check(areas={"data": None}, target=0.0).passes


def test_a_required_item_below_one_fails_even_above_the_target():
    result = gate_check(
        areas={"data": 4.0, "monitoring": 4.0},
        target=2.0,
        required={"monitor.skew": 0.5, "data.schema": 1.0},
    )
    assert not result.passes
    assert result.failing == (GateFailure("item", "monitor.skew", 0.5, 1.0),)
    assert result.failing[0].as_json() == {"item": "monitor.skew", "score": 0.5, "needs": 1.0}


def test_a_required_item_that_does_not_apply_does_not_hold_the_release():
    result = gate_check(areas={"data": 2.0}, target=2.0, required={"data.schema": None})
    assert result.passes


def test_scores_are_carried_to_four_decimals():
    result = gate_check(areas={"data": 1.0 / 3.0}, target=2.0)
    assert result.failing[0].as_json()["score"] == 0.3333


scores = st.one_of(st.none(), st.sampled_from([x / 2 for x in range(15)]))
points = st.one_of(st.none(), st.sampled_from([0.0, 0.5, 1.0]))


@given(
    areas=st.dictionaries(st.sampled_from(["data", "model", "infra", "mon"]), scores),
    required=st.dictionaries(st.sampled_from(["a.1", "b.2", "c.3"]), points),
    target=st.sampled_from([0.0, 1.0, 2.0, 3.5, 7.0]),
)
def test_the_gate_passes_exactly_when_nothing_fails(
    areas: dict[str, float | None], required: dict[str, float | None], target: float
) -> None:
    result = gate_check(areas=areas, target=target, required=required)
    scored = [s for s in areas.values() if s is not None]
    assert result.final == (min(scored) if scored else None)
    assert result.passes == (bool(scored) and not result.failing)
    if (
        result.final is not None
        and result.final >= target
        and all(p is None or p == 1.0 for p in required.values())
    ):
        assert result.passes
    for failure in result.failing:
        assert failure.score is not None and failure.score < failure.needs
