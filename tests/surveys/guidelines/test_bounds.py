"""Guideline Markdown is rendered in bounded work: a linear renderer and a length limit
(GUIDELINE_MAX_CHARS), so a page of "[" is refused at once with a message, while
ordinary guidelines render as they always did."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from surveys.core.errors import ApplicationError
from surveys.guidelines.services import guideline_save, guidelines_load
from surveys.guidelines.views import render_markdown
from surveys.models import Guideline

pytestmark = pytest.mark.django_db

ORDINARY = """# Data validation

Check **every** batch, *before* training; see [the schema](https://example.com/schema).

1. Write the schema.
2. Test it:
   - in CI
   - in production

| Check | When |
| --- | --- |
| schema | every batch |

```python
assert batch.valid()
```

> A quote, with `code`.

---
Line one
Line two
"""


def test_an_ordinary_guideline_renders_as_it_did() -> None:
    html = render_markdown(ORDINARY)
    for fragment in (
        "<h1>Data validation</h1>",
        "<strong>every</strong>",
        "<em>before</em>",
        '<a href="https://example.com/schema" rel="noopener noreferrer">the schema</a>',
        "<ol>\n<li>Write the schema.</li>",
        "<li>in CI</li>",
        "<th>Check</th>",
        "<td>every batch</td>",
        "<pre><code>assert batch.valid()\n</code></pre>",
        "<blockquote>",
        "<code>code</code>",
        "<hr>",
    ):
        assert fragment in html, fragment


def test_the_shipped_guidelines_render_their_headings_tables_and_lists() -> None:
    directory = Path(django_settings.BASE_DIR) / "fixtures" / "guidelines"
    for path in directory.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        html = render_markdown(text)
        assert html.count("<h2>") == sum(1 for line in text.splitlines() if line.startswith("## "))
        assert "](http" not in html  # every link is a link, not its Markdown source


def test_unsafe_links_and_html_are_still_stripped() -> None:
    html = render_markdown(
        "[x](javascript:alert(1)) <img src=x onerror=alert(1)> <script>a</script>"
    )
    assert "javascript:" not in html and "onerror" not in html and "<script" not in html


def test_a_preview_of_a_page_of_brackets_is_refused_with_a_message(client: Any, cast: Any) -> None:
    client.force_login(cast.admin)
    response = client.post(reverse("guidelines:preview"), {"markdown": "[" * 100_000})
    assert response.status_code == 400
    body = response.json()
    assert "at most 50,000 characters" in body["error"] and "100,000" in body["error"]
    assert body["html"].startswith("<p>A guideline holds at most")


def test_brackets_within_the_limit_render(client: Any, cast: Any) -> None:
    client.force_login(cast.admin)
    response = client.post(reverse("guidelines:preview"), {"markdown": "[" * 40_000})
    assert response.status_code == 200
    assert response.json()["html"].count("[") == 40_000


@pytest.mark.parametrize("who", ["member", "other_member", "manager"])
def test_the_preview_stays_admins_only(client: Any, cast: Any, who: str) -> None:
    client.force_login(getattr(cast, who))
    response = client.post(reverse("guidelines:preview"), {"markdown": "[" * 100_000})
    assert response.status_code == 403


def test_saving_a_text_over_the_limit_is_refused_and_keeps_the_guideline(
    client: Any, cast: Any
) -> None:
    Guideline.objects.create(slug="g", title={"en": "G"}, body={"en": "# G\n\nkept"})
    client.force_login(cast.admin)
    response = client.post(
        reverse("guidelines:edit", args=["g"]), {"body_en": "x" * 60_000, "title_en": "G"}
    )
    page = response.content.decode()
    assert "A guideline holds at most 50,000 characters" in page
    assert Guideline.objects.get(slug="g").body == {"en": "# G\n\nkept"}


def test_the_service_and_the_loader_refuse_too_long_texts(cast: Any, tmp_path: Path) -> None:
    with pytest.raises(ApplicationError, match="at most 50,000"):
        guideline_save(slug="long", title={}, body={"en": "x" * 50_001}, by=cast.admin)
    (tmp_path / "long.md").write_text("x" * 50_001, encoding="utf-8")
    with pytest.raises(ApplicationError, match=r"long\.md"):
        guidelines_load(directory=tmp_path)
    assert not Guideline.objects.exists()
