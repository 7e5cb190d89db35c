"""The rubric's interpretation table of a final score (DESIGN §3)."""

from __future__ import annotations

from dataclasses import dataclass


def gettext_noop(message: str) -> str:
    """Marks a meaning for the translation catalogue (``makemessages`` looks for this
    name) without importing Django: the pages translate it when they show it."""
    return message


@dataclass(frozen=True)
class Band:
    key: str
    meaning: str


# Lowest first. Upper bounds are inclusive.
BANDS: tuple[Band, ...] = (
    Band("0", gettext_noop("More of a research project than a productionized system.")),
    Band(
        "(0,1]",
        gettext_noop(
            "Not totally untested, but it is worth considering the possibility of "
            "serious holes in reliability."
        ),
    ),
    Band(
        "(1,2]",
        gettext_noop(
            "There has been first pass at basic productionization, but additional "
            "investment may be needed."
        ),
    ),
    Band(
        "(2,3]",
        gettext_noop(
            "Reasonably tested, but it is possible that more of those tests and "
            "procedures may be automated."
        ),
    ),
    Band(
        "(3,5]",
        gettext_noop(
            "Strong levels of automated testing and monitoring, appropriate for "
            "mission-critical systems."
        ),
    ),
    Band(">5", gettext_noop("Exceptional levels of automated testing and monitoring.")),
)
BAND_KEYS: tuple[str, ...] = tuple(band.key for band in BANDS)
_BAND_UPPER: tuple[float, ...] = (0.0, 1.0, 2.0, 3.0, 5.0)


def band_of(score: float) -> Band:
    """The band of a final score: `0`, `(0,1]`, `(1,2]`, `(2,3]`, `(3,5]`, `>5`."""
    for band, upper in zip(BANDS, _BAND_UPPER, strict=False):
        if score <= upper:
            return band
    return BANDS[-1]


def band_meaning(key: str) -> str:
    """The rubric's meaning of a band key, in English (empty for an unknown key)."""
    return next((band.meaning for band in BANDS if band.key == key), "")


# The short name of each band, from the first words of its meaning in the rubric: what
# people read where a band is shown (DESIGN §5: names, never keys like "(2,3]").
BAND_NAMES: dict[str, str] = {
    "0": gettext_noop("Research project"),
    "(0,1]": gettext_noop("Not totally untested"),
    "(1,2]": gettext_noop("First pass at production"),
    "(2,3]": gettext_noop("Reasonably tested"),
    "(3,5]": gettext_noop("Strong automated testing"),
    ">5": gettext_noop("Exceptional automated testing"),
}


def band_name(key: str) -> str:
    """The short name of a band key, in English (the key itself for an unknown one)."""
    return BAND_NAMES.get(key, key)
