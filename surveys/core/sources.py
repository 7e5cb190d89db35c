"""Where a change came from (DESIGN §4): every answer, score and round change records it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RevisionSource(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    CARRY = "carry", _("Carried forward")
    ADMIN = "admin", _("Admin")
    JOB = "job", _("Periodic job")
