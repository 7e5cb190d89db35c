"""Guideline pages render Markdown safely, in the chosen language."""

from __future__ import annotations

from typing import Any

import pytest

from surveys.models import Guideline
from tests.conftest import WHO

pytestmark = pytest.mark.django_db


@pytest.fixture
def guideline(db: Any) -> Guideline:
    return Guideline.objects.create(
        slug="data-validation",
        title={"en": "Data validation", "ja": "データ検証"},
        body={
            "en": "# Data validation\n\n## Purpose\n\nCheck **every** batch.\n\n"
            "<script>alert('x')</script>\n\n[bad](javascript:alert(1)) "
            '<img src=x onerror="alert(1)">',
            "ja": "# データ検証\n\n## 目的\n\nすべてのバッチを確認する。",
        },
    )


@pytest.mark.parametrize("who", WHO)
def test_every_signed_in_person_reads_guidelines(guideline: Any, client_for: Any, who: str):
    response = client_for(who).get("/guidelines/data-validation/")
    if who in {"anonymous", "foreign_token"}:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 200
        assert "<h2>Purpose</h2>" in response.content.decode()


def test_markdown_is_sanitised(guideline: Any, client_for: Any):
    client = client_for("member")
    html = client.get("/guidelines/data-validation/").content.decode()
    article = html.split('<article class="card markdown">')[1].split("</article>")[0]
    assert "<strong>every</strong>" in article
    assert "<script" not in article and "alert('x')" not in article
    assert "javascript:" not in article and "onerror" not in article


def test_guideline_in_japanese(guideline: Any, client_for: Any):
    client = client_for("member")
    client.post("/i18n/setlang/", {"language": "ja"})
    html = client.get("/guidelines/data-validation/").content.decode()
    assert "<h2>目的</h2>" in html and "<title>データ検証" in html


def test_unknown_guideline_is_404(client_for: Any):
    assert client_for("member").get("/guidelines/nope/").status_code == 404
