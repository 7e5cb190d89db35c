"""Storing evidence posted by CI (DESIGN §6.5).

Idempotent on (product, item, run id): re-posting replaces the record. A batch is
stored with one upsert, all or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from surveys.core.errors import ApplicationError
from surveys.evidence.models import Evidence
from surveys.evidence.selectors import item_keys_known
from surveys.evidence.signals import evidence_recorded
from surveys.tokens.models import ApiToken
from surveys.trust.models import CiIdentity

MAX_BATCH = 1000
_UPDATED = ["outcome", "observed_at", "url", "summary", "token", "origin", "received_at"]
_UNIQUE = ["product", "item_key", "run_id"]  # one run of one item's check
_INSERTED = [*_UNIQUE, *_UPDATED]


@dataclass(frozen=True)
class EvidenceIn:
    """One validated record; ``product_id`` is already resolved from the slug."""

    product_id: int
    item_key: str
    outcome: str
    observed_at: datetime
    run_id: str
    url: str = ""
    summary: str = ""

    @property
    def run_key(self) -> tuple[int, str, str]:
        return (self.product_id, self.item_key, self.run_id)


@dataclass(frozen=True)
class EvidenceCounts:
    received: int
    created: int
    replaced: int


def evidence_unknown_items(item_keys: Sequence[str | None]) -> dict[int, dict[str, list[str]]]:
    """Problems by index for item keys that are no item of any questionnaire version."""
    known = item_keys_known(key for key in item_keys if key)
    return {
        index: {"item": [f"Unknown item key {key!r}: use the key of a questionnaire item."]}
        for index, key in enumerate(item_keys)
        if key and key not in known
    }


def _upserted(rows: list[Evidence], latest: dict[tuple[int, str, str], EvidenceIn]) -> int:
    """Insert or replace ``rows`` with the ORM; how many were new."""
    # All three columns, so the lookup walks the unique (product, item_key, run_id) index
    # instead of every run the product ever posted.
    existing = set(
        Evidence.objects.filter(
            product_id__in={key[0] for key in latest},
            item_key__in={key[1] for key in latest},
            run_id__in={key[2] for key in latest},
        ).values_list("product_id", "item_key", "run_id")
    )
    Evidence.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=_UNIQUE,
        update_fields=_UPDATED,
        batch_size=MAX_BATCH,
    )
    return len(set(latest) - existing)


def _upserted_postgresql(rows: list[Evidence]) -> int:
    """The same in one statement: ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` tells
    which rows were new (a replaced row carries the inserting transaction in ``xmax``).
    A CI post is the busiest write there is: this is half the statements of the ORM's
    read-then-upsert, and nothing to compile."""
    fields: list[Any] = [Evidence._meta.get_field(name) for name in _INSERTED]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    unique = ", ".join(f'"{f.column}"' for f in fields if f.name in _UNIQUE)
    updated = ", ".join(
        f'"{f.column}" = EXCLUDED."{f.column}"' for f in fields if f.name in _UPDATED
    )
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [f.get_db_prep_save(f.pre_save(row, True), connection) for row in rows for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Evidence._meta.db_table} ({columns}) "
            f"VALUES {', '.join([one] * len(rows))} "
            f"ON CONFLICT ({unique}) "
            f"DO UPDATE SET {updated} RETURNING (xmax = 0)",
            params,
        )
        return sum(1 for (inserted,) in cursor.fetchall() if inserted)


@transaction.atomic(durable=True)
def evidence_upsert(
    *, records: Sequence[EvidenceIn], token: ApiToken | None, origin: CiIdentity | None = None
) -> EvidenceCounts:
    """Store ``records``; a record with the (product, item, run id) of a stored one replaces it.

    ``token`` or ``origin`` (the verified CI identity, DESIGN §6.6) says who posted.
    """
    if not records:
        raise ApplicationError(gettext("Send at least one evidence record."))
    if len(records) > MAX_BATCH:
        raise ApplicationError(
            gettext("A batch holds at most %(max)s records.") % {"max": f"{MAX_BATCH:,}"}
        )
    problems = evidence_unknown_items([r.item_key for r in records])
    if problems:
        raise ApplicationError(gettext("Some records name unknown items."), details=problems)
    # Within one batch the last record of a run key wins, as if posted one after the other.
    latest = {r.run_key: r for r in records}
    now = timezone.now()
    rows = [
        Evidence(
            product_id=r.product_id,
            item_key=r.item_key,
            outcome=r.outcome,
            observed_at=r.observed_at,
            url=r.url,
            run_id=r.run_id,
            summary=r.summary,
            token=token,
            origin=origin,
            received_at=now,
        )
        for r in latest.values()
    ]
    if connection.vendor == "postgresql":
        created = _upserted_postgresql(rows)
    else:
        created = _upserted(rows, latest)
    # DESIGN §6.7: the watches (a concept above) hear of every post, in this transaction.
    evidence_recorded.send(sender=Evidence, posts=latest.values(), now=now)
    return EvidenceCounts(received=len(records), created=created, replaced=len(records) - created)
