"""Reports gain "accepted by review only" as a filter, and the workbook a Reviews sheet
(point 4)."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from surveys.models import Answer, Item
from surveys.reviews import services
from tests.surveys.reviews.conftest import require_approval, submitted


def _setup(version: Any, rnd: Any, cast: Any) -> tuple[Any, Any]:
    require_approval(version)
    rnd.refresh_from_db()
    ours = submitted(rnd, cast.product, cast.member, {"data.i7": "NA", "monitoring.i1": "0.5"})
    theirs = submitted(rnd, cast.other_product, cast.other_member)
    services.na_approve(
        answer=Answer.objects.get(assessment=ours, item__key="data.i7"), by=cast.admin
    )
    services.review_accept(assessment=theirs, by=cast.admin)
    services.review_query(
        assessment=ours,
        items=[Item.objects.get(version=version, key="monitoring.i1")],
        comment="?",
        by=cast.admin,
    )
    return ours, theirs


def test_accepted_only_narrows_the_reports(
    version: Any, rnd: Any, cast: Any, client_for: Any
) -> None:
    _setup(version, rnd, cast)
    manager = client_for("manager")
    everything = manager.get("/reports/", {"questionnaire": "mlts"}).context["report"]
    accepted = manager.get("/reports/", {"questionnaire": "mlts", "accepted": "1"})
    assert everything.trend.rows[-1]["scored"] == 2
    assert accepted.context["report"].trend.rows[-1]["scored"] == 1
    assert accepted.context["report"].trend.rows[-1]["final"]["mean"] == 7.0
    html = accepted.content.decode()
    assert 'id="f-accepted" name="accepted" type="checkbox" value="1" checked' in html
    # the workbook link keeps the filter
    assert "accepted=1" in html.split("Download workbook")[0].rsplit("href=", 1)[1]


def sheet(response: Any, name: str) -> list[list[Any]]:
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    return [list(row) for row in book[name].iter_rows(values_only=True)]


def test_the_workbook_has_a_reviews_sheet(
    version: Any, rnd: Any, cast: Any, client_for: Any
) -> None:
    _setup(version, rnd, cast)
    rows = sheet(
        client_for("manager").get("/reports/export.xlsx", {"questionnaire": "mlts"}), "Reviews"
    )
    assert rows[0][:10] == [
        "round",
        "product",
        "department",
        "review",
        "final",
        "raw (N/A as 0)",
        "verified",
        "N/A approved",
        "N/A pending",
        "N/A rejected",
    ]
    by_product = {row[1]: row for row in rows[1:]}
    assert by_product["Ads Ctr"][3:11] == ["Queried", 6.5, 6.0, 3.5, 1, 0, 0, None]
    assert by_product["Search Rank"][3] == "Accepted"
    assert by_product["Search Rank"][12] == "admin"
    accepted = sheet(
        client_for("manager").get(
            "/reports/export.xlsx", {"questionnaire": "mlts", "accepted": "1"}
        ),
        "Reviews",
    )
    assert [row[1] for row in accepted[1:]] == ["Search Rank"]
    # A respondent's workbook lists their own products' rows only (DESIGN §7).
    own = sheet(
        client_for("member").get("/reports/export.xlsx", {"questionnaire": "mlts"}), "Reviews"
    )
    assert [row[1] for row in own[1:]] == ["Ads Ctr"]
