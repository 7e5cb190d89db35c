"""Staging an uploaded file between its dry run and its confirmation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from surveys.core.errors import ApplicationError
from surveys.uploads.models import StagedUpload

MAX_BYTES = 50 * 1024 * 1024
KEEP = dt.timedelta(hours=1)


def upload_stage(*, by: User, kind: str, name: str, content: bytes, **options: Any) -> StagedUpload:
    """Keep an uploaded file for its uploader (a person, never the job) to confirm."""
    if len(content) > MAX_BYTES:
        raise ApplicationError(gettext("The file is larger than 50 MB."))
    StagedUpload.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    return StagedUpload.objects.create(
        by=by, kind=kind, name=name[:255], content=content, options=options
    )


@transaction.atomic
def upload_take(*, pk: Any, by: User, kind: str) -> StagedUpload:
    """The staged file of ``by``, removed so that one confirmation applies it once."""
    staged = (
        StagedUpload.objects.select_for_update()
        .filter(pk=pk, by=by, kind=kind, created_at__gte=timezone.now() - KEEP)
        .first()
    )
    if staged is None:
        raise ApplicationError(
            gettext("That upload has expired or was applied already: upload the file again.")
        )
    staged.delete()
    return staged
