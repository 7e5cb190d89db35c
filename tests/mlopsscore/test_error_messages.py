"""Every ApplicationError message is translatable and translated into Japanese.

A message is either wrapped in ``gettext`` (with ``%(name)s`` placeholders, so the
catalogue can carry it) or built from parts that already are (a join of translated
problems); never a bare literal or an f-string.
"""

from __future__ import annotations

import ast
import pathlib

from django.conf import settings
from django.utils import translation

SOURCES = ("mlopsscore", "scoring", "surveys", "reports")


def _messages() -> list[tuple[str, int, ast.expr]]:
    found = []
    for package in SOURCES:
        for path in (pathlib.Path(settings.BASE_DIR) / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", None) == "ApplicationError"
                    and node.args
                ):
                    found.append((str(path), node.lineno, node.args[0]))
    return found


def _literal(expr: ast.expr) -> bool:
    if isinstance(expr, ast.Constant | ast.JoinedStr):
        return True
    return isinstance(expr, ast.BinOp) and (_literal(expr.left) or _literal(expr.right))


def _gettext_text(expr: ast.expr) -> str | None:
    call = expr.left if isinstance(expr, ast.BinOp) else expr
    if (
        isinstance(call, ast.Call)
        and getattr(call.func, "id", None) in {"gettext", "_"}
        and call.args
        and isinstance(call.args[0], ast.Constant)
    ):
        return str(call.args[0].value)
    return None


def test_no_application_error_carries_a_bare_literal() -> None:
    bare = [f"{path}:{line}" for path, line, expr in _messages() if _literal(expr)]
    assert bare == []


def test_every_application_error_message_has_a_japanese_translation() -> None:
    texts = {text for _, _, expr in _messages() if (text := _gettext_text(expr))}
    assert len(texts) > 50
    with translation.override("ja"):
        untranslated = sorted(t for t in texts if translation.gettext(t) == t)
    assert untranslated == []
