"""DESIGN §5: initiatives — whether a product meets a target, and the burn-up by day."""

from datetime import UTC, date, datetime

from scoring.initiatives import (
    Change,
    Submitted,
    Target,
    TargetKind,
    burn_up,
    days_between,
    product_meets_by_day,
    standing,
    standing_submission,
    submission_changes,
    submission_turns,
    verified_areas,
)
from scoring.verified import EvidenceRun

AREAS = {
    "data": [("d1", "1"), ("d2", "1")],
    "monitoring": [("m1", "0.5"), ("m2", "0")],
}
LAYOUT = [("data", ["d1", "d2"]), ("monitoring", ["m1", "m2"])]


class TestStanding:
    def test_final_target_reads_the_minimum_and_names_the_bottleneck(self) -> None:
        result = standing(Target(TargetKind.FINAL, 1.0), AREAS)
        assert (result.meets, result.score, result.bottlenecks) == (False, 0.5, ("monitoring",))
        assert [(s.item_key, s.target) for s in result.steps][:1] == [("m2", "0.5")]

    def test_final_target_met(self) -> None:
        assert standing(Target(TargetKind.FINAL, 0.5), AREAS).meets is True

    def test_area_target_reads_that_area_and_proposes_its_steps_only(self) -> None:
        result = standing(Target(TargetKind.AREA, 1.5, "monitoring"), AREAS)
        assert (result.meets, result.score) == (False, 0.5)
        assert {s.area_key for s in result.steps} == {"monitoring"}
        assert standing(Target(TargetKind.AREA, 2.0, "data"), AREAS).meets is True

    def test_item_target_at_one_or_at_half(self) -> None:
        assert standing(Target(TargetKind.ITEM, 1.0, "m1"), AREAS).meets is False
        assert standing(Target(TargetKind.ITEM, 0.5, "m1"), AREAS).meets is True
        step = standing(Target(TargetKind.ITEM, 1.0, "m1"), AREAS).steps[0]
        assert (step.item_key, step.current, step.target) == ("m1", "0.5", "1")

    def test_an_item_answered_na_needs_nothing(self) -> None:
        areas = {"monitoring": [("m1", "NA"), ("m2", "0")]}
        assert standing(Target(TargetKind.ITEM, 1.0, "m1"), areas).meets is True

    def test_incomplete_answers_meet_no_score_target(self) -> None:
        areas = {"data": [("d1", "1"), ("d2", None)]}
        result = standing(Target(TargetKind.AREA, 0.5, "data"), areas)
        assert (result.meets, result.score) == (False, None)

    def test_verified_values_lower_unbacked_ones(self) -> None:
        lowered = verified_areas(AREAS, {"d1"})
        assert lowered["data"] == [("d1", "1"), ("d2", "0.5")]
        assert standing(Target(TargetKind.AREA, 2.0, "data", verified=True), lowered).meets is False


class TestBurnUp:
    DAYS = days_between(date(2027, 1, 1), date(2027, 1, 4))

    def test_days_between_includes_both_ends(self) -> None:
        assert len(self.DAYS) == 4
        assert days_between(date(2027, 1, 2), date(2027, 1, 1)) == []

    def test_a_raised_answer_moves_the_count_from_its_day_on(self) -> None:
        start = [
            Change(date(2026, 12, 1), key, value)
            for key, value in [("d1", "1"), ("d2", "1"), ("m1", "0.5"), ("m2", "0")]
        ]
        raised = [*start, Change(date(2027, 1, 3), "m2", "1")]
        target = Target(TargetKind.AREA, 1.5, "monitoring")
        counts = burn_up(target, LAYOUT, {1: raised, 2: start}, self.DAYS)
        assert counts == [0, 0, 1, 1]

    def test_a_product_with_no_answers_yet_does_not_count(self) -> None:
        target = Target(TargetKind.FINAL, 0.0)
        assert product_meets_by_day(target, LAYOUT, [], self.DAYS) == [False] * 4

    def test_verified_target_counts_only_while_evidence_is_in_the_window(self) -> None:
        changes = [Change(date(2026, 12, 1), key, "1") for key in ("d1", "d2", "m1", "m2")]
        runs = [
            EvidenceRun(key, "pass", datetime(2027, 1, 2, 9, tzinfo=UTC)) for key in ("m1", "m2")
        ]
        target = Target(TargetKind.AREA, 2.0, "monitoring", verified=True)
        met = product_meets_by_day(target, LAYOUT, changes, self.DAYS, evidence=runs, window_days=1)
        assert met == [False, True, False, False]

    def test_error_runs_prove_nothing(self) -> None:
        changes = [Change(date(2026, 12, 1), key, "1") for key in ("d1", "d2", "m1", "m2")]
        runs = [EvidenceRun(k, "error", datetime(2027, 1, 1, tzinfo=UTC)) for k in ("m1", "m2")]
        target = Target(TargetKind.AREA, 2.0, "monitoring", verified=True)
        assert (
            product_meets_by_day(target, LAYOUT, changes, self.DAYS, evidence=runs) == [False] * 4
        )


class TestSubmissions:
    """Which submission stands on a day: the newest round's, the latest of it, until voided."""

    DAYS = days_between(date(2027, 1, 1), date(2027, 1, 6))
    HIGH = {"d1": "1", "d2": "1", "m1": "1", "m2": "1"}
    LOW = {"d1": "1", "d2": "1", "m1": "0", "m2": "0"}

    def _met(self, submissions: list[Submitted], values: dict[str, dict[str, str]]) -> list[int]:
        turns = submission_turns(submissions, self.DAYS)
        changes = submission_changes(LAYOUT, turns, values)
        target = Target(TargetKind.AREA, 2.0, "monitoring")
        return burn_up(target, LAYOUT, {1: changes}, self.DAYS)

    def test_a_submission_counts_from_its_day_and_a_resubmission_replaces_it(self) -> None:
        first = Submitted("a", (1, 1), date(2027, 1, 2))
        again = Submitted("b", (1, 2), date(2027, 1, 4))
        assert self._met([first, again], {"a": self.HIGH, "b": self.LOW}) == [0, 1, 1, 0, 0, 0]

    def test_a_voided_submission_leaves_the_previous_round_standing(self) -> None:
        before = Submitted("old", (0, 1), date(2026, 12, 1))
        voided = Submitted("new", (1, 1), date(2027, 1, 2), voided_on=date(2027, 1, 5))
        assert self._met([before, voided], {"old": self.HIGH, "new": self.LOW}) == [
            1,
            0,
            0,
            0,
            1,
            1,
        ]

    def test_turns_name_only_the_days_it_changes(self) -> None:
        only = Submitted("a", (1, 1), date(2027, 1, 3), voided_on=date(2027, 1, 5))
        assert submission_turns([only], self.DAYS) == [
            (date(2027, 1, 1), None),
            (date(2027, 1, 3), only),
            (date(2027, 1, 5), None),
        ]
        assert standing_submission([only], date(2027, 1, 4)) == only

    def test_standing_without_steps_gives_the_same_verdict(self) -> None:
        target = Target(TargetKind.FINAL, 1.0)
        full, bare = standing(target, AREAS), standing(target, AREAS, steps=False)
        assert (bare.meets, bare.score, bare.steps) == (full.meets, full.score, ())
        assert full.steps
