"""An unknown address shows the app's own page, in the demo (DEBUG on) too."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_address_shows_the_apps_404(
    client: Any, cast: Any, settings: Any, debug: bool
) -> None:
    settings.DEBUG = debug
    client.force_login(cast.member)
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "DEBUG = True" not in page and "URLconf" not in page
    assert 'href="/"' in page  # a way back


def test_the_api_keeps_its_json_404(client: Any, cast: Any, settings: Any) -> None:
    settings.DEBUG = True
    client.force_login(cast.member)
    response = client.get("/api/v1/products/no-such-product/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
