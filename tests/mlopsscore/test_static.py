"""The pages load nothing from the internet: one plotly.js, the vendored cartesian bundle
(static/vendor, README there), serves every chart of the app."""

from django.contrib.staticfiles import finders
from django.test import Client


def test_the_one_plotly_bundle_is_among_the_static_files() -> None:
    found = finders.find("vendor/plotly-cartesian.min.js")
    assert found and found.endswith("static/vendor/plotly-cartesian.min.js")
    # No second copy is served from the plotly package any more.
    assert finders.find("vendor/plotly.min.js") is None


def test_plotly_js_is_served(client: Client) -> None:
    response = client.get("/static/vendor/plotly-cartesian.min.js")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"plotly.js (cartesian - minified)" in body[:2000]
