"""The pages load nothing from the internet: plotly.js is served by the app itself."""

from django.contrib.staticfiles import finders
from django.test import Client


def test_plotly_js_is_found_among_the_static_files() -> None:
    found = finders.find("vendor/plotly.min.js")
    assert found and found.endswith("plotly.min.js")


def test_plotly_js_is_served(client: Client) -> None:
    response = client.get("/static/vendor/plotly.min.js")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"plotly" in body[:2000].lower()
