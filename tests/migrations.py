"""Running a data migration in a test: the database is taken back to just before it, the
test writes the old data and migrates forward, and the database is left at the newest
migrations again whatever happens."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets: list[tuple[str, str]]) -> Any:
    """Migrate to ``targets``; the app registry of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@contextmanager
def before_migration(target: tuple[str, str]) -> Iterator[Any]:
    """The app registry just before ``target`` (its parents applied, it not); back at the
    newest migrations afterwards."""
    graph = MigrationExecutor(connection).loader.graph
    before = [parent.key for parent in graph.node_map[target].parents]
    leaves = graph.leaf_nodes()
    try:
        yield migrate(before)
    finally:
        migrate(leaves)
