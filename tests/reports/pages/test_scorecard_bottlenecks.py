"""the product scorecard and bottleneck analytics, checked against
figures computed by hand from the fixture of ``conftest.py``, for the whole cast."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.test import Client

from reports.figures.bottlenecks import capped_counts, next_step_counts
from reports.figures.selectors import rounds_of
from surveys.models import ApiToken, Assessment, Product, Profile, Questionnaire
from surveys.tokens.authentication import token_generate

pytestmark = pytest.mark.django_db
PAGES = ["/reports/scorecard/", "/reports/bottlenecks/", "/reports/scorecard.csv"]


def client_for(user: Any, lang: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    if user is not None:
        client.force_login(user)
    return client


def table_rows(html: str, table_id: str) -> list[list[str]]:
    body = html[html.index(f'id="{table_id}"') :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def rounds() -> dict[str, Any]:
    return {info.label: info for info in rounds_of(Questionnaire.objects.get(key="mlts"))}


def test_areas_capping_products_per_round_by_hand(org: Any) -> None:
    infos = rounds()
    counts = capped_counts(round_ids=[i.id for i in infos.values()])
    # 2021-10: p1 model (3.0 / 2.0); p2, p3 (model has no score), p5 data
    assert dict(counts[infos["2021-10"].id]) == {"data": 3, "model": 1}
    # 2022-04: p1 data; p3 and p4 tie (both areas count); p6 model
    assert dict(counts[infos["2022-04"].id]) == {"data": 3, "model": 3}


def test_items_in_next_steps_by_hand(org: Any) -> None:
    counts, products = next_step_counts(info=rounds()["2022-04"])
    # p1 and p4 have nothing to improve in their bottleneck; p3 ties (.5 everywhere,
    # drop policy): its first five items; p6's model.i1 (0.5 → 1) lifts its minimum.
    assert products == 4
    assert dict(counts) == {
        "data.i1": 1,
        "data.i2": 1,
        "data.i3": 1,
        "model.i1": 2,
        "model.i2": 1,
    }


def test_the_bottleneck_page_names_areas_and_items(org: Any, cast: Any) -> None:
    html = client_for(cast.manager).get("/reports/bottlenecks/").content.decode()
    assert "Items most often in products' next steps, 2022-04" in html
    steps = table_rows(html, "next-steps")
    assert steps[0][:3] == ["M1 model practice 1", "Model", "2"]
    departments = table_rows(html, "department-caps")
    # 2022-04 by top department: Ads (p1 data; p3 in Ads ML ties), Search (p4 ties, p6 model)
    assert departments == [["Ads", "2", "2", "1"], ["Search", "2", "1", "2"]]


def test_the_scorecard_by_hand(org: Any, cast: Any) -> None:
    html = client_for(cast.manager).get("/reports/scorecard/", {"sort": "-final"}).content.decode()
    rows = {r[0]: r for r in table_rows(html, "scorecard")}
    # product, department, phase, final, band, verified, gap, bottleneck, change, open, activity
    assert rows["P4"][3:9] == [
        "3.00",
        "Reasonably tested (score 2–3)",
        "1.50",
        "1.50",
        "Data / Model",
        "—",
    ]
    assert (
        rows["P3"][3:5] == ["1.50", "First pass at production (score 1–2)"]
        and "-1.50" in rows["P3"][8]
    )
    assert rows["P1"][7] == "Data" and "0.00" in rows["P1"][8]
    assert rows["P6"][7] == "Model"
    assert rows["P2"][3] == "—"  # not scored in 2022-04
    order = [r[0] for r in table_rows(html, "scorecard")]
    assert order[:4] == ["P4", "P1", "P3", "P6"]  # sorted by final score, highest first
    assert '<a href="/products/p4/">P4</a>' in html


def test_the_scorecard_shows_phases_by_name_and_activity_in_the_readers_zone(
    org: Any, cast: Any
) -> None:
    """Last activity is the latest change of any of the product's assessments, as a date
    in the reader's time zone, with the exact moment in its ``datetime``."""
    late = dt.datetime(2022, 4, 30, 20, 30, tzinfo=dt.UTC)  # 1 May, 05:30 in Tokyo
    Assessment.objects.filter(product=org.products["p4"]).update(updated_at=late)
    Product.objects.filter(pk=org.products["p6"].pk).update(phase="poc")
    for lang, poc in (("en", "Proof of concept"), ("ja", "PoC")):
        Profile.objects.update_or_create(
            user=cast.manager, defaults={"time_zone": "Asia/Tokyo", "language": lang}
        )
        html = client_for(cast.manager).get("/reports/scorecard/").content.decode()
        rows = {r[0]: r for r in table_rows(html, "scorecard")}
        assert rows["P4"][10] == "2022-05-01"
        assert rows["P6"][2] == poc and rows["P4"][2] != poc
    assert '<time datetime="2022-05-01T05:30:00+09:00">2022-05-01</time>' in html


