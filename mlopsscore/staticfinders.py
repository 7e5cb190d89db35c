"""Serve plotly.js from the installed plotly package as ``vendor/plotly.min.js``.

The charts must work with no internet connection, and the package already ships the
exact plotly.js its Python side was built for, so the app serves that file instead of
keeping a 4 MB copy in the repository.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
FILES = {"vendor/plotly.min.js": PLOTLY_DIR / "plotly.min.js"}


class PlotlyFinder(BaseFinder):
    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        found = FILES.get(path)
        if found is None or not found.exists():
            return [] if find_all else None
        return [str(found)] if find_all else str(found)

    def list(self, ignore_patterns: Any) -> Any:
        storage = FileSystemStorage(location=str(PLOTLY_DIR))
        storage.prefix = "vendor"  # type: ignore[attr-defined]
        yield "plotly.min.js", storage
