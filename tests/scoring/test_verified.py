"""DESIGN §3: verified values from evidence."""

from datetime import UTC, datetime, timedelta

from scoring.values import NA
from scoring.verified import EvidenceRun, backed_keys, verified_values


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

    def test_the_window_includes_its_edges(self) -> None:
        start, end = self.window
        runs = [EvidenceRun("a", "pass", start), EvidenceRun("b", "fail", end)]
        assert backed_keys(runs, self.window) == {"a", "b"}


def test_the_gap_is_claimed_minus_verified_and_needs_both() -> None:
    from scoring.verified import claimed_gap

    assert claimed_gap(3.0, 2.5) == 0.5
    assert claimed_gap(2.0, 2.0) == 0.0
    assert claimed_gap(None, 1.0) is None
    assert claimed_gap(2.0, None) is None
