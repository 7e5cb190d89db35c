"""DESIGN §3: answer values as people type them."""

import pytest

from scoring.values import NA, normalize_value


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
