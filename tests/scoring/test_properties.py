"""Properties the scoring rules must hold for every possible set of answers."""

from hypothesis import given
from hypothesis import strategies as st

from scoring.figures import figure
from scoring.regression import regression_of
from scoring.rules import NA, NaPolicy, Policy, score_area, score_card

ORDER = {"0": 0, "0.5": 1, "1": 2}
value = st.sampled_from(["0", "0.5", "1", NA])
policies = st.builds(Policy, st.sampled_from(list(NaPolicy)), st.integers(0, 7))
area = st.lists(value, min_size=1, max_size=9)
areas = st.dictionaries(st.sampled_from(["data", "model", "infra", "monitoring"]), area, min_size=1)


@given(areas, policies)
def test_final_is_never_above_any_area(answers: dict, policy: Policy) -> None:
    card = score_card(answers, policy)
    for a in card.areas.values():
        if a.score is not None:
            assert card.final is not None and card.final <= a.score


@given(areas, policies)
def test_final_is_one_of_the_area_scores(answers: dict, policy: Policy) -> None:
    card = score_card(answers, policy)
    scores = [a.score for a in card.areas.values() if a.score is not None]
    assert card.final == (min(scores) if scores else None)


@given(areas, policies, st.data())
def test_raising_one_answer_never_lowers_any_score(answers: dict, policy: Policy, data) -> None:
    key = data.draw(st.sampled_from(sorted(answers)))
    index = data.draw(st.integers(0, len(answers[key]) - 1))
    current = answers[key][index]
    higher = [v for v in ORDER if current in ORDER and ORDER[v] > ORDER[current]]
    if not higher:
        return
    raised = {**answers, key: [*answers[key]]}
    raised[key][index] = data.draw(st.sampled_from(higher))
    before, after = score_card(answers, policy), score_card(raised, policy)
    assert after.final is not None and before.final is not None
    assert after.final >= before.final
    for k in answers:
        b, a = before.areas[k].score, after.areas[k].score
        if b is not None:
            assert a is not None and a >= b


@given(st.lists(st.sampled_from(["0", "0.5", "1"]), min_size=1, max_size=9))
def test_rescale_of_an_all_applicable_area_is_its_plain_sum(values: list) -> None:
    expected = sum(ORDER[v] for v in values) / 2
    assert score_area("a", values, Policy(NaPolicy.RESCALE)).score == expected


@given(area)
def test_rescaled_area_stays_on_the_0_to_n_scale(values: list) -> None:
    scored = score_area("a", values, Policy(NaPolicy.RESCALE))
    if scored.score is not None:
        assert 0 <= scored.score <= len(values)
        assert scored.score >= scored.raw


@given(area)
def test_drop_never_scores_above_rescale(values: list) -> None:
    rescaled = score_area("a", values, Policy(NaPolicy.RESCALE)).score
    dropped = score_area("a", values, Policy(NaPolicy.DROP)).score
    assert (rescaled is None) == (dropped is None)
    if rescaled is not None and dropped is not None:
        assert dropped <= rescaled


@given(areas, policies)
def test_the_bottlenecks_are_exactly_the_areas_at_the_final(answers: dict, policy: Policy) -> None:
    card = score_card(answers, policy)
    at_final = {
        k for k, a in card.areas.items() if card.final is not None and a.score == card.final
    }
    assert set(card.bottlenecks) == at_final
    assert (card.final is None) == (card.bottlenecks == ())


half_steps = st.integers(0, 14).map(lambda n: n / 2)
area_scores = st.dictionaries(st.sampled_from(["data", "model", "infra"]), half_steps)


@given(half_steps, half_steps, area_scores, area_scores)
def test_a_regression_is_a_fall_of_one_overall_or_two_in_an_area(
    previous: float, final: float, previous_areas: dict, current_areas: dict
) -> None:
    found = regression_of(
        final=final, areas=current_areas, previous_final=previous, previous_areas=previous_areas
    )
    fell = {
        k for k, v in current_areas.items() if k in previous_areas and previous_areas[k] - v >= 2
    }
    assert (found is not None) == (previous - final >= 1 or bool(fell))
    if found is not None:
        assert set(found.areas) == fell
        assert found.final_drop == previous - final


@given(half_steps)
def test_figures_never_move_by_more_than_the_rounding(value: float) -> None:
    shown = figure(value / 3)
    assert shown is not None and abs(shown - value / 3) <= 0.00005
