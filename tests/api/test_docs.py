"""The schema and the interactive docs are served, the docs without any internet."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_docs_page_loads_only_local_assets() -> None:
    client = Client()
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    for asset in assets:
        # The page's own settings script comes from the page's URL (no inline script:
        # the Content-Security-Policy allows none).
        if asset in ("/", "/api/redoc/"):  # the way back to the app, and ReDoc
            continue
        assert asset.startswith(("/static/", "/api/docs/?script")), asset
        assert client.get(asset).status_code == 200, asset
    assert "http://" not in html and "https://" not in html
    assert "<script>" not in html
    settings_script = client.get("/api/docs/?script=").content.decode()
    assert '"/api/schema/"' in settings_script


def test_schema_describes_the_evidence_api() -> None:
    schema = Client().get("/api/schema/?format=json").json()
    assert schema["openapi"].startswith("3.")
    post = schema["paths"]["/api/v1/evidence/"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body["oneOf"][1]["maxItems"] == 1000
    for status in ("201", "400", "401", "403", "413", "415", "429"):
        assert status in post["responses"]
    assert post["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_schema_needs_no_credentials(cast: Any) -> None:
    assert Client().get("/api/schema/").status_code == 200


def test_the_patched_redoc_bundle_names_no_missing_source_map() -> None:
    """collectstatic's manifest refuses a file that references one not shipped (the
    production start collects static files): the patched bundle drops its map comment."""
    from surveys.apidocs.staticfinders import patched_bundle

    text = patched_bundle().read_text(encoding="utf-8")
    assert not re.search(r"^//# sourceMappingURL=", text, re.MULTILINE)
    assert "cdn.redoc.ly" not in text


def test_collectstatic_with_the_manifest_storage_succeeds(tmp_path: Any, settings: Any) -> None:
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("api/redoc.standalone.*.js"))
