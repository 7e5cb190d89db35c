"""Bad input answers 400 with a message, never a 500.

Every URL pattern of the site is crawled, as a signed-in admin and anonymously, with NUL
bytes in the path, the query string and a form, and with JSON bodies holding a NUL, a
lone surrogate, a number beyond floating point and 50,000 nested brackets. No answer may
be a 5xx; the cases the guard refuses answer 400 with a message in the caller's format.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from surveys.guidelines.models import Guideline
from surveys.models import Answer
from surveys.tokens.services import token_create
from tests import factories

pytestmark = pytest.mark.django_db

# Every query parameter a view of the site reads.
PARAMS = (
    "q",
    "questionnaire",
    "baseline",
    "target",
    "department",
    "phase",
    "round",
    "page",
    "metric",
    "status",
    "archived",
    "product",
    "item",
    "format",
    "next",
    "since",
    "until",
    "outcome",
    "language",
    "username",
    "password",
    "name",
)
NUL_QUERY = "&".join(f"{name}=a%00b" for name in PARAMS)
NUL_FORM = {name: "a\x00b" for name in PARAMS}
JSON_BODIES = {
    "nul-note": json.dumps({"value": "1", "note": "a\x00b", "base_revision": 0}),
    "surrogate-note": '{"value": "1", "note": "\\ud800", "base_revision": 0}',
    "huge-base-revision": '{"value": "1", "note": "", "base_revision": 1e400}',
    "nested": "[" * 50_000 + "]" * 50_000,
}
# Where the guard itself refuses (as opposed to a view answering 404/403/405 first).
GUARDED = {"nul-query", "nul-path", "nul-form"}


@pytest.fixture
def world(cast: Any, version: Any) -> dict[str, Any]:
    """One of everything a URL can name: an open round with an assessment, a guideline,
    a token."""
    rnd = factories.make_round(version, products=(cast.product,))
    assessment = factories.make_assessment(rnd, cast.product)
    item = version.items.order_by("position").first()
    Guideline.objects.create(slug="data-validation", title={"en": "Data"}, body={"en": "x"})
    token, _ = token_create(product=cast.product, name="ci")
    superuser = factories.admin_user(username="root", is_superuser=True, is_staff=True)
    return {
        "pk": {"assessment": assessment.pk, "rounds": rnd.pk, "tokens": token.pk},
        "item_id": item.pk,
        "slug": {"guideline": "data-validation", "default": cast.product.slug},
        "admin": superuser,
        "assessment": assessment,
    }


def _patterns(
    resolver: URLResolver | None = None, prefix: str = "", name_prefix: str = ""
) -> Iterator[tuple[str, str]]:
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            yield from _patterns(pattern, prefix + str(pattern.pattern), name_prefix + namespace)
        elif isinstance(pattern, URLPattern):
            yield (name_prefix + (pattern.name or "")), prefix + str(pattern.pattern)


def _fill(name: str, route: str, world: dict[str, Any], nul: bool) -> str:
    """A concrete path for a route, naming real objects where the route names one."""
    if route.startswith("^") or "(?P" in route or route.endswith("$"):
        route = {
            "admin/^(?P<app_label>auth|django_celery_beat|axes|surveys)/$": "admin/surveys/",
        }.get(route, re.sub(r"[\^$]|\(\?P<\w+>[^)]*\)", "", route) + "anything/")
        route = re.sub(r"\(\?P<app_label>[^)]*\)", "surveys", route)

    def value(match: re.Match[str]) -> str:
        converter, kwarg = match.group(1) or "str", match.group(2)
        if nul and converter in {"str", "path", "slug"}:
            return "a%00b"
        if kwarg == "pk":
            owner = name.split(":")[0] if ":" in name else name.split("-")[0]
            return str(world["pk"].get(owner, world["pk"]["assessment"]))
        if kwarg == "item_id":
            return str(world["item_id"])
        if converter == "slug":
            return world["slug"].get(name, world["slug"]["default"])
        if converter == "int":
            return str(world["assessment"].pk)
        return "1"

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


def _cases(world: dict[str, Any]) -> list[tuple[str, str]]:
    seen, cases = set(), []
    for name, route in _patterns():
        for variant in ("plain", "nul-path"):
            path = _fill(name, route, world, nul=variant == "nul-path")
            if path not in seen:
                seen.add(path)
                cases.append((name or route, path))
    return cases


def _client(who: str, world: dict[str, Any]) -> Client:
    client = Client(raise_request_exception=False)
    if who == "admin":
        client.force_login(world["admin"])
    return client


def _send(client: Client, variant: str, path: str) -> Any:
    if variant == "nul-query":
        return client.get(f"{path}?{NUL_QUERY}")
    if variant == "nul-path":
        return client.get(path)
    if variant == "nul-form":
        return client.post(path, NUL_FORM)
    return client.post(path, JSON_BODIES[variant], content_type="application/json")


def _message(response: Any) -> str:
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        error = body.get("error")
        return error["message"] if isinstance(error, dict) else str(error)
    return response.content.decode()


@pytest.mark.parametrize("who", ["admin", "anonymous"])
@pytest.mark.parametrize("variant", ["nul-query", "nul-path", "nul-form", *JSON_BODIES])
def test_no_url_answers_a_server_error_to_bad_input(world: Any, who: str, variant: str) -> None:
    failures = []
    client = _client(who, world)
    for name, path in _cases(world):
        if (variant == "nul-path") != ("%00" in path):
            continue
        response = _send(client, variant, path)
        if who == "admin" and "_auth_user_id" not in client.session:
            client.force_login(world["admin"])  # the crawl posted to the logout page
        # The API takes JSON only: a form post there is refused as 415 before any field is read.
        guarded = variant in GUARDED and not (variant == "nul-form" and path.startswith("/api/"))
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {name} {path}")
        elif guarded:
            if response.status_code != 400:
                failures.append(f"{response.status_code} (not 400) {name} {path}")
            elif "NUL character" not in _message(response):
                failures.append(f"no message: {name} {path}")
    assert not failures, "\n".join(failures)


# --- the cases of the issue, one by one, with what the caller sees -------------------


@pytest.mark.parametrize(
    "url",
    [
        "/?q=%00",
        "/reports/?questionnaire=%00",
        "/reports/answers.csv?questionnaire=%00",
        "/reports/export.xlsx?department=%00",
        "/rounds/?status=%00",
    ],
)
def test_a_nul_in_the_query_string_is_a_400_page_with_a_message(world: Any, url: str) -> None:
    response = _client("admin", world).get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "<h1>Bad request</h1>" in page
    assert "NUL character" in page


def test_a_nul_in_an_api_query_is_a_400_in_the_api_error_shape(world: Any) -> None:
    response = _client("admin", world).get("/api/v1/rounds/?status=%00")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "NUL character" in response.json()["error"]["message"]


def test_the_guard_speaks_japanese(world: Any) -> None:
    client = _client("admin", world)
    response = client.get("/?q=%00", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 400
    assert "NUL 文字" in response.content.decode()


def _autosave(world: Any, body: str) -> Any:
    assessment = world["assessment"]
    client = _client("admin", world)
    return client.post(
        f"/assessments/{assessment.pk}/items/{world['item_id']}/",
        body,
        content_type="application/json",
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (JSON_BODIES["nul-note"], "NUL character"),
        (JSON_BODIES["surrogate-note"], "invalid Unicode"),
        (JSON_BODIES["huge-base-revision"], "too large"),
        (JSON_BODIES["nested"], "nested more than 64 levels"),
        ('{"value": "1", "base_revision": 99999999999999999999999}', "base_revision"),
        ('{"value": "1", "base_revision": "1"}', "base_revision"),
        ('{"value": "1", "base_revision": NaN}', "NaN"),
        ('{"value": "1", "note": {"a": 1}, "base_revision": 0}', "note must be text"),
        ('{"value": [1], "base_revision": 0}', "value must be"),
        ("[1, 2]", "one JSON object"),
    ],
)
def test_bad_autosave_bodies_answer_400_and_change_nothing(
    world: Any, body: str, message: str
) -> None:
    response = _autosave(world, body)
    assert response.status_code == 400
    assert message in response.json()["error"]
    answer = Answer.objects.get(assessment=world["assessment"], item_id=world["item_id"])
    assert (answer.value, answer.note, answer.revision) == (None, "", 0)


def test_a_nul_in_a_form_post_is_a_400_and_changes_nothing(world: Any) -> None:
    assessment = world["assessment"]
    item = world["item_id"]
    response = _client("admin", world).post(
        f"/assessments/{assessment.pk}/",
        {f"v-{item}": "1", f"n-{item}": "note\x00", f"rev-{item}": "0"},
    )
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    assert Answer.objects.get(assessment=assessment, item_id=item).value is None


def test_the_api_parser_refuses_deep_nesting_and_huge_numbers(world: Any) -> None:
    _, raw = token_create(product=world["assessment"].product, name="more")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    for body in (JSON_BODIES["nested"], '{"product": 1e400}'):
        response = client.post("/api/v1/evidence/", body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "parse_error"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[" * 50_000 + b"]" * 50_000, "nested more than 64 levels"),
        (b'{"key": "a\\u0000b"}', "NUL character"),
        (b'{"key": "\\ud800"}', "invalid Unicode"),
        (b'{"max_na_per_area": 1e400}', "too large"),
    ],
)
def test_a_questionnaire_file_nobody_can_store_is_refused_with_a_message(
    world: Any, content: bytes, message: str
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("q.json", content, content_type="application/json")
    response = _client("admin", world).post("/questionnaires/load/", {"file": upload}, follow=True)
    assert response.status_code == 200
    assert "The file is not valid JSON" in response.content.decode()
    assert message in response.content.decode()
