"""The answers import from the browser: a dry run of the uploaded file, then its
confirmation, through the same ``answers_import`` as the command."""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from surveys.audit.models import AuditCategory
from surveys.audit.services import audit_record
from surveys.imports.services import ImportResult, answers_import
from surveys.questionnaires.models import QuestionnaireVersion
from surveys.uploads.models import StagedUpload
from surveys.uploads.services import upload_stage, upload_take

KIND = "answers"


def answers_dry_run(
    *, version: QuestionnaireVersion, content: bytes, name: str, by: User
) -> tuple[ImportResult, StagedUpload]:
    """What importing the file would do (nothing is written), and the file kept for the
    confirmation. Raises ``ApplicationError`` listing every problem by row."""
    result = answers_import(version=version, file=io.BytesIO(content), by=by, dry_run=True)
    staged = upload_stage(by=by, kind=KIND, name=name, content=content, version=version.pk)
    return result, staged


@transaction.atomic(durable=True)
def answers_confirm(*, staged_id: Any, by: User) -> tuple[ImportResult, QuestionnaireVersion]:
    staged = upload_take(pk=staged_id, by=by, kind=KIND)
    version = QuestionnaireVersion.objects.select_related("questionnaire").get(
        pk=staged.options["version"]
    )
    result = answers_import(version=version, file=io.BytesIO(bytes(staged.content)), by=by)
    audit_record(
        by=by,
        category=AuditCategory.IMPORTS,
        action="answers.imported",
        subject=version,
        target=f"{staged.name} → {version.label}",
        source="import",
        summary=result.summary(),
    )
    return result, version
