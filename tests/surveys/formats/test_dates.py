"""One date format, in the reader's language and zone (DESIGN §5): 2026-12-06 11:20."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_time_without_a_format_reads_the_same_in_every_language(language: str) -> None:
    when = dt.datetime(2026, 12, 6, 2, 20, tzinfo=dt.UTC)
    with translation.override(language), timezone.override("Asia/Tokyo"):
        text = Template("{{ when }} · {{ day }}").render(
            Context({"when": when, "day": when.date()})
        )
    assert text == "2026-12-06 11:20 · 2026-12-06"


def test_the_token_page_shows_times_in_that_format(client: Any, cast: Any) -> None:
    from surveys.tokens.services import token_create

    token, _ = token_create(product=cast.product, name="nightly", by=cast.admin)
    client.force_login(cast.member)
    page = client.get(f"/tokens/{cast.product.slug}/").content.decode()
    assert f"{timezone.localtime(token.created_at):%Y-%m-%d}" in page
    assert "a.m." not in page and "p.m." not in page
