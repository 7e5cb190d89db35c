"""Evidence links must be valid http(s) URIs: markup in a link is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from surveys.models import Evidence
from tests.api.conftest import assert_error, record

URL = "/api/v1/evidence/"


@pytest.mark.parametrize(
    "link",
    [
        '"><img src=x onerror=alert(1)>',
        'https://ci.example/"><img src=x onerror=alert(1)>',
        "https://ci.example/run/<script>alert(1)</script>",
        "https://ci.example/run/`x`",
        "https://ci.example/run/%zz",
        "https://ci.example/run/{id}",
    ],
)
def test_a_link_that_is_no_uri_is_refused(client_as: Any, link: str) -> None:
    response = client_as("token").post(
        URL, json.dumps(record(url=link)), content_type="application/json"
    )
    error = assert_error(response, 400)
    assert error["details"]["url"] == ["Enter a valid web address (http or https)."]
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "link", ["https://ci.example/run/42?job=a&b=%20#x", "https://例え.jp/run/1", ""]
)
def test_web_addresses_are_stored_as_sent(client_as: Any, link: str) -> None:
    response = client_as("token").post(
        URL, json.dumps(record(url=link)), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert Evidence.objects.get().url == link
