"""Where counted figures are kept: the cache keys of rounds and how long they hold.

Closed rounds' counts are cached under the time their round report was built: a
re-score or an import rebuilds that report (DESIGN §6.2), which changes the key, so a
cached count is never stale. A closed round the cache does not hold (the first reader
after a deploy) is read from the counts stored with its report (``reports.figures.stored``,
DESIGN §5), never counted again.

An open round is counted from its stored scores as they are when the page is read. Its
counts made only of stored scores (``STAMPED_KINDS``) are cached under its stamp: a
digest (one statement on PostgreSQL) of every assessment of the round with its scores, when
they were stored, and its product's department and phase. Anything those counts are made
of changes the stamp (a submission stores new scores at a new time; a product moves), so
a page reads them as counted live, without counting them again for every reader on
deadline day. So are those of a round just closed, until its report is built (a task
after the close): every reader of it would otherwise count it in that while.

Counts of answers (items, next steps: ``ANSWER_KINDS``) read each scored assessment's
answers as last submitted, or as they are where nothing changed since (DESIGN §2). Their
stamp adds, per scored assessment, either "changed since its submission" (its submitted
answers are what count, and only a submission changes them, which stores new scores) or
its last activity (``Assessment.updated_at``, which every change of one of its answers
moves). A team's autosaves after its submission, or in a draft never scored, leave it as it
is: deadline day's saves do not make every manager's page count the answers again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.core.cache import cache
from django.db import connection

from reports.figures.selectors import RoundInfo, Scope
from surveys.assessments.models import Assessment
from surveys.organisation.models import Product

CACHE_SECONDS = 7 * 24 * 3600
# A live round's counts change with every submission: kept an hour under each stamp.
LIVE_CACHE_SECONDS = 3600
# The kinds of counts made only of stored scores (assessments' final and verified scores,
# area scores) and products' placement: a live round's are cached under its stamp.
STAMPED_KINDS = frozenset(
    {"cells", "departments", "capped", "capped-departments", "department-figures", "phase-figures"}
)
# The kinds of counts of scored assessments' answers (as submitted): a live round's are
# cached under its stamp with its answers' part.
ANSWER_KINDS = frozenset({"items", "next-steps"})
_LIVE_CACHED_KINDS = STAMPED_KINDS | ANSWER_KINDS
T = TypeVar("T")
# Set while a round's report is built: everything is counted from stored scores, neither
# the cache nor the stored counts (which are being replaced) are read.
_LIVE: ContextVar[bool] = ContextVar("reports_counted_live", default=False)


@contextmanager
def counted_live() -> Iterator[None]:
    """Count every round from its stored scores, as if nothing were cached or stored."""
    token = _LIVE.set(True)
    try:
        yield
    finally:
        _LIVE.reset(token)


def closed_key(kind: str, info: RoundInfo, scope: Scope, suffix: str = "") -> str | None:
    """A cache key for figures of a closed round with a built report (a re-score or an
    import rebuilds the round's report, which changes the key, so a cached figure is never
    stale), or of a round counted from its stored scores (open, or closed and its report
    not built yet) under its stamp (``live_stamp``); None otherwise: computed live."""
    if _live(info):
        # Counted from stored scores and answers: cached under their stamp.
        if scope.accepted_only or kind not in _LIVE_CACHED_KINDS:
            return None  # reviews' decisions: not in the stamp
        scores, answers = live_stamp(info.id)
        stamp = f"{info.status}-{scores}" + (f"-{answers}" if kind in ANSWER_KINDS else "")
        key = f"reports:{kind}:{info.id}:live-{stamp}:{_scope_digest(scope)}"
    else:
        key = f"reports:{kind}:{info.id}:{info.report_built.isoformat()}:{_scope_digest(scope)}"
    return f"{key}:{suffix}" if suffix else key


def _live(info: RoundInfo) -> bool:
    """A round counted from its stored scores: open, or closed and its report not built."""
    return info.is_provisional or info.report_built is None


def _seconds(info: RoundInfo) -> int:
    """How long a round's figures are kept: a live round's change with every submission."""
    return LIVE_CACHE_SECONDS if _live(info) else CACHE_SECONDS


# Within ``one_reading``: the stamps read so far (a page reads several figures of a round).
_STAMPS: ContextVar[dict[int, tuple[str, str]] | None] = ContextVar("live_stamps", default=None)


@contextmanager
def one_reading() -> Iterator[None]:
    """Read each live round's stamp once within (one page, one API call; within another
    reading, that one's)."""
    if _STAMPS.get() is not None:
        yield
        return
    token = _STAMPS.set({})
    try:
        yield
    finally:
        _STAMPS.reset(token)


def live_stamp(round_id: int) -> tuple[str, str]:
    """Digests of everything a live round's stamped counts (open, or closed with its
    report not built yet) are made of: of its scores, each of its assessments (product,
    final and verified score, when its scores were stored, which changes with its area
    scores) and its product's department and phase; of its answers as counted, each scored
    assessment's changed-since-submission or last activity."""
    memo = _STAMPS.get()
    if memo is None:
        return _stamp_read(round_id)
    if round_id not in memo:
        memo[round_id] = _stamp_read(round_id)
    return memo[round_id]


