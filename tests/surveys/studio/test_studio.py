"""The questionnaire studio: permissions for the whole cast, drafts, lineage, diff,
validation, publish, the JSON file in and out, and concurrent editing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from surveys.models import AuditEvent, Item, QuestionnaireVersion, VersionStatus
from surveys.questionnaires import drafts
from surveys.questionnaires.lineage import removed_items, version_diff
from surveys.questionnaires.services import questionnaire_problems, version_to_dict
from surveys.studio.views import item_flat
from surveys.tokens.services import token_create
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(version: Any, cast: Any) -> QuestionnaireVersion:
    return drafts.draft_create(version=version, new_version="2027.1", by=cast.admin)


def pages(draft: QuestionnaireVersion) -> list[tuple[str, str]]:
    item = draft.items.order_by("position").first()
    assert item is not None
    return [
        ("get", reverse("questionnaires:studio")),
        ("get", reverse("questionnaires:version", args=[draft.pk])),
        ("get", reverse("questionnaires:diff", args=[draft.pk])),
        ("get", reverse("questionnaire-preview", args=[draft.pk])),
        ("get", reverse("questionnaires:download", args=[draft.pk])),
        ("get", reverse("questionnaires:changes", args=[draft.pk])),
        ("post", reverse("questionnaires:settings", args=[draft.pk])),
        ("post", reverse("questionnaires:item", args=[item.pk])),
        ("post", reverse("questionnaires:publish", args=[draft.pk])),
        ("post", reverse("questionnaires:copy", args=[draft.copied_from_id])),
    ]


@pytest.mark.parametrize("who", ["member", "other_member", "manager"])
def test_only_admins_open_the_studio(client: Any, cast: Any, draft: Any, who: str) -> None:
    client.force_login(getattr(cast, who))
    for method, url in pages(draft):
        assert getattr(client, method)(url).status_code == 403, url
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT and draft.revision == 0


def test_anonymous_visitors_log_in_first(client: Any, draft: Any) -> None:
    for method, url in pages(draft):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_a_ci_token_of_another_product_opens_nothing(client: Any, cast: Any, draft: Any) -> None:
    _, raw = token_create(product=cast.other_product, name="ci", by=cast.admin)
    for method, url in pages(draft):
        response = getattr(client, method)(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code in (302, 403), url
    assert not QuestionnaireVersion.objects.filter(version="2027.2").exists()


def test_the_list_shows_versions_their_state_and_rounds(client: Any, cast: Any, draft: Any) -> None:
    factories.make_round(draft.copied_from, label="2026-10")
    client.force_login(cast.admin)
    response = client.get(reverse("questionnaires:studio"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "mlts@2017.1" in text and "mlts@2027.1" in text and "2026-10" in text
    assert "Published" in text and "Draft" in text


def test_copy_from_the_page_makes_a_draft_with_lineage_against_the_source(
    client: Any, cast: Any, version: Any
) -> None:
    client.force_login(cast.admin)
    response = client.post(
        reverse("questionnaires:copy", args=[version.pk]), {"new_version": "2027.1"}
    )
    copy = QuestionnaireVersion.objects.get(version="2027.1")
    assert response["Location"] == reverse("questionnaires:version", args=[copy.pk])
    assert copy.status == VersionStatus.DRAFT and copy.copied_from == version
    assert copy.items.count() == 28
    page = client.get(response["Location"]).content.decode()
    assert "Lineage and diff against mlts@2017.1" in page and "No problems" in page


def _save(client: Any, item: Item, **changes: Any) -> Any:
    data = {**item_flat(item), "revision": item.revision, **changes}
    return client.post(
        reverse("questionnaires:item", args=[item.pk]), data, content_type="application/json"
    )


def test_rewording_a_criterion_marks_the_item_changed(client: Any, cast: Any, draft: Any) -> None:
    client.force_login(cast.admin)
    item = draft.items.get(key="data.i1")
    response = _save(client, item, **{"criteria.1.en": "Automated, and checked every day"})
    assert response.status_code == 200
    assert response.json()["lineage"] == "changed" and response.json()["revision"] == 1
    # The title alone is not a criterion: retitling keeps the lineage `same`.
    other = draft.items.get(key="data.i2")
    assert _save(client, other, **{"title.en": "Renamed"}).json()["lineage"] == "same"
    diff = version_diff(draft)
    assert [e.new.key for e in diff.changed] == ["data.i1", "data.i2"]
    change = next(c for c in diff.changed[0].changes if c.field == "criteria.1")
    assert (change.old, change.new) == ("Automated", "Automated, and checked every day")


def test_an_override_needs_a_reason_before_publishing(client: Any, cast: Any, draft: Any) -> None:
    client.force_login(cast.admin)
    item = draft.items.get(key="data.i1")
    _save(client, item, **{"criteria.1.en": "Automated!", "lineage_override": "same"})
    assert "item 'data.i1': give a reason for setting its lineage by hand" in drafts.draft_problems(
        draft
    )
    item.refresh_from_db()
    body = _save(client, item, lineage_override="same", lineage_reason="punctuation only").json()
    assert body["lineage"] == "same" and body["problems"] == []


def test_validation_uses_the_loaders_rules_and_messages(client: Any, cast: Any, draft: Any) -> None:
    client.force_login(cast.admin)
    item = draft.items.get(key="data.i1")
    body = _save(client, item, **{"question.en": "", "question.ja": ""}).json()
    data = version_to_dict(version=draft)
    assert questionnaire_problems(data) == [
        "area 'data', item 'data.i1': question is an empty language map"
    ]
    # The studio names the item by code and title (DESIGN §5), the file rules by key.
    assert body["problems"] == ["D1 data practice 1: question is an empty language map"]
    response = client.post(reverse("questionnaires:publish", args=[draft.pk]), follow=True)
    assert "D1 data practice 1: question is an empty" in (response.content.decode())
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_a_duplicate_code_is_refused_with_a_message(client: Any, cast: Any, draft: Any) -> None:
    client.force_login(cast.admin)
    item = draft.items.get(key="data.i1")
    response = _save(client, item, code="D2")
    assert response.status_code == 400
    assert response.json()["error"] == "item 'data.i1': code 'D2' is also used by item 'data.i2'"


def test_add_replace_remove_reorder_then_diff_and_publish(
    client: Any, cast: Any, draft: Any
) -> None:
    client.force_login(cast.admin)
    data_area = draft.areas.get(key="data")
    client.post(
        reverse("questionnaires:item-add", args=[data_area.pk]), {"key": "data.drift", "code": "D8"}
    )
    new = draft.items.get(key="data.drift")
    texts = {
        "title.en": "Drift", "title.ja": "ドリフト", "question.en": "Do you watch drift?",
        "criteria.0.en": "No", "criteria.0.5.en": "By hand", "criteria.1.en": "Alerts",
    }  # fmt: skip
    assert _save(client, new, **texts).status_code == 200
    old = draft.items.get(key="monitoring.i3")
    client.post(reverse("questionnaires:item", args=[old.pk]), {"action": "remove"})
    mon = draft.areas.get(key="monitoring")
    client.post(
        reverse("questionnaires:item-add", args=[mon.pk]), {"key": "monitoring.slo", "code": "MON8"}
    )
    slo = draft.items.get(key="monitoring.slo")
    body = _save(
        client,
        slo,
        **{**texts, "title.en": "SLOs", "replaces": "monitoring.i3", "lineage_reason": "split"},
    ).json()
    assert body["lineage"] == "replaces monitoring.i3"
    client.post(reverse("questionnaires:item", args=[new.pk]), {"action": "up"})
    codes = list(
        draft.items.filter(area=data_area).order_by("position").values_list("code", flat=True)
    )
    assert codes == ["D1", "D2", "D3", "D4", "D5", "D6", "D8", "D7"]
    diff = version_diff(draft)
    assert [e.new.key for e in diff.added] == ["data.drift"]
    assert [(e.new.key, e.old.key) for e in diff.replaced] == [("monitoring.slo", "monitoring.i3")]
    assert [e.old.key for e in diff.removed] == ["monitoring.i3"]
    page = client.get(reverse("questionnaires:diff", args=[draft.pk])).content.decode()
    assert "1 added" in page and "1 removed" in page and "1 replaced" in page and "SLOs" in page
    response = client.post(reverse("questionnaires:publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert response.status_code == 302 and draft.status == VersionStatus.PUBLISHED
    file = version_to_dict(version=draft)
    slo_out = next(i for a in file["areas"] for i in a["items"] if i["key"] == "monitoring.slo")
    assert slo_out["replaces"] == "monitoring.i3"
    # Published: the studio refuses every edit.
    slo.refresh_from_db()
    assert _save(client, slo, **{"title.en": "x"}).status_code == 400


def test_replacing_a_key_the_previous_version_lacks_is_a_problem(cast: Any, draft: Any) -> None:
    item = draft.items.get(key="data.i1")
    fields = {**item_flat(item), "replaces": "data.nothing", "lineage_reason": "x"}
    from surveys.studio.views import item_fields

    drafts.item_save(item=item, fields=item_fields(fields), base_revision=0, by=cast.admin)
    assert drafts.draft_problems(draft) == [
        "item 'data.i1': replaces 'data.nothing', which is not an item of mlts@2017.1"
    ]


def test_two_admins_editing_one_item_get_a_conflict_and_see_each_other(
    client: Any, cast: Any, draft: Any
) -> None:
    ben = factories.admin_user(username="ben", first_name="Ben", last_name="Admin")
    item = draft.items.get(key="data.i1")
    client.force_login(cast.admin)
    start = client.get(reverse("questionnaires:version", args=[draft.pk])).context["last_event"]
    client.force_login(ben)
    assert _save(client, item, **{"title.en": "Ben's title"}).status_code == 200
    client.force_login(cast.admin)
    response = _save(client, item, **{"title.en": "Admin's title"})  # still at revision 0
    assert response.status_code == 409
    body = response.json()
    assert body["theirs"]["title.en"] == "Ben's title" and body["by"] == "Ben Admin"
    assert body["revision"] == 1
    changes = client.get(
        reverse("questionnaires:changes", args=[draft.pk]), {"after": start}
    ).json()
    assert [(c["by"], c["what"]) for c in changes["changes"]] == [("Ben Admin", "mlts@2027.1 D1")]
    item.refresh_from_db()
    assert item.title["en"] == "Ben's title"


def test_settings_save_including_na_approval(client: Any, cast: Any, draft: Any) -> None:
    client.force_login(cast.admin)
    response = client.post(
        reverse("questionnaires:settings", args=[draft.pk]),
        {"title.en": "ML Test Score 2027", "title.ja": "ML テストスコア 2027", "na_policy": "drop",
         "max_na_per_area": "2", "na_requires_approval": "1", "revision": "0"},
    )  # fmt: skip
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.na_policy, draft.max_na_per_area, draft.na_requires_approval) == ("drop", 2, True)
    assert version_to_dict(version=draft)["na_requires_approval"] is True
    bad = client.post(
        reverse("questionnaires:settings", args=[draft.pk]),
        {"na_policy": "drop", "max_na_per_area": "-1", "revision": "1"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "N/A cap" in bad.json()["error"]
    event = AuditEvent.objects.filter(action="version.settings").get()
    assert event.by == cast.admin and event.data["changes"]["na_policy"] == ["rescale", "drop"]


def test_download_and_upload_round_trip(client: Any, cast: Any, draft: Any) -> None:
    client.force_login(cast.admin)
    data = json.loads(client.get(reverse("questionnaires:download", args=[draft.pk])).content)
    assert data["version"] == "2027.1" and len(data["areas"]) == 4
    data["areas"][0]["items"][0]["title"] = {"en": "From the file", "ja": "ファイルから"}
    data["areas"][0]["items"][0]["replaces"] = "data.i2"
    upload = SimpleUploadedFile("q.json", json.dumps(data).encode(), "application/json")
    client.post(reverse("questionnaires:upload", args=[draft.pk]), {"file": upload})
    item = draft.items.get(key="data.i1")
    assert item.title["ja"] == "ファイルから" and item.replaces == "data.i2"
    broken = SimpleUploadedFile("q.json", b'{"key": "mlts", "areas": []}', "application/json")
    page = client.post(
        reverse("questionnaires:upload", args=[draft.pk]), {"file": broken}, follow=True
    ).content.decode()
    assert "areas must be a non-empty list" in page
    assert draft.items.filter(key="data.i1").exists()


def test_load_a_new_file_as_a_draft(client: Any, cast: Any) -> None:
    client.force_login(cast.admin)
    data = factories.questionnaire_data(key="gov", version="1", per_area=2)
    upload = SimpleUploadedFile("q.json", json.dumps(data).encode(), "application/json")
    response = client.post(reverse("questionnaires:load"), {"file": upload})
    version = QuestionnaireVersion.objects.get(questionnaire__key="gov")
    assert response["Location"] == reverse("questionnaires:version", args=[version.pk])
    assert version.status == VersionStatus.DRAFT and version.items.count() == 8
    again = SimpleUploadedFile("q.json", json.dumps(data).encode(), "application/json")
    page = client.post(
        reverse("questionnaires:load"), {"file": again}, follow=True
    ).content.decode()
    assert "gov@1 already exists" in page


def test_the_preview_shows_the_respondents_item_markup(client: Any, cast: Any, draft: Any) -> None:
    client.force_login(cast.admin)
    response = client.get(reverse("questionnaire-preview", args=[draft.pk]))
    text = response.content.decode()
    assert text.count('<fieldset class="item unanswered"') == 28
    assert "Not applicable when:" in text and "Automated" in text


def test_japanese_studio(client: Any, cast: Any, draft: Any) -> None:
    client.force_login(cast.admin)
    response = client.get(
        reverse("questionnaires:version", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="ja"
    )
    text = response.content.decode()
    assert "公開" in text and "ML テストスコア" in text


def test_areas_are_added_reordered_and_removed(client: Any, cast: Any, draft: Any) -> None:
    client.force_login(cast.admin)
    client.post(
        reverse("questionnaires:area-add", args=[draft.pk]),
        {"key": "governance", "title_en": "Governance", "title_ja": "ガバナンス"},
    )
    governance = draft.areas.get(key="governance")
    client.post(reverse("questionnaires:area", args=[governance.pk]), {"action": "up"})
    keys = list(draft.areas.order_by("position").values_list("key", flat=True))
    assert keys == ["data", "model", "infra", "governance", "monitoring"]
    assert "area 'governance': items must be a non-empty list" in drafts.draft_problems(draft)
    client.post(
        reverse("questionnaires:item-add", args=[governance.pk]), {"key": "gov.owner", "code": "G1"}
    )
    # Items are numbered in area order: the respondent's page follows the new order.
    codes = list(draft.items.order_by("position").values_list("code", flat=True))
    assert codes[21] == "G1" and codes[22] == "MON1"
    monitoring = draft.areas.get(key="monitoring")
    client.post(reverse("questionnaires:area", args=[monitoring.pk]), {"action": "remove"})
    assert not draft.items.filter(key__startswith="monitoring.").exists()
    assert [i.key for i, _ in removed_items(draft)][:2] == ["monitoring.i1", "monitoring.i2"]
    assert (
        client.post(
            reverse("questionnaires:area-add", args=[draft.pk]),
            {"key": "data", "title_en": "x"},
            follow=True,
        )
        .content.decode()
        .count("area &#x27;data&#x27;: the key is used by another area")
        == 1
    )


def test_published_versions_are_archived_and_drafts_deleted(
    client: Any, cast: Any, draft: Any
) -> None:
    client.force_login(cast.admin)
    published = draft.copied_from
    client.post(reverse("questionnaires:archive", args=[published.pk]), {"confirmed": "1"})
    published.refresh_from_db()
    assert published.archived_at is not None and published.is_published
    page = client.get(reverse("questionnaires:studio")).content.decode()
    assert "Archived" in page
    client.post(reverse("questionnaires:delete", args=[draft.pk]), {"confirmed": "1"})
    assert not QuestionnaireVersion.objects.filter(pk=draft.pk).exists()
    page = client.post(
        reverse("questionnaires:delete", args=[published.pk]), {"confirmed": "1"}, follow=True
    )
    assert "is published and cannot change" in page.content.decode()


def test_a_new_questionnaire_from_nothing_to_published(client: Any, cast: Any) -> None:
    """A fresh install: no file, no shell — the studio alone writes a questionnaire."""
    client.force_login(cast.admin)
    response = client.post(
        reverse("questionnaires:new"),
        {"key": "gov", "version": "1", "title_en": "Governance", "title_ja": "ガバナンス"},
    )
    draft = QuestionnaireVersion.objects.get(questionnaire__key="gov")
    assert response["Location"] == reverse("questionnaires:version", args=[draft.pk])
    assert drafts.draft_problems(draft) == ["areas must be a non-empty list"]
    client.post(
        reverse("questionnaires:area-add", args=[draft.pk]), {"key": "owners", "title_en": "Owners"}
    )
    area = draft.areas.get()
    client.post(
        reverse("questionnaires:item-add", args=[area.pk]), {"key": "owners.named", "code": "O1"}
    )
    item = draft.items.get()
    texts = {
        "title.en": "Named owner", "question.en": "Is there a named owner?",
        "criteria.0.en": "No", "criteria.0.5.en": "Informally", "criteria.1.en": "In the catalogue",
    }  # fmt: skip
    assert _save(client, item, **texts).json()["problems"] == []
    client.post(reverse("questionnaires:publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    again = client.post(
        reverse("questionnaires:new"), {"key": "gov", "version": "2", "title_en": "x"}, follow=True
    )
    assert "Questionnaire gov exists already" in again.content.decode()
