"""Answers files (DESIGN §6.2): historical answers from CSV or XLSX, all or nothing.

The whole file is read and validated in memory first (dict lookups, no query per row);
any problem rejects it with every problem listed by its row number (the header is row
1). Only a valid file is written, in one transaction, with bulk inserts and updates, and
scored as closing its rounds would have scored it.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext, ngettext

from surveys.core.actors import Actor
from surveys.core.errors import ApplicationError
from surveys.imports.reading import numbered_rows, opened
from surveys.imports.validation import Validator
from surveys.imports.writing import ImportResult, RoundResult, Writer
from surveys.questionnaires.models import QuestionnaireVersion

__all__ = ["ImportResult", "RoundResult", "answers_import"]


class _RolledBack(Exception):
    """Leaves a dry run's savepoint: everything it wrote is rolled back."""

    def __init__(self, result: ImportResult) -> None:
        self.result = result


def _checked(
    *,
    version: QuestionnaireVersion,
    path: str | Path | None = None,
    file: IO[Any] | None = None,
) -> tuple[Validator, list[str]]:
    checked = Validator(version)
    with opened(path, file) as stream:
        header_ok = checked.read(numbered_rows(stream))
    if header_ok:
        # Invalid rows were left out; the checks across rows still run on the others,
        # so that one reading lists every problem of the file.
        checked.check_rounds()
        checked.check_answers()
    return checked, checked.problems()


@transaction.atomic
def answers_import(
    *,
    version: QuestionnaireVersion,
    path: str | Path | None = None,
    file: IO[Any] | None = None,
    by: Actor = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import an answers file (DESIGN §6.2) into ``version``'s rounds, all or nothing.

    Give ``path`` or an open binary ``file`` (CSV in UTF-8, with or without BOM, or
    XLSX). Raises ``ApplicationError`` whose ``details`` list every problem as
    ``row N: ...``; nothing is written then. ``dry_run`` writes everything inside a
    savepoint and rolls it back: the result says what the import would do.
    """
    checked, problems = _checked(version=version, path=path, file=file)
    if problems:
        raise ApplicationError(
            ngettext(
                "The answers file has %(count)d problem; nothing was imported.",
                "The answers file has %(count)d problems; nothing was imported.",
                len(problems),
            )
            % {"count": len(problems)},
            details=problems,
        )
    try:
        with transaction.atomic():
            result = Writer(version, checked, by).write()
            if dry_run:
                raise _RolledBack(result)
            return result
    except _RolledBack as done:
        return done.result
    except IntegrityError as exc:
        # Only another import (or an admin) writing the same rounds at the same time.
        raise ApplicationError(
            gettext(
                "The same rounds or products were changed while importing; import the file again."
            )
        ) from exc
