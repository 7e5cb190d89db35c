"""The answers import page: admins only, a dry run that writes nothing, then the same
result as ``import_answers``."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from surveys.imports.services import answers_import
from surveys.models import Answer, AreaScore, Assessment, AuditEvent, Department, Product, Round
from surveys.tokens.services import token_create
from tests.data.answers_files import write_csv

pytestmark = pytest.mark.django_db

AREAS = ("data", "model", "infra", "monitoring")
KEYS = [f"{area}.i{n}" for area in AREAS for n in range(1, 8)]


def rows(product: str, value: object, department: str = "Ads") -> list[tuple[object, ...]]:
    return [("2021-10", "2021-10-01", product, department, "", key, value, "") for key in KEYS]


def csv_bytes(tmp_path: Path, data: list[tuple[object, ...]]) -> bytes:
    return write_csv(tmp_path / "answers.csv", data).read_bytes()


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("answers.csv", content, "text/csv")


def snapshot() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Round, Product, Department, Assessment, Answer)}


@pytest.mark.parametrize("who", ["member", "other_member", "manager"])
def test_only_admins_import(client: Any, cast: Any, version: Any, tmp_path: Path, who: str) -> None:
    client.force_login(getattr(cast, who))
    url = reverse("imports:answers")
    assert client.get(url).status_code == 403
    content = csv_bytes(tmp_path, rows("fraud", "1"))
    assert client.post(url, {"version": version.pk, "file": upload(content)}).status_code == 403
    assert not Round.objects.exists()


def test_anonymous_and_tokens_are_refused(client: Any, cast: Any, version: Any) -> None:
    _, raw = token_create(product=cast.other_product, name="ci", by=cast.admin)
    url = reverse("imports:answers")
    assert client.get(url).status_code == 302
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code in (302, 403)


def test_dry_run_then_confirm_equals_the_command(
    client: Any, cast: Any, version: Any, tmp_path: Path
) -> None:
    client.force_login(cast.admin)
    content = csv_bytes(tmp_path, rows("fraud", "1") + rows("ranker", "0.5", department="Search"))
    before = snapshot()
    response = client.post(
        reverse("imports:answers"), {"version": version.pk, "file": upload(content)}
    )
    result = response.context["result"]
    assert result.rounds_created == ["2021-10"]
    assert sorted(result.products_created) == ["fraud", "ranker"]
    assert sorted(result.departments_created) == ["Ads", "Search"]
    assert result.answers_changed == 56
    assert snapshot() == before  # the dry run wrote nothing
    page = response.content.decode()
    assert "Dry run into mlts@2017.1" in page and "fraud" in page
    client.post(reverse("imports:answers"), {"staged": response.context["staged"].pk})
    assert Assessment.objects.filter(final_score__isnull=False).count() == 2
    by_page = sorted(
        AreaScore.objects.values_list("assessment__product__slug", "area_key", "score")
    )
    event = AuditEvent.objects.get(action="answers.imported")
    assert event.by == cast.admin and event.category == "imports"
    # The same file through the command's service, into a fresh database state, scores alike.
    Answer.objects.all().delete()
    AreaScore.objects.all().delete()
    Assessment.objects.all().delete()
    Round.objects.all().delete()
    answers_import(version=version, file=io.BytesIO(content))
    assert (
        sorted(AreaScore.objects.values_list("assessment__product__slug", "area_key", "score"))
        == by_page
    )
    # A staged file is applied once.
    again = client.post(
        reverse("imports:answers"), {"staged": response.context["staged"].pk}, follow=True
    )
    assert "expired or was applied already" in again.content.decode()


def test_every_problem_is_listed_by_row_and_nothing_is_staged(
    client: Any, cast: Any, version: Any, tmp_path: Path
) -> None:
    client.force_login(cast.admin)
    data = rows("fraud", "1")
    data[2] = ("2021-10", "2021-10-01", "fraud", "Ads", "", KEYS[2], "2", "")
    data[5] = ("2021-10", "2021-10-01", "fraud", "Ads", "", "data.nope", "1", "")
    response = client.post(
        reverse("imports:answers"),
        {"version": version.pk, "file": upload(csv_bytes(tmp_path, data))},
    )
    problems = response.context["problems"]
    assert any(p.startswith("row 4: ") and "'2'" in p for p in problems), problems
    assert any(p.startswith("row 7: ") and "data.nope" in p for p in problems), problems
    assert "staged" not in response.context and not Round.objects.exists()


def test_japanese_import_page(client: Any, cast: Any, version: Any) -> None:
    client.force_login(cast.admin)
    page = client.get(reverse("imports:answers"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "回答のインポート" in page
