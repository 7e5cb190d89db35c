"""DESIGN §3: area scores, the final score, the bottleneck, submission problems."""

import pytest

from scoring.areas import (
    TooManyNa,
    Unanswered,
    bottlenecks,
    is_complete,
    na_limit_problems,
    score_area,
    score_card,
    submission_problems,
)
from scoring.values import NA, NaPolicy, Policy

RESCALE = Policy(NaPolicy.RESCALE)
DROP = Policy(NaPolicy.DROP)


def full(value: str, n: int = 7) -> list[str | None]:
    return [value] * n


class TestAreaScore:
    def test_area_score_is_the_sum_of_its_items(self) -> None:
        area = score_area("data", ["1", "1", "0.5", "0", "0.5", "1", "0"], RESCALE)
        assert area.raw == 4.0
        assert area.score == 4.0

    def test_rescale_judges_the_area_on_the_items_that_apply(self) -> None:
        # 6 applicable items scoring 3 → 3 * 7 / 6 = 3.5
        area = score_area("data", ["1", "1", "0.5", "0.5", "0", "0", NA], RESCALE)
        assert area.applicable == 6
        assert area.raw == 3.0
        assert area.score == pytest.approx(3.5)

    def test_drop_lets_na_earn_nothing(self) -> None:
        area = score_area("data", ["1", "1", "0.5", "0.5", "0", "0", NA], DROP)
        assert area.score == 3.0
        assert (area.raw, area.applicable) == (3.0, 6)

    def test_area_with_no_applicable_item_has_no_score(self) -> None:
        assert score_area("data", full(NA, 3), RESCALE).score is None
        assert score_area("data", full(NA, 3), DROP).score is None

    def test_incomplete_area_has_no_score(self) -> None:
        area = score_area("data", ["1", None, "1"], RESCALE)
        assert area.score is None
        assert area.answered == 2


class TestFinalScore:
    def test_final_is_the_minimum_of_the_areas(self) -> None:
        card = score_card(
            {"data": full("1"), "model": full("0.5"), "infra": full("1"), "monitoring": full("1")}
        )
        assert card.final == 3.5
        assert card.bottlenecks == ("model",)

    def test_an_area_without_score_is_left_out_of_the_minimum(self) -> None:
        policy = Policy(NaPolicy.RESCALE, max_na_per_area=7)
        card = score_card({"data": full(NA), "model": full("0.5")}, policy)
        assert card.final == 3.5
        assert card.areas["data"].score is None

    def test_every_tied_area_is_a_bottleneck(self) -> None:
        card = score_card({"data": full("0"), "model": full("0"), "infra": full("1")})
        assert card.final == 0
        assert card.bottlenecks == ("data", "model")

    def test_only_complete_assessments_are_scored(self) -> None:
        card = score_card({"data": [*full("1", 6), None], "model": full("1")})
        assert not card.complete
        assert card.final is None and card.band is None
        assert card.answered == 13 and card.total == 14

    def test_all_na_everywhere_has_no_final_score(self) -> None:
        assert score_card({"data": full(NA)}, Policy(max_na_per_area=7)).final is None


class TestBottleneck:
    def test_the_bottleneck_is_every_area_at_the_final_score(self) -> None:
        assert bottlenecks({"data": 2.0, "model": 1.5, "infra": 1.5}, 1.5) == ("model", "infra")

    def test_an_area_without_score_is_never_the_bottleneck(self) -> None:
        assert bottlenecks({"data": None, "model": 1.0}, 1.0) == ("model",)

    def test_no_final_score_has_no_bottleneck(self) -> None:
        assert bottlenecks({"data": 1.0}, None) == ()


class TestNaLimit:
    def test_more_na_than_allowed_in_one_area_is_refused(self) -> None:
        areas = {"data": [NA, NA, NA, NA, "1", "1", "1"], "model": full("1")}
        assert na_limit_problems(areas, RESCALE) == {"data": 4}
        assert submission_problems(areas, RESCALE) == [TooManyNa("data", 4, 3)]

    def test_the_limit_itself_is_allowed(self) -> None:
        areas = {"data": [NA, NA, NA, "1", "1", "1", "1"]}
        assert submission_problems(areas, RESCALE) == []

    def test_unanswered_items_block_submission(self) -> None:
        problems = submission_problems({"data": ["1", None, None]}, RESCALE)
        assert problems == [Unanswered(2)]

    def test_every_problem_is_listed(self) -> None:
        areas = {"data": [NA, NA, NA, NA, None, "1", "1"]}
        assert submission_problems(areas, RESCALE) == [Unanswered(1), TooManyNa("data", 4, 3)]


class TestComplete:
    def test_complete_means_every_item_has_a_value_or_na(self) -> None:
        assert is_complete(["1", NA, "0"])
        assert not is_complete(["1", None, "0"])
        assert is_complete([])
