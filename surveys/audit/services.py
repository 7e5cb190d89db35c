"""Writing the audit trail. Callers run inside their own transaction: the row commits
with the change it records, or not at all."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from surveys.audit.models import AuditEvent
from surveys.core.actors import Actor


def _person(by: Actor) -> Any:
    """A signed-in person, or None (a task, a command, an anonymous request)."""
    return by if getattr(by, "is_authenticated", False) and getattr(by, "pk", None) else None


def audit_record(
    *,
    by: Actor,
    category: str,
    action: str,
    subject: Model | None = None,
    target: str = "",
    source: str = "web",
    **data: Any,
) -> AuditEvent:
    return AuditEvent.objects.create(
        by=_person(by),
        source=source,
        category=category,
        action=action,
        target=(target or (str(subject) if subject is not None else ""))[:200],
        subject_type=(subject._meta.model_name or "") if subject is not None else "",
        subject_id=subject.pk if subject is not None else None,
        data=data,
    )


def changes_of(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields that differ."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
