"""DESIGN §3, rule by rule."""

from datetime import UTC, datetime, timedelta

import pytest

from scoring.rules import (
    BAND_KEYS,
    NA,
    EvidenceRun,
    NaPolicy,
    Policy,
    band_of,
    na_limit_problems,
    next_steps,
    normalize_value,
    score_area,
    score_card,
    submission_problems,
    verified_values,
)

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


class TestBands:
    @pytest.mark.parametrize(
        ("score", "band"),
        [
            (0, "0"),
            (0.5, "(0,1]"),
            (1, "(0,1]"),
            (1.5, "(1,2]"),
            (2, "(1,2]"),
            (2.01, "(2,3]"),
            (3, "(2,3]"),
            (3.5, "(3,5]"),
            (5, "(3,5]"),
            (5.5, ">5"),
            (7, ">5"),
        ],
    )
    def test_band_edges_are_inclusive_above(self, score: float, band: str) -> None:
        assert band_of(score).key == band

    def test_bands_carry_the_rubric_meaning(self) -> None:
        assert band_of(0).meaning.startswith("More of a research project")
        assert band_of(6).meaning.startswith("Exceptional levels")
        assert BAND_KEYS == ("0", "(0,1]", "(1,2]", "(2,3]", "(3,5]", ">5")


class TestNaLimit:
    def test_more_na_than_allowed_in_one_area_is_refused(self) -> None:
        areas = {"data": [NA, NA, NA, NA, "1", "1", "1"], "model": full("1")}
        assert na_limit_problems(areas, RESCALE) == {"data": 4}
        problems = submission_problems(areas, RESCALE, {"data": "Features and data"})
        assert problems == ["Features and data: 4 items are N/A, at most 3 are allowed per area."]

    def test_the_limit_itself_is_allowed(self) -> None:
        areas = {"data": [NA, NA, NA, "1", "1", "1", "1"]}
        assert submission_problems(areas, RESCALE) == []

    def test_unanswered_items_block_submission(self) -> None:
        problems = submission_problems({"data": ["1", None, None]}, RESCALE)
        assert problems == ["2 item(s) are still unanswered; answer every item to submit."]


class TestNormalize:
    @pytest.mark.parametrize(
        ("raw", "value"),
        [
            ("0", "0"),
            ("0.5", "0.5"),
            ("1", "1"),
            ("1.0", "1"),
            (1, "1"),
            (0.5, "0.5"),
            ("NA", NA),
            ("n/a", NA),
            ("N/A", NA),
            ("対象外", NA),
            ("", None),
            ("  ", None),
            (None, None),
        ],
    )
    def test_accepted_spellings(self, raw: object, value: str | None) -> None:
        assert normalize_value(raw) == value

    @pytest.mark.parametrize(
        "raw",
        # only the spellings of DESIGN §6.2: no exponent, sign, other digits or zeros
        [
            *("2", "yes", "0.25", "-1", True, "1e0", "+1", "-0", "١", "１", ".5", "0.0"),
            *("1.00", "0,5", "½", "NaN", "inf", float("nan"), float("inf"), -1, 2, "N A"),
            "ＮＡ",
        ],
    )
    def test_anything_else_is_refused(self, raw: object) -> None:
        with pytest.raises(ValueError, match="not an answer"):
            normalize_value(raw)


class TestVerified:
    opened = datetime(2026, 10, 1, tzinfo=UTC)
    window = (opened - timedelta(days=90), opened + timedelta(days=30))

    def run(self, key: str, outcome: str, days: int = 0) -> EvidenceRun:
        return EvidenceRun(key, outcome, self.opened + timedelta(days=days))

    def test_a_one_without_evidence_counts_half(self) -> None:
        assert verified_values({"a": "1", "b": "0.5"}, [], self.window) == {"a": "0.5", "b": "0.5"}

    def test_pass_and_fail_both_prove_the_check_ran(self) -> None:
        runs = [self.run("a", "pass"), self.run("b", "fail")]
        assert verified_values({"a": "1", "b": "1"}, runs, self.window) == {"a": "1", "b": "1"}

    def test_error_proves_nothing(self) -> None:
        assert verified_values({"a": "1"}, [self.run("a", "error")], self.window) == {"a": "0.5"}

    def test_evidence_outside_the_window_does_not_count(self) -> None:
        runs = [self.run("a", "pass", days=-91), self.run("b", "pass", days=31)]
        assert verified_values({"a": "1", "b": "1"}, runs, self.window) == {"a": "0.5", "b": "0.5"}

    def test_evidence_never_raises_a_lower_answer(self) -> None:
        runs = [self.run("a", "pass")]
        assert verified_values({"a": "0", "n": NA}, runs, self.window) == {"a": "0", "n": NA}


class TestNextSteps:
    def test_the_steps_lift_the_bottleneck_area_cheapest_first(self) -> None:
        areas = {
            "data": [("d1", "1"), ("d2", "1")],
            "model": [("m1", "0.5"), ("m2", "0")],
        }
        steps = next_steps(areas)
        assert [(s.item_key, s.current, s.target) for s in steps] == [
            ("m2", "0", "0.5"),
            ("m1", "0.5", "1"),
        ]
        assert steps[0].final_gain == 0.5

    def test_tied_bottlenecks_rank_their_items_first(self) -> None:
        areas = {"data": [("d1", "0")], "model": [("m1", "0")], "infra": [("i1", "0.5")]}
        steps = next_steps(areas)
        assert {s.area_key for s in steps} == {"data", "model"}
        assert all(s.final_gain == 0 for s in steps)

    def test_incomplete_assessment_has_no_next_steps(self) -> None:
        assert next_steps({"data": [("d1", None)]}) == []


def test_the_rules_module_imports_no_django() -> None:
    import ast
    import pathlib

    import scoring.rules

    tree = ast.parse(pathlib.Path(scoring.rules.__file__).read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (
            node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
        )
    }
    assert "django" not in imported
    assert imported <= {"__future__", "enum", "collections", "dataclasses", "datetime"}
