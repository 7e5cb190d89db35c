"""Serve ReDoc's bundle as ``api/redoc.standalone.js`` with its one outside address (the
Redocly logo on cdn.redoc.ly, blocked by the page's CSP and shown broken) pointing at the
app's own favicon, so the API docs load nothing from the internet.

The patched copy is written once per installed bundle into the temporary directory. Its
source-map comment goes too: the map is not shipped, and collectstatic's manifest would
refuse a reference to a file that is not there.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path
from typing import Any

import drf_spectacular_sidecar
from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

SOURCE = (
    Path(drf_spectacular_sidecar.__file__).parent
    / "static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
)
NAME = "api/redoc.standalone.js"
CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)
# Bumped when the patch changes, so an older patched copy is not served again.
PATCH = "2"


def patched_bundle() -> Path:
    text = SOURCE.read_text(encoding="utf-8")
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"mlopsscore-redoc-{digest}-{PATCH}"
    target = folder / "api" / "redoc.standalone.js"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".tmp")
        patched = SOURCE_MAP.sub("", text.replace(CDN_LOGO, f"{settings.STATIC_URL}favicon.svg"))
        partial.write_text(patched)
        partial.replace(target)
    return target


class RedocFinder(BaseFinder):
    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        if path != NAME or not SOURCE.exists():
            return []  # Django reads a falsy non-list as a match of None
        found = str(patched_bundle())
        return [found] if find_all else found

    def list(self, ignore_patterns: Any) -> Any:
        if SOURCE.exists():
            storage = FileSystemStorage(location=str(patched_bundle().parent))
            storage.prefix = "api"  # type: ignore[attr-defined]
            yield "redoc.standalone.js", storage
