"""Report pages (DESIGN §5) for the whole permission cast."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from reports.figures import selectors
from reports.figures.services import round_report_store
from surveys.models import RoundReport
from tests import factories

pytestmark = pytest.mark.django_db
PAGES = ["/reports/", "/reports/departments/", "/reports/phases/", "/reports/items/"]


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def figures_of(response: Any) -> dict[str, Any]:
    """The Plotly figures a page embeds, by chart id."""
    html = response.content.decode()
    found = re.findall(
        r'<script id="(chart-[\w-]+)-data" type="application/json">(.*?)</script>', html, re.S
    )
    return {chart_id: json.loads(body) for chart_id, body in found}


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(org: Any, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["member", "other_member", "manager", "admin"])
def test_every_page_answers_the_cast(org: Any, cast: Any, url: str, who: str) -> None:
    response = client_for(getattr(cast, who)).get(url)
    assert response.status_code == 200
    charts = figures_of(response)
    assert charts, "every page draws at least one chart"
    for figure in charts.values():
        assert figure["layout"]["title"]["text"]
    assert b"vendor/plotly-cartesian.min.js" in response.content  # the partial bundle
    # nothing is loaded from the internet: every script comes from the app's static files
    scripts = re.findall(r'<script[^>]* src="([^"]+)"', response.content.decode())
    assert scripts and all(src.startswith("/static/") for src in scripts)


def test_the_trend_page_draws_all_products_and_cohort(org: Any, cast: Any) -> None:
    response = client_for(cast.manager).get("/reports/")
    trend = figures_of(response)["chart-trend"]
    names = [trace.get("name") for trace in trend["data"]]
    assert "Mean, all products" in names and "Mean, cohort of 2021-10" in names
    mean = next(t for t in trend["data"] if t.get("name") == "Mean, all products")
    assert mean["x"] == ["2021-10", "2022-04", "2022-10"]
    assert mean["y"][:2] == [1.8125, 1.75]
    # the target line and the marker where the version changed (2022-04: mlts@2018.1)
    shapes = trend["layout"]["shapes"]
    assert any(s.get("y0") == 2.0 and s.get("y1") == 2.0 for s in shapes)
    assert any(s.get("x0") == "2022-04" for s in shapes)
    html = response.content.decode()
    assert "mlts@2018.1" in html
    # the data table beside the chart
    assert "1.81" in html and "2.12" in html


def breakdown(response: Any) -> str:
    """The department breakdown table of the page."""
    return response.content.decode().split('id="breakdown-title"')[1].split("</table>")[0]


def test_a_manager_sees_every_department(org: Any, cast: Any) -> None:
    response = client_for(cast.manager).get("/reports/departments/", {"round": "2021-10"})
    html = breakdown(response)
    for name in ("Ads", "Search"):
        assert f">{name}<" in html


def test_a_respondent_sees_only_their_departments(org: Any) -> None:
    member = factories.UserFactory(username="search-member")
    org.products["p5"].members.add(member)
    response = client_for(member).get("/reports/departments/", {"round": "2021-10"})
    assert ">Search<" in breakdown(response) and ">Ads<" not in response.content.decode()
    trend = client_for(member).get("/reports/")
    mean = next(
        t for t in figures_of(trend)["chart-trend"]["data"] if t.get("name") == "Mean, all products"
    )
    # search: p5 2.25 in 2021-10 (p4 unscored): their own product only, shown; p4 3.0 and
    # p6 0.5 in 2022-04: two products other than their own, withheld (DESIGN §7)
    assert mean["y"][:2] == [2.25, None]


def test_a_respondent_cannot_filter_on_another_department(org: Any) -> None:
    member = factories.UserFactory(username="search-member")
    org.products["p5"].members.add(member)
    response = client_for(member).get("/reports/", {"department": "ads"})
    assert response.status_code == 404


def test_drill_down_into_sub_departments(org: Any, cast: Any) -> None:
    client = client_for(cast.manager)
    top = breakdown(client.get("/reports/departments/", {"round": "2021-10"}))
    assert "department=ads" in top and "Ads ML" not in top
    inside = client.get("/reports/departments/", {"round": "2021-10", "department": "ads"})
    assert ">Ads ML<" in breakdown(inside)
    deeper = client.get("/reports/departments/", {"round": "2021-10", "department": "ads-ml"})
    html = deeper.content.decode()
    # the path back up keeps the other filters
    assert 'href="?department=ads&amp;round=2021-10"' in html
    assert '<strong aria-current="page">Ads ML</strong>' in html
    # the department filter narrows the trend to ads with ads-ml: finals 2.0, 0.0, 3.0
    trend = client.get("/reports/", {"department": "ads"})
    mean = next(
        t for t in figures_of(trend)["chart-trend"]["data"] if t.get("name") == "Mean, all products"
    )
    assert mean["y"][0] == 1.6667


def test_phase_filter_and_breakdown(org: Any, cast: Any) -> None:
    client = client_for(cast.manager)
    trend = client.get("/reports/", {"phase": "poc"})
    mean = next(
        t for t in figures_of(trend)["chart-trend"]["data"] if t.get("name") == "Mean, all products"
    )
    assert mean["y"][:2] == [None, 0.5]
    phases = figures_of(client.get("/reports/phases/", {"round": "2022-04"}))
    bars = phases["chart-phases"]["data"][0]
    assert bars["x"] == ["Proof of concept", "Production"]
    assert bars["y"] == [0.5, 2.1667]


def test_items_heatmap_and_weakest_items_with_guidelines(org: Any, cast: Any) -> None:
    response = client_for(cast.manager).get("/reports/items/", {"round": "2021-10", "metric": "0"})
    heatmap = figures_of(response)["chart-items"]["data"][0]
    assert heatmap["type"] == "heatmap"
    assert heatmap["x"] == ["2021-10", "2022-04", "2022-10"]
    rows = dict(zip(heatmap["y"], heatmap["z"], strict=True))
    # data.i1 in 2021-10: one 0 out of four scored answers
    assert rows["D1 data practice 1"][0] == 0.25  # names, not keys
    assert b"Weakest items in 2021-10" in response.content


def test_closed_rounds_are_served_from_their_snapshot(org: Any, cast: Any) -> None:
    round_report_store(round=org.rounds["2021-10"])
    report = RoundReport.objects.get(round=org.rounds["2021-10"])
    report.data["final"]["mean"] = 9.99  # a marker only the snapshot holds
    report.save()
    response = client_for(cast.manager).get("/reports/")
    mean = next(
        t
        for t in figures_of(response)["chart-trend"]["data"]
        if t.get("name") == "Mean, all products"
    )
    assert mean["y"][:2] == [9.99, 1.75]
    # the JSON document is still a fresh computation
    api = client_for(cast.manager).get("/api/v1/reports/trend/", {"questionnaire": "mlts"})
    assert api.json()["rounds"][0]["final"]["mean"] == 1.8125


def test_a_bad_baseline_is_explained(org: Any, cast: Any) -> None:
    response = client_for(cast.manager).get("/reports/", {"baseline": "1999-01"})
    assert response.status_code == 400
    assert b"Unknown baseline round" in response.content


def test_the_pages_speak_japanese(org: Any, cast: Any) -> None:
    response = client_for(cast.manager).get("/reports/", HTTP_ACCEPT_LANGUAGE="ja")
    html = response.content.decode()
    assert "最終スコア：全プロダクトとコホート" in html
    assert "ワークブックをダウンロード（Excel）" in html
    trend = figures_of(response)["chart-trend"]
    assert trend["layout"]["title"]["text"] == "最終スコア：全プロダクトとコホート"


def test_a_person_without_products_is_told_why_the_figures_are_empty(org: Any) -> None:
    loner = factories.UserFactory(username="loner")
    response = client_for(loner).get("/reports/")
    assert response.status_code == 200
    assert b"you are not a member of any product yet" in response.content
    mean = next(
        t
        for t in figures_of(response)["chart-trend"]["data"]
        if t.get("name") == "Mean, all products"
    )
    assert mean["y"] == [None, None, None]


@pytest.mark.parametrize("url", PAGES)
def test_pages_take_a_few_queries_whatever_the_number_of_products(
    org: Any, cast: Any, url: str, django_assert_max_num_queries: Any
) -> None:
    client = client_for(cast.manager)
    client.get(url)  # warm the session and the layout cache
    # A constant: the trend's counts, a breakdown's counts by department, the page's rows.
    with django_assert_max_num_queries(24):
        client.get(url)
    for n in range(10):
        product = factories.ProductFactory(slug=f"more-{n}")
        factories.make_assessment(org.rounds["2022-04"], product, default="1", status="submitted")
    factories.score_round(org.rounds["2022-04"])
    with django_assert_max_num_queries(24):
        client.get(url)


def test_weakest_items_link_to_their_guidelines(org: Any, cast: Any) -> None:
    from surveys.models import Item

    # data.i3 is the weakest item of 2021-10: p2 0, p3 1, p1 and p5 N/A (left out): 0.5
    Item.objects.filter(key="data.i3").update(guideline="data-validation")
    response = client_for(cast.manager).get("/reports/items/", {"round": "2021-10"})
    weakest = response.content.decode().split('id="weakest-title"')[1].split("</ol>")[0]
    first = weakest.split("<li>")[1]
    assert "D3" in first and "mean 0.50 points" in first
    assert 'href="/guidelines/data-validation/"' in weakest


def _page(client: Client, url: str) -> str:
    """What the page shows, without its form tokens (new for every response)."""
    html = client.get(url).content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_no_page_changes_the_reports_the_process_keeps_decoded(org: Any, cast: Any) -> None:
    """The closed rounds' stored reports are decoded once and shared by every reader of the
    process: a page that changed one would show its change to the next reader."""
    member = factories.UserFactory(username="search-member")
    org.products["p5"].members.add(member)
    for label in ("2021-10", "2022-04"):
        round_report_store(round=org.rounds[label])
    pages = [*PAGES, "/reports/scorecard/", "/reports/bottlenecks/", "/api/v1/reports/trend/"]
    readers = [client_for(cast.manager), client_for(member)]
    first = {(n, url): _page(readers[n], url) for n in (0, 1) for url in pages}
    for (n, url), content in first.items():
        for query in ({}, {"phase": "production"}, {"round": "2021-10"}, {"department": "ads"}):
            readers[n].get(url, query)
        assert _page(readers[n], url) == content, url
    kept = dict(selectors._DECODED)
    assert {part for _, _, part in kept} == {"data", "counts__scored"}
    for (round_id, _, part), value in kept.items():
        as_stored = RoundReport.objects.filter(round_id=round_id).values_list(part, flat=True)
        assert value == as_stored.get(), (round_id, part)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_charts_data_table_shows_each_cell_as_the_template_would(lang: str) -> None:
    """``chart_rows`` draws the tables' rows in one go; each cell reads as ``{{ cell }}``
    would show it: localised, escaped, the first of a row its heading; a missing figure
    reads "—", as in the rest of the table, not "None"."""
    from django.template import engines
    from django.utils import translation

    from reports.templatetags.report_tags import chart_rows

    rows = [["2024-10 (provisional)", 1.2345, 0, None, "<b>R&D</b>"], ["2025-04", 10000.5, 2]]
    loop = engines["django"].from_string(
        "{% for row in rows %}<tr>{% for cell in row %}{% if forloop.first %}"
        '<th scope="row">{{ cell }}</th>{% else %}<td class="num">{{ cell|default_if_none:"—" }}'
        "</td>{% endif %}{% endfor %}</tr>\n        {% endfor %}"
    )
    with translation.override(lang):
        assert chart_rows(rows) + "\n        " == loop.render({"rows": rows})
    assert "&lt;b&gt;R&amp;D&lt;/b&gt;" in chart_rows(rows)
    assert '<td class="num">—</td>' in chart_rows(rows) and "None" not in chart_rows(rows)


def test_figures_withheld_from_a_respondent_read_as_a_dash_in_the_tables(org: Any) -> None:
    member = factories.UserFactory(username="search-member")
    org.products["p5"].members.add(member)
    html = client_for(member).get("/reports/").content.decode()
    cells = re.findall(r'<td class="num">(.*?)</td>', html)
    assert "—" in cells and "None" not in cells
