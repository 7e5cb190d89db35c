"""Every scoring rule of DESIGN §3 and §4, by name: an index of the ``scoring`` modules.

Pure Python: plain values in, plain dataclasses out, no Django. Each rule lives in one
module (values, areas, bands, verified, next_steps, regression, figures); this index lets
a caller import them from one place.
"""

from scoring.areas import (
    AreaScore,
    ScoreCard,
    SubmissionProblem,
    TooManyNa,
    Unanswered,
    bottlenecks,
    is_complete,
    na_limit_problems,
    score_area,
    score_card,
    submission_problems,
)
from scoring.bands import BAND_KEYS, BANDS, Band, band_meaning, band_of
from scoring.figures import DECIMALS, figure
from scoring.next_steps import NextStep, next_steps
from scoring.regression import AREA_DROP, FINAL_DROP, AreaDrop, Regression, regression_of
from scoring.values import (
    DEFAULT_MAX_NA_PER_AREA,
    NA,
    POINTS,
    VALUES,
    NaPolicy,
    Policy,
    normalize_value,
)
from scoring.verified import (
    RAN_OUTCOMES,
    EvidenceRun,
    Outcome,
    backed_keys,
    claimed_gap,
    lower_unbacked,
    verified_values,
)

__all__ = [
    "AREA_DROP",
    "BANDS",
    "BAND_KEYS",
    "DECIMALS",
    "DEFAULT_MAX_NA_PER_AREA",
    "FINAL_DROP",
    "NA",
    "POINTS",
    "RAN_OUTCOMES",
    "VALUES",
    "AreaDrop",
    "AreaScore",
    "Band",
    "EvidenceRun",
    "NaPolicy",
    "NextStep",
    "Outcome",
    "Policy",
    "Regression",
    "ScoreCard",
    "SubmissionProblem",
    "TooManyNa",
    "Unanswered",
    "backed_keys",
    "band_meaning",
    "band_of",
    "bottlenecks",
    "claimed_gap",
    "figure",
    "is_complete",
    "lower_unbacked",
    "na_limit_problems",
    "next_steps",
    "normalize_value",
    "regression_of",
    "score_area",
    "score_card",
    "submission_problems",
    "verified_values",
]
