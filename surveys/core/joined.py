"""A row and the rows it points to, read by one statement written once per process.

The ORM compiles a ``select_related`` query anew at every call: for the autosave's read
(an assessment, its round, version, questionnaire and product, and three ``EXISTS`` for
the viewer's rights) that compiling is about 3 ms of the save's CPU, three times what
PostgreSQL takes to answer. ``Joined`` writes the select list from the models' ``_meta``
once, and makes each instance as the ORM does: ``Model.from_db`` on the values passed
through the same converters (JSON decoded, SQLite's dates parsed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


class Joined:
    """The columns of ``models`` (each with its table alias) in one select list."""

    def __init__(self, models: Sequence[tuple[type[Model], str]]) -> None:
        self.models = list(models)
        quote = connection.ops.quote_name
        self.columns = ", ".join(
            f"{alias}.{quote(f.column)}"
            for model, alias in self.models
            for f in model._meta.concrete_fields
        )
        # Per model: its fields' attribute names, and per value index its converters.
        self._parts: list[tuple[type[Model], list[str], list[tuple[int, Any, list[Any]]]]] = []
        for model, alias in self.models:
            fields: list[Any] = list(model._meta.concrete_fields)
            converters = []
            for i, f in enumerate(fields):
                col = f.get_col(alias)
                found = [
                    *connection.ops.get_db_converters(col),
                    *f.get_db_converters(connection),
                ]
                if found:
                    converters.append((i, col, found))
            self._parts.append((model, [f.attname for f in fields], converters))
        self.width = sum(len(names) for _, names, _ in self._parts)

    def read(self, sql: str, params: Sequence[Any]) -> tuple[list[Any], Sequence[Any]] | None:
        """The instances of the first row ``sql`` selects, and the row's values after them
        (annotations); None when it selects no row."""
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return None if row is None else (self.instances(row), row[self.width :])

    def instances(self, row: Sequence[Any]) -> list[Any]:
        """The instances of the models in ``row``'s first ``width`` values, in order."""
        made: list[Any] = []
        start = 0
        for model, names, converters in self._parts:
            values = list(row[start : start + len(names)])
            for i, col, funcs in converters:
                for convert in funcs:
                    values[i] = convert(values[i], col, connection)
            made.append(model.from_db(connection.alias, names, values))
            start += len(names)
        return made


def column(model: type[Model], name: str) -> str:
    """The quoted column of ``model``'s field ``name``."""
    return connection.ops.quote_name(str(model._meta.get_field(name).column))  # type: ignore[union-attr]


def table(model: Any) -> str:
    """The quoted table of ``model``."""
    return connection.ops.quote_name(model._meta.db_table)


def join(model: type[Model], alias: str, on: str) -> str:
    """``JOIN`` ``model``'s table as ``alias`` where its primary key equals ``on``."""
    key = connection.ops.quote_name(model._meta.pk.column)  # type: ignore[union-attr]
    return f"JOIN {table(model)} {alias} ON {alias}.{key} = {on}"
