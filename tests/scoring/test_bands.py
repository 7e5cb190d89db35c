"""DESIGN §3: bands of a final score and their meaning."""

import pytest

from scoring.bands import BAND_KEYS, band_meaning, band_of


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

    def test_a_band_key_gives_its_meaning(self) -> None:
        assert band_meaning("(3,5]").startswith("Strong levels")
        assert band_meaning("nonsense") == ""
