"""The studio's pre-publish check and the new-round form guard as an admin sees them
(DESIGN §2: bilingual text, lineage; §4: rounds never overlap)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.models import QuestionnaireVersion, Round
from surveys.questionnaires import drafts
from surveys.studio.views import item_flat
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(version: Any, cast: Any) -> QuestionnaireVersion:
    return drafts.draft_create(version=version, new_version="2027.1", by=cast.admin)


def _save(client: Any, item: Any, **changes: Any) -> Any:
    data = {**item_flat(item), "revision": item.revision, **changes}
    return client.post(
        reverse("questionnaires:item", args=[item.pk]), data, content_type="application/json"
    )


def test_blanking_an_english_title_is_caught_before_publishing(
    client: Any, cast: Any, draft: Any
) -> None:
    client.force_login(cast.admin)
    item = draft.items.get(key="data.i1")
    body = _save(client, item, **{"title.en": "", "title.ja": "data 実践 1"}).json()
    # Named by code and title (here the Japanese one, the only one left), never by key.
    assert "D1 data 実践 1: title: the English text is empty" in body["problems"]
    page = client.get(reverse("questionnaires:version", args=[draft.pk])).content.decode()
    assert '<li class="ok">' not in page and "title: the English text is empty" in page
    client.post(reverse("questionnaires:publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert not draft.is_published
    item.refresh_from_db()
    body = _save(client, item, **{"title.en": "Back in English"}).json()
    assert body["problems"] == []


def test_replaces_needs_no_reason_but_a_hand_set_lineage_does(
    client: Any, cast: Any, draft: Any
) -> None:
    client.force_login(cast.admin)
    item = draft.items.get(key="data.i1")
    assert _save(client, item, replaces="data.i2").json()["problems"] == []
    item.refresh_from_db()
    body = _save(client, item, replaces="", lineage_override="same").json()
    assert "D1 data practice 1: give a reason for setting its lineage by hand" in body["problems"]
    assert not any("data.i1" in problem for problem in body["problems"])


def test_a_version_name_too_long_says_its_length(client: Any, cast: Any, version: Any) -> None:
    client.force_login(cast.admin)
    page = client.post(
        reverse("questionnaires:copy", args=[version.pk]), {"new_version": "9" * 500}, follow=True
    ).content.decode()
    assert "A version name has at most 50 characters (this one has 500)." in page
    assert "Give the new version a name" not in page
    assert QuestionnaireVersion.objects.count() == 1


def test_the_new_round_form_starts_with_the_default_reminders(
    client: Any, cast: Any, version: Any
) -> None:
    client.force_login(cast.admin)
    page = client.get(reverse("rounds:create")).content.decode()
    assert 'name="reminder_days" value="14, 7, 1"' in page


def test_a_round_in_the_way_is_offered_to_close_early(client: Any, cast: Any, version: Any) -> None:
    today = timezone.localdate()
    running = factories.make_round(
        version, label="running", opens_on=today - dt.timedelta(days=3), status="open"
    )
    client.force_login(cast.admin)
    data = {
        "label": "next",
        "version": version.pk,
        "opens_on": f"{today + dt.timedelta(days=1):%Y-%m-%d}",
        "closes_on": f"{today + dt.timedelta(days=20):%Y-%m-%d}",
        "reminder_days": "7",
    }
    page = client.post(reverse("rounds:create"), data).content.decode()
    assert "Rounds of one questionnaire never overlap" in page
    assert "Close the running round running early" in page
    assert reverse("rounds:close", args=[running.pk]) in page
    assert not Round.objects.filter(label="next").exists()
    # Closed early through that page, the new round then fits from today.
    client.post(reverse("rounds:close", args=[running.pk]))
    data["opens_on"] = f"{today:%Y-%m-%d}"
    client.post(reverse("rounds:create"), {**data, "confirmed": "1"})
    assert Round.objects.filter(label="next").exists()
