"""``scoring`` is pure Python: no module imports Django (STYLE.md); it is no Django app."""

import ast
import pathlib

import scoring

ALLOWED = {"__future__", "enum", "collections", "dataclasses", "datetime", "math", "scoring"}


def test_no_scoring_module_imports_django() -> None:
    folder = pathlib.Path(scoring.__file__).parent
    modules = list(folder.glob("*.py"))
    assert len(modules) >= 8
    for path in modules:
        tree = ast.parse(path.read_text())
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in (
                node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
            )
        }
        assert imported <= ALLOWED, path.name
