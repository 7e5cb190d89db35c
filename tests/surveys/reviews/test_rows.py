"""The rows of the workbook's Reviews sheet: review state, raw score beside the scored
value, and N/A by approval state, per scored assessment."""

from __future__ import annotations

from typing import Any

from surveys.models import Answer, Item
from surveys.reviews import selectors, services
from tests.surveys.reviews.conftest import require_approval, submitted


def test_review_rows(version: Any, rnd: Any, cast: Any) -> None:
    require_approval(version)
    rnd.refresh_from_db()
    ours = submitted(rnd, cast.product, cast.member, {"data.i7": "NA", "monitoring.i7": "NA"})
    theirs = submitted(rnd, cast.other_product, cast.other_member, {"model.i6": "NA"})
    services.na_approve(
        answer=Answer.objects.get(assessment=ours, item__key="data.i7"), by=cast.admin
    )
    services.review_accept(assessment=theirs, by=cast.admin)
    services.review_query(
        assessment=ours,
        items=[Item.objects.get(version=version, key="infra.i1")],
        comment="?",
        by=cast.admin,
    )
    rows = {r.product: r for r in selectors.review_rows(round_ids=[rnd.pk])}
    assert rows["Ads Ctr"].state == "queried" and rows["Ads Ctr"].open_queries == 1
    assert rows["Ads Ctr"].na == {"approved": 1, "pending": 1, "rejected": 0}
    # Scored: N/A rescaled, every area 7; raw: data and monitoring count their N/A as 0.
    assert (rows["Ads Ctr"].final, rows["Ads Ctr"].raw) == (7.0, 6.0)
    assert rows["Search Rank"].state == "accepted" and rows["Search Rank"].accepted_by == "admin"
    assert rows["Search Rank"].na == {"approved": 0, "pending": 1, "rejected": 0}
    accepted = selectors.review_rows(round_ids=[rnd.pk], assessments=selectors.accepted_q())
    assert [r.product for r in accepted] == ["Search Rank"]