def test_the_scorecard_filters_by_band_and_name(org: Any, cast: Any) -> None:
    client = client_for(cast.manager)
    html = client.get("/reports/scorecard/", {"band": "(1,2]"}).content.decode()
    assert [r[0] for r in table_rows(html, "scorecard")] == ["P1", "P3"]
    html = client.get("/reports/scorecard/", {"q": "p6"}).content.decode()
    assert [r[0] for r in table_rows(html, "scorecard")] == ["P6"]
    assert client.get("/reports/scorecard/", {"band": "huge"}).status_code == 400


def test_the_scorecard_csv_has_bom_keys_and_names(org: Any, cast: Any) -> None:
    response = client_for(cast.manager).get("/reports/scorecard.csv", {"sort": "name"})
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    p3 = next(r for r in rows if r[0] == "p3")
    assert p3[1:6] == ["P3", "Ads ML", "production", "2022-04", "1.5"]
    assert p3[9:12] == ["data model", "Data / Model", "-1.5"]


def test_a_member_sees_only_their_products_and_departments(org: Any, cast: Any) -> None:
    org.products["p3"].members.add(cast.member)
    html = client_for(cast.member).get("/reports/scorecard/").content.decode()
    names = {r[0] for r in table_rows(html, "scorecard")}
    assert "P3" in names and not names & {"P1", "P2", "P4", "P5", "P6"}
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(
                    client_for(cast.member).get("/reports/scorecard.csv").streaming_content
                ).decode("utf-8-sig")
            )
        )
    )
    assert {r[0] for r in rows[1:]} <= {"p3", "ads-ctr"}
    # another product's member sees none of them
    html = client_for(cast.other_member).get("/reports/scorecard/").content.decode()
    assert not {r[0] for r in table_rows(html, "scorecard")} & {"P1", "P3", "P4"}
    html = client_for(cast.other_member).get("/reports/bottlenecks/").content.decode()
    assert ">Ads<" not in html and ">P3<" not in html


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["member", "other_member", "manager", "admin"])
def test_every_new_page_answers_the_cast(org: Any, cast: Any, url: str, who: str) -> None:
    assert client_for(getattr(cast, who)).get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_and_ci_tokens_are_sent_to_log_in(org: Any, cast: Any, url: str) -> None:
    raw, prefix, key_hash = token_generate()
    ApiToken.objects.create(product=cast.other_product, name="ci", prefix=prefix, key_hash=key_hash)
    for client in (Client(), Client(HTTP_AUTHORIZATION=f"Bearer {raw}")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_new_pages_speak_japanese(org: Any, cast: Any) -> None:
    html = client_for(cast.manager, "ja").get("/reports/scorecard/").content.decode()
    assert "プロダクトスコアカード" in html and "ボトルネック領域" in html
    html = client_for(cast.manager, "ja").get("/reports/bottlenecks/").content.decode()
    assert "最終スコアを抑えているもの" in html


def test_a_score_change_is_a_change_in_value_in_japanese(org: Any, cast: Any) -> None:
    """ "Change" of a score is 変化 (how much it moved), not 変更 (an edit), which the same
    English word means on the language switch."""
    for url in ("/reports/scorecard/", "/reports/departments/"):
        html = client_for(cast.manager, "ja").get(url).content.decode()
        assert ">変化<" in html, url
        assert ">変更<" not in html.split("<main", 1)[1], url
