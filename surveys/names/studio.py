"""The studio's problems name items by code and title, areas by title (DESIGN §5), where
the file rules (shared with the command line) name them by key."""

from __future__ import annotations

import re
from typing import Any

from surveys.core.i18n import tr

_ITEM = re.compile(r"(?:area '[^']*', )?item '([^']+)'")
_AREA = re.compile(r"area '([^']+)'")


def problems_by_name(version: Any, problems: list[str]) -> list[str]:
    if not problems:
        return problems
    items = {i.key: f"{i.code} {tr(i.title)}".strip() for i in version.items.all()}
    areas = {a.key: tr(a.title) or a.key for a in version.areas.all()}

    def item(match: re.Match[str]) -> str:
        return items.get(match.group(1), match.group(0))

    def area(match: re.Match[str]) -> str:
        return areas.get(match.group(1), match.group(0))

    return [_AREA.sub(area, _ITEM.sub(item, problem)) for problem in problems]
