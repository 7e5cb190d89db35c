"""The raw score (N/A counted as 0) is never above the scored value, and the one built
from stored area sums equals the one computed from the answers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from scoring.raw import raw_card, raw_final
from scoring.rules import NA, Policy, score_card

VALUES = st.sampled_from(["0", "0.5", "1", NA])
AREAS = st.dictionaries(
    st.sampled_from(["data", "model", "infra", "monitoring"]),
    st.lists(VALUES, min_size=1, max_size=7),
    min_size=1,
)


def test_by_hand() -> None:
    areas = {"data": ["1", "1", NA], "model": ["1", "0.5", "1"]}
    assert score_card(areas).final == 2.5  # data rescaled: 2 × 3 / 2 = 3
    assert raw_card(areas).final == 2.0  # data with N/A as 0: 2
    assert raw_final([2.0, 2.5]) == 2.0
    assert raw_final([]) is None


@given(AREAS)
def test_raw_never_exceeds_the_score_and_matches_stored_sums(areas: dict) -> None:
    card = score_card(areas, Policy())
    raw = raw_card(areas)
    assert raw.final == raw_final(area.raw for area in card.areas.values())
    if card.final is not None:
        assert raw.final is not None and raw.final <= card.final + 1e-9