def _stamp_read(round_id: int) -> tuple[str, str]:
    if connection.vendor == "postgresql":  # one statement, a few milliseconds at 10,000
        with connection.cursor() as cursor:
            cursor.execute(_LIVE_STAMP, [round_id])
            count, last, scores, answers = cursor.fetchone() or (0, None, None, None)
            return f"{count}-{last}-{scores}", str(answers)
    # The embedded database of development: the same digests, made here.
    rows = list(
        Assessment.objects.filter(round_id=round_id)
        .order_by("id")
        .values_list(*_STAMPED, "unsubmitted_changes", "updated_at")
    )
    final = _STAMPED.index("final_score")
    scores = [row[: len(_STAMPED)] for row in rows]
    answers = [_answers_term(row[final], *row[len(_STAMPED) :]) for row in rows]
    return _digest(scores), _digest(answers)


def _answers_term(final_score: float | None, unsubmitted: int, updated_at: object) -> object:
    """What a scored assessment's answers as counted depend on (``_LIVE_STAMP``'s last sum)."""
    if final_score is None:
        return "-"
    return "u" if unsubmitted > 0 else updated_at


def _digest(rows: list[object]) -> str:
    return hashlib.blake2b(repr(rows).encode(), digest_size=16).hexdigest()


_STAMPED = (
    "id",
    "product_id",
    "final_score",
    "verified_score",
    "scored_at",
    "product__department_id",
    "product__phase",
)
# Each field hashed as what it is (formatting timestamps and numbers as text took half
# the statement's time), the hashes of a row combined with distinct seeds, the rows summed.
_LIVE_STAMP = f"""
SELECT count(*), max(a.id),
  sum(hashint8extended(a.id, 1) # hashint8extended(a.product_id, 2)
    # coalesce(hashfloat8extended(a.final_score, 3), 3)
    # coalesce(hashfloat8extended(a.verified_score, 4), 4)
    # coalesce(timestamp_hash_extended(a.scored_at::timestamp, 5), 5)
    # coalesce(hashint8extended(p.department_id, 6), 6)
    # coalesce(hashtextextended(p.phase, 7), 7)),
  sum(hashint8extended(a.id, 8) # CASE
    WHEN a.final_score IS NULL THEN 1
    WHEN a.unsubmitted_changes > 0 THEN 2
    ELSE coalesce(timestamp_hash_extended(a.updated_at::timestamp, 9), 9) END)
FROM {Assessment._meta.db_table} a JOIN {Product._meta.db_table} p ON p.id = a.product_id
WHERE a.round_id = %s
"""


def _scope_key(scope: Scope) -> str:
    ids = "*" if scope.department_ids is None else ",".join(map(str, sorted(scope.department_ids)))
    return f"{ids}|{scope.phase or ''}|{'accepted' if scope.accepted_only else 'all'}"


def _scope_digest(scope: Scope) -> str:
    return hashlib.sha1(_scope_key(scope).encode()).hexdigest()[:16]


def closed_cached(
    kind: str,
    info: RoundInfo,
    scope: Scope,
    compute: Callable[[], T],
    suffix: str = "",
    from_stored: Callable[[], T | None] | None = None,
) -> T:
    """``compute()`` for one round, kept in the cache under ``closed_key`` for a closed
    round with a built report (which, the cache empty, ``from_stored()`` reads from its
    stored counts when it can)."""
    if _LIVE.get():
        return compute()
    key = closed_key(kind, info, scope, suffix)
    found = cache.get(key) if key else None
    if found is None and key and from_stored is not None:
        found = from_stored()
    if found is None:
        found = compute()
        if key:
            cache.set(key, found, _seconds(info))
    return found


def closed_cached_rounds(
    kind: str,
    rounds: Sequence[RoundInfo],
    scope: Scope,
    count: Callable[[list[int]], Mapping[int, T]],
    suffix: str | None = "",
    from_stored: Callable[[list[RoundInfo]], Mapping[int, T]] | None = None,
) -> dict[int, T]:
    """``count(round_ids)`` for every round, as ``closed_cached`` but in one call: the
    rounds the cache holds are read at once, then those ``from_stored`` reads from their
    stored counts, the others counted together. ``suffix`` None: no round is read from or
    kept in the cache."""
    if _LIVE.get():
        return dict(count([info.id for info in rounds])) if rounds else {}
    keys: dict[int, str] = {}
    if suffix is not None:
        for info in rounds:
            key = closed_key(kind, info, scope, suffix)
            if key:
                keys[info.id] = key
    cached = cache.get_many(list(keys.values())) if keys else {}
    out: dict[int, T] = {pk: cached[key] for pk, key in keys.items() if key in cached}
    if from_stored is not None:
        unread = [info for info in rounds if info.id not in out]
        counted: dict[int, T] = dict(from_stored(unread)) if unread else {}
    else:
        counted = {}
    missing = [info.id for info in rounds if info.id not in out and info.id not in counted]
    counted.update(count(missing) if missing else {})
    out.update(counted)
    # Cells pickle as they are (locmem and Redis caches both pickle); one write per lifetime.
    to_store: dict[int, dict[str, T]] = {}
    for info in rounds:
        if info.id in counted and info.id in keys:
            to_store.setdefault(_seconds(info), {})[keys[info.id]] = counted[info.id]
    for seconds, values in to_store.items():
        cache.set_many(values, seconds)
    return out
