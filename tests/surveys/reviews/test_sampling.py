"""The calibration sample: Efraimidis–Spirakis keys from a seeded generator, weighted
towards claimed − verified gaps and jumps since the previous round."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest

from surveys.core.errors import ApplicationError
from surveys.models import ReviewStep, RoundStatus, SamplePick, StepKind
from surveys.reviews import selectors, services
from surveys.reviews.sampling import Candidate, draw, reasons, weight_of
from tests import factories
from tests.surveys.reviews.conftest import submitted

A = Candidate(1, gap=0.0, jump=None)  # w = 1
B = Candidate(2, gap=1.0, jump=None)  # w = 1 + 2 × 1.0 = 3
C = Candidate(3, gap=None, jump=-2.0)  # w = 1 + |−2| = 3
D = Candidate(4, gap=1.5, jump=1.0)  # w = 1 + 2 × 1.5 + 1 = 5


def test_weights_by_hand() -> None:
    assert [weight_of(c) for c in (A, B, C, D)] == [1.0, 3.0, 3.0, 5.0]
    # A verified score above the claimed one (negative gap) earns no extra weight.
    assert weight_of(Candidate(5, gap=-1.0, jump=0.0)) == 1.0


def test_seeded_draw_matches_hand_computed_keys() -> None:
    # random.Random(7) gives u = 0.32383, 0.15085, 0.65093, 0.07244 for ids 1..4, so the
    # keys u ** (1 / w) are 0.32383, 0.15085 ** (1/3) = 0.53233, 0.65093 ** (1/3) = 0.86665,
    # 0.07244 ** (1/5) = 0.59155: C, then D, then B, then A.
    picks = draw([D, C, B, A], 2, seed=7)
    assert [p.candidate.assessment_id for p in picks] == [3, 4]
    assert [round(p.key, 5) for p in picks] == [0.86665, 0.59155]
    assert [p.rank for p in picks] == [1, 2]
    # Unweighted, the same u would have drawn C and A: the gap of D displaced A.
    flat = [Candidate(c.assessment_id, None, None) for c in (A, B, C, D)]
    assert [p.candidate.assessment_id for p in draw(flat, 2, seed=7)] == [3, 1]


def test_same_seed_same_picks_and_weights_shift_the_odds() -> None:
    assert draw([A, B, C, D], 3, seed=11) == draw([D, C, B, A], 3, seed=11)
    # Over 2,000 seeded draws of one, D (w 5 of 12) is drawn about 5/12 of the time, A 1/12.
    counts = Counter(draw([A, B, C, D], 1, seed=s)[0].candidate.assessment_id for s in range(2000))
    assert 0.37 < counts[4] / 2000 < 0.46
    assert 0.06 < counts[1] / 2000 < 0.11


def test_reasons_name_notable_gaps_and_jumps() -> None:
    assert reasons(1.0, 0.7) == ["gap", "jump_up"]
    assert reasons(0.2, -1.0) == ["jump_down"]
    assert reasons(None, None) == []


@pytest.fixture
def two_rounds(version: Any, cast: Any) -> tuple[Any, list[Any]]:
    """A closed round and an open one: four products submitted in the open round."""
    old = factories.make_round(
        version, label="2026-04", opens_on=dt.date(2026, 4, 1), status=RoundStatus.CLOSED
    )
    new = factories.make_round(version, label="2026-10")
    products = [cast.product, cast.other_product] + [
        factories.ProductFactory(slug=f"p{n}") for n in range(2)
    ]
    for product in products:
        factories.make_assessment(old, product, default="0.5", status="submitted")
    factories.score_round(old)
    # Every 1 is unbacked (no evidence): claimed 7.0 per area → verified 3.5, a gap of 3.5.
    assessments = [submitted(new, products[0], cast.admin)]
    assessments += [submitted(new, p, cast.admin, {}) for p in products[1:2]]
    assessments += [
        submitted(
            new,
            p,
            cast.admin,
            {
                f"{a}.i{n}": "0.5"
                for a in ("data", "model", "infra", "monitoring")
                for n in range(1, 8)
            },
        )
        for p in products[2:]
    ]
    return new, assessments


def test_sample_draw_is_stored_with_reasons_and_excludes_earlier_picks(
    two_rounds: Any, cast: Any
) -> None:
    rnd, assessments = two_rounds
    sample = services.sample_draw(round=rnd, size=2, seed=3, by=cast.admin)
    picks = list(sample.picks.order_by("rank"))
    candidates, _ = selectors.sample_candidates(rnd)
    assert len(picks) == 2 and len(candidates) == 2  # the picked are not candidates again
    assert [p.assessment_id for p in picks] == [
        p.candidate.assessment_id
        for p in draw(
            [
                Candidate(a.pk, a.final_score - a.verified_score, a.final_score - 3.5)
                for a in assessments
            ],
            2,
            seed=3,
        )
    ]
    first = assessments[0]
    assert (first.final_score, first.verified_score) == (7.0, 3.5)
    pick = SamplePick.objects.filter(assessment=first).first() or SamplePick(
        gap=3.5, jump=3.5, previous_label="2026-04", weight=1 + 7 + 3.5
    )
    assert selectors.pick_reason(pick) == (
        "claimed score 3.50 above the verified score; rose 3.50 since round 2026-04 · weight 11.50"
    )
    assert ReviewStep.objects.filter(kind=StepKind.SAMPLED).count() == 2
    services.sample_draw(round=rnd, size=5, seed=4, by=cast.admin)
    assert SamplePick.objects.filter(sample__round=rnd).count() == 4
    with pytest.raises(ApplicationError, match="No submitted assessment is left"):
        services.sample_draw(round=rnd, size=1, seed=5, by=cast.admin)


def test_sample_size_and_permission_are_checked(two_rounds: Any, cast: Any) -> None:
    rnd, _ = two_rounds
    with pytest.raises(ApplicationError, match="Draw 1 to 1000"):
        services.sample_draw(round=rnd, size=0, by=cast.admin)
    with pytest.raises(ApplicationError, match="Only MLOps admins"):
        services.sample_draw(round=rnd, size=1, by=cast.manager)
