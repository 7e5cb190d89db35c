"""Watches' fixtures: a product with a published questionnaire, and posts at set times."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from surveys.evidence.services import EvidenceIn, evidence_upsert
from tests import factories

T0 = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
def product(cast: Any, version: Any) -> Any:
    return cast.product


_runs = iter(range(1, 10**9))


def post(product: Any, item: str = "data.i1", outcome: str = "pass", at: datetime = T0) -> None:
    """One evidence post through the evidence service, as the API stores it."""
    evidence_upsert(
        records=[
            EvidenceIn(
                product_id=product.pk,
                item_key=item,
                outcome=outcome,
                observed_at=at,
                run_id=str(next(_runs)),
            )
        ],
        token=None,
    )


__all__ = ["T0", "factories", "post"]
