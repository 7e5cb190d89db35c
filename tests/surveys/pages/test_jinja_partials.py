"""The assessment page's per-item partials are Jinja2 (surveys/pages/jinja.py): the same
words from the same catalogue, the same escaping, the reader's time zone and language."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.template import engines
from django.test import Client
from django.utils import translation

from surveys.models import ItemFeedback, Profile
from tests import factories

pytestmark = pytest.mark.django_db

PARTIALS = sorted((Path(__file__).resolve().parents[3] / "templates").rglob("*.jinja"))


def _messages() -> list[tuple[str, str, Any]]:
    """Every (file, function, message) the partials translate, read by Jinja2's own
    extractor (``makemessages`` does not read them)."""
    env = engines["jinja2"].env  # type: ignore[attr-defined]
    return [
        (path.name, function, message)
        for path in PARTIALS
        for _, function, message in env.extract_translations(path.read_text(encoding="utf-8"))
    ]


def test_every_word_of_the_partials_is_in_the_japanese_catalogue() -> None:
    messages = _messages()
    assert len(PARTIALS) == 2 and len(messages) > 30
    missing = []
    with translation.override("ja"):
        for name, function, message in messages:
            if function == "ngettext":
                singular, plural = message[0], message[1]
                found = translation.ngettext(singular, plural, 2) != plural
            elif function == "pgettext":
                found = translation.pgettext(*message) != message[1]
            else:
                found = translation.gettext(message) != message
            if not found:
                missing.append((name, message))
    assert missing == []


@pytest.fixture
def assessment(version: Any, cast: Any) -> Any:
    rnd = factories.make_round(version, products=(cast.product,))
    return factories.make_assessment(rnd, cast.product)


def _page(user: Any, assessment: Any, language: str = "en") -> str:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client.get(f"/assessments/{assessment.pk}/").content.decode()


def test_what_people_typed_is_escaped_and_the_words_are_not(assessment: Any, cast: Any) -> None:
    assessment.answers.filter(item__key="data.i1").update(
        note="<script>alert(1)</script> & co", evidence_url="https://ci.example/?a=1&b=<2>"
    )
    item = assessment.round.version.items.get(key="data.i1")
    ItemFeedback.objects.create(
        assessment=assessment,
        item=item,
        item_key=item.key,
        kind="unclear",
        comment="<b>why</b>?",
        by=cast.member,
        status="declined",
        reason="it's <i>clear</i>",
    )
    html = _page(cast.member, assessment)
    assert (
        "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    )
    assert 'value="https://ci.example/?a=1&amp;b=&lt;2&gt;"' in html
    assert "<b>why</b>" not in html and "&lt;b&gt;why&lt;/b&gt;" in html
    assert "it&#x27;s &lt;i&gt;clear&lt;/i&gt;" in html.replace("&#39;", "&#x27;")
    # The project's own words are not escaped, as {% translate %} leaves them.
    assert "(not your product's answer)" in html


def test_in_japanese_with_the_evidence_in_the_readers_time_zone(assessment: Any, cast: Any) -> None:
    start, end = assessment.round.evidence_window
    at = start + (end - start) / 2
    at = at.replace(hour=23, minute=30, second=0, microsecond=0)
    factories.make_evidence(cast.product, "data.i1", observed_at=at)
    Profile.objects.update_or_create(
        user=cast.member, defaults={"time_zone": "Asia/Tokyo", "language": "ja"}
    )
    html = _page(cast.member, assessment)
    tokyo = (at + dt.timedelta(hours=9)).strftime("%Y-%m-%d %H:%M")
    with translation.override("ja"):
        last_run = translation.gettext("last run %(at)s") % {"at": tokyo}
        note = translation.gettext("Note and evidence link")
    assert last_run != f"last run {tokyo}" and last_run in html
    assert note != "Note and evidence link" and html.count(note) == 28


def test_a_versions_preview_draws_the_items_without_an_assessment(version: Any, cast: Any) -> None:
    client = Client()
    client.force_login(cast.admin)
    html = client.get(f"/questionnaires/versions/{version.pk}/preview/").content.decode()
    assert html.count('<fieldset class="item unanswered"') == 28
    assert "data-watch" not in html
