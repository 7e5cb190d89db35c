"""DESIGN §3: next steps."""

from scoring.next_steps import next_steps


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
