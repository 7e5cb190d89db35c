"""Reads of the reports app: stored scores fetched in a few set-based queries.

Every function here returns plain rows or DataFrames for the whole questionnaire at
once (never one query per product or per round), restricted to a ``Scope``: the
departments a user may read (DESIGN §7) and the page's department and phase filters.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, Q
from django.utils.translation import gettext

from surveys.assessments.models import Answer, AreaScore, Assessment
from surveys.assessments.selectors import submitted_field
from surveys.core.errors import ApplicationError
from surveys.core.i18n import tr
from surveys.organisation.models import Department
from surveys.organisation.selectors import department_descendant_ids
from surveys.questionnaires.models import Area, Item, Questionnaire
from surveys.reviews.selectors import accepted_q
from surveys.rounds.models import Round, RoundReport

CHUNK = 5000
ASSESSMENT_COLUMNS = [
    "id",
    "round_id",
    "product_id",
    "status",
    "final",
    "verified",
    "department_id",
    "phase",
]


@dataclass(frozen=True)
class Scope:
    """Which products a report covers. ``department_ids`` None means every department."""

    department_ids: frozenset[int] | None = None
    phase: str | None = None
    # The products whose own rows (answers, a product's scores) may be listed; None: every
    # product in the scope. A respondent reads aggregates of their departments but the
    # answers of their own products only (DESIGN §7).
    listed_product_ids: frozenset[int] | None = None
    # Only assessments an MLOps admin's review accepted as submitted.
    accepted_only: bool = False

    @property
    def is_everything(self) -> bool:
        return self.department_ids is None and not self.phase and not self.accepted_only

    def assessments_q(self, prefix: str = "") -> Q:
        """A filter on assessments reached through ``prefix`` (e.g. ``"assessment__"``)."""
        return accepted_q(prefix) if self.accepted_only else Q()

    def q(self, prefix: str = "") -> Q:
        """A filter on products reached through ``prefix`` (e.g. ``"assessment__product__"``)."""
        query = Q()
        if self.department_ids is not None:
            query &= Q(**{f"{prefix}department_id__in": sorted(self.department_ids)})
        if self.phase:
            query &= Q(**{f"{prefix}phase": self.phase})
        return query

    def rows_q(self, prefix: str = "") -> Q:
        """``q``, further limited to the products whose own rows may be listed."""
        query = self.q(prefix)
        if self.listed_product_ids is not None:
            query &= Q(**{f"{prefix}id__in": sorted(self.listed_product_ids)})
        return query

    def narrowed(self, *, department_id: int | None, phase: str | None) -> Scope:
        """This scope, further limited to a department (with its sub-departments) and phase."""
        ids = self.department_ids
        if department_id is not None:
            subtree = frozenset(department_descendant_ids({department_id}))
            ids = subtree if ids is None else ids & subtree
        return Scope(ids, phase or self.phase, self.listed_product_ids, self.accepted_only)


EVERYTHING = Scope()


def scope_for(
    visible_department_ids: set[int] | None, listed_product_ids: set[int] | None = None
) -> Scope:
    return Scope(
        None if visible_department_ids is None else frozenset(visible_department_ids),
        listed_product_ids=None if listed_product_ids is None else frozenset(listed_product_ids),
    )


@dataclass(frozen=True)
class RoundInfo:
    id: int
    label: str
    opens_on: Any
    status: str
    version_id: int
    version_label: str
    area_keys: tuple[str, ...]
    has_report: bool = False
    # Each area's title as a language map (DESIGN §5: people see names, never keys).
    area_titles: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    # When the round's stored report was built: a re-score or an import rebuilds it.
    report_built: Any = None

    @property
    def is_provisional(self) -> bool:
        """A round that has not closed: its figures change until it does (DESIGN §5)."""
        return self.status != "closed"


def questionnaire_get(key: str) -> Questionnaire:
    questionnaire = Questionnaire.objects.filter(key=key).first()
    if questionnaire is None:
        known = ", ".join(Questionnaire.objects.order_by("key").values_list("key", flat=True))
        if known:
            raise ApplicationError(
                gettext("Unknown questionnaire %(key)r. Known questionnaires: %(known)s.")
                % {"key": key, "known": known}
            )
        raise ApplicationError(gettext("Unknown questionnaire %(key)r.") % {"key": key})
    return questionnaire


def rounds_of(questionnaire: Questionnaire) -> list[RoundInfo]:
    """The questionnaire's rounds in date order (``opens_on``, then id), with area keys."""
    rows = list(
        Round.objects.filter(questionnaire=questionnaire)
        .order_by("opens_on", "id")
        .values_list("id", "label", "opens_on", "status", "version_id", "version__version")
    )
    version_ids = {row[4] for row in rows}
    areas: dict[int, list[str]] = {}
    titles: dict[int, dict[str, Any]] = {}
    for version_id, key, title in (
        Area.objects.filter(version_id__in=version_ids)
        .order_by("version_id", "position")
        .values_list("version_id", "key", "title")
    ):
        areas.setdefault(version_id, []).append(key)
        titles.setdefault(version_id, {})[key] = title
    reported = dict(
        RoundReport.objects.filter(round_id__in=[r[0] for r in rows]).values_list(
            "round_id", "built_at"
        )
    )
    return [
        RoundInfo(
            id=pk,
            label=label,
            opens_on=opens_on,
            status=status,
            version_id=version_id,
            version_label=f"{questionnaire.key}@{version}",
            area_keys=tuple(areas.get(version_id, ())),
            has_report=pk in reported,
            area_titles=titles.get(version_id, {}),
            report_built=reported.get(pk),
        )
        for pk, label, opens_on, status, version_id, version in rows
    ]


def _chunked(queryset: Any) -> Iterator[Any]:
    return queryset.iterator(chunk_size=CHUNK)


FRAME_CHUNK = 50_000


def _frame(queryset: Any, columns: list[str], dtypes: dict[str, str]) -> pd.DataFrame:
    """Rows read in chunks into typed frames, so only one chunk is ever held as tuples.

    On PostgreSQL the rows come as one CSV text parsed by pandas' C reader: at 10,000
    products × 20 rounds (a million rows) that is several times faster than building a
    Python tuple per row.
    """
    if connections[queryset.db].vendor == "postgresql":
        try:
            return _frame_copy(queryset, columns, dtypes)
        except EmptyResultSet:
            pass  # nothing matches (or no visible department): the empty typed frame below
    parts: list[pd.DataFrame] = []
    batch: list[Any] = []
    for row in _chunked(queryset):
        batch.append(row)
        if len(batch) == FRAME_CHUNK:
            parts.append(pd.DataFrame(batch, columns=columns).astype(dtypes))
            batch = []
    parts.append(pd.DataFrame(batch, columns=columns).astype(dtypes))
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    # Categories of different chunks differ; concat turns them back to objects.
    return frame.astype(dtypes)


# pandas 3 parses floats exactly by default (and deprecates the option); pandas 2 needs it.
_ROUND_TRIP: dict[str, Any] = (
    {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}
)


def _frame_copy(queryset: Any, columns: list[str], dtypes: dict[str, str]) -> pd.DataFrame:
    sql, params = queryset.query.sql_with_params()
    names = ", ".join(f"c{n}" for n in range(len(columns)))
    # One text value holding every row as CSV (NULL prints as an empty field; floats
    # print in their shortest exact form), so the client parses once instead of building
    # a Python tuple per row. Keys, statuses and phases are slugs: no comma, no quote.
    line = ",".join(["%%s"] * len(columns))
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            f"SELECT string_agg(format('{line}', {names}), E'\\n') FROM ({sql}) AS rows ({names})",
            params,
        )
        text = cursor.fetchone()[0]
    if text is None:
        raise EmptyResultSet
    strings = {name: "string" for name, kind in dtypes.items() if kind == "category"}
    floats = [name for name, kind in dtypes.items() if kind == "float64"]
    frame = pd.read_csv(
        io.StringIO(text),
        header=None,
        names=columns,
        dtype={**strings, **dict.fromkeys(floats, "float64")},
        keep_default_na=False,
        na_values={name: [""] for name in floats},
        **_ROUND_TRIP,
    )
    # Text columns as Python strings (as the ORM gives them), then as categories.
    return frame.astype(dict.fromkeys(strings, object)).astype(dtypes)


def assessment_frame(*, round_ids: list[int], scope: Scope = EVERYTHING) -> pd.DataFrame:
    """One row per assessment of these rounds: its stored scores and its product's place."""
    rows = (
        Assessment.objects.filter(round_id__in=round_ids)
        .filter(scope.q("product__"), scope.assessments_q())
        .values_list(
            "id",
            "round_id",
            "product_id",
            "status",
            "final_score",
            "verified_score",
            "product__department_id",
            "product__phase",
        )
    )
    return _frame(
        rows,
        ASSESSMENT_COLUMNS,
        {"final": "float64", "verified": "float64", "status": "category", "phase": "category"},
    )


def area_score_frame(*, round_ids: list[int], scope: Scope = EVERYTHING) -> pd.DataFrame:
    """Stored area scores of the scored assessments of these rounds."""
    rows = (
        AreaScore.objects.filter(
            assessment__round_id__in=round_ids, assessment__final_score__isnull=False
        )
        .filter(scope.q("assessment__product__"), scope.assessments_q("assessment__"))
        .values_list("assessment_id", "area_key", "score", "verified_score")
    )
    return _frame(
        rows,
        ["assessment_id", "area_key", "score", "verified"],
        {"score": "float64", "verified": "float64", "area_key": "category"},
    )


ItemCounts = list[tuple[str, str, int]]


def item_value_counts(*, round_ids: list[int], scope: Scope = EVERYTHING) -> dict[int, ItemCounts]:
    """Per round: (item key, value, how many scored assessments answered it so) (one query)."""
    out: dict[int, ItemCounts] = {pk: [] for pk in round_ids}
    rows = (
        Answer.objects.filter(
            assessment__round_id__in=round_ids, assessment__final_score__isnull=False
        )
        .filter(scope.q("assessment__product__"), scope.assessments_q("assessment__"))
        .annotate(submitted=submitted_field("value"))
        .values_list("assessment__round_id", "item__key", "submitted")
        .annotate(n=Count("id"))
        .order_by()
    )
    for round_id, key, value, n in rows:
        out[round_id].append((key, value, n))
    return out


def item_value_counts_by_group(*, round_id: int) -> dict[tuple[int, str], ItemCounts]:
    """One round's ``item_value_counts`` by its products' own department and phase (one query)."""
    out: dict[tuple[int, str], ItemCounts] = {}
    rows = (
        Answer.objects.filter(assessment__round_id=round_id, assessment__final_score__isnull=False)
        .values_list(
            "assessment__product__department_id",
            "assessment__product__phase",
            "item__key",
            "value",
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    for department_id, phase, key, value, n in rows:
        out.setdefault((department_id, phase), []).append((key, value, n))
    return out


def scored_by_group(*, round_id: int) -> dict[tuple[int, str], list[tuple[int, float]]]:
    """One round's scored products as (product id, final score), by the product's own
    department and phase (one query)."""
    out: dict[tuple[int, str], list[tuple[int, float]]] = {}
    rows = (
        Assessment.objects.filter(round_id=round_id, final_score__isnull=False)
        .order_by("product_id")
        .values_list("product__department_id", "product__phase", "product_id", "final_score")
    )
    for department_id, phase, product_id, final in rows:
        out.setdefault((department_id, phase), []).append((product_id, float(final or 0)))
    return out


@dataclass(frozen=True)
class ItemInfo:
    key: str
    code: str
    title: Any
    area_key: str
    guideline: str


def items_of(version_ids: set[int]) -> dict[int, list[ItemInfo]]:
    """Each version's items in questionnaire order."""
    out: dict[int, list[ItemInfo]] = {}
    for version_id, key, code, title, area_key, guideline in (
        Item.objects.filter(version_id__in=version_ids)
        .order_by("version_id", "area__position", "position")
        .values_list("version_id", "key", "code", "title", "area__key", "guideline")
    ):
        out.setdefault(version_id, []).append(ItemInfo(key, code, title, area_key, guideline))
    return out


def departments_tree() -> list[tuple[int, str, str, int | None]]:
    """Every department as (id, slug, name, parent id)."""
    return list(Department.objects.order_by("name").values_list("id", "slug", "name", "parent_id"))


# Closed rounds' stored report parts that every page reads, decoded, kept by the process
# under the time their report was built (a re-score or an import rebuilds it, which
# changes the key, as for the cache): every report page read the snapshots of all its
# rounds, and decoding their JSON was a tenth of its time. A snapshot is about 100 KB
# decoded at 10,000 products, a round's stored scores 600 KB: the bound keeps a process
# within tens of MB. Readers never change what they are given.
_DECODED: OrderedDict[tuple[int, str, str], Any] = OrderedDict()
DECODED_MAX = 128
_DECODED_LOCK = threading.Lock()


def decoded_clear() -> None:
    with _DECODED_LOCK:
        _DECODED.clear()


def report_parts(
    rounds: Sequence[RoundInfo], part: str, *, keep: bool = True, **where: Any
) -> dict[int, Any]:
    """Round id → one part of its stored report (``data``, ``counts__cells``…), for the
    rounds with a built report that have it (one query for the rounds not read yet).
    ``keep``: decoded once per process and report build, for the parts every page reads
    (the others are read when the cache lacks the figures made of them, then cached as
    such). ``where``: filters a report must meet."""
    keys = {
        info.id: (info.id, info.report_built.isoformat(), part)
        for info in rounds
        if info.report_built is not None
    }
    out: dict[int, Any] = {}
    with _DECODED_LOCK:
        for pk, key in keys.items():
            if key in _DECODED:
                _DECODED.move_to_end(key)
                out[pk] = _DECODED[key]
    missing = [pk for pk in keys if pk not in out]
    if not missing:
        return out
    rows = RoundReport.objects.filter(round_id__in=missing, **where).values_list(
        "round_id", "built_at", part
    )
    with _DECODED_LOCK:
        for pk, built_at, value in rows:
            if value is None:
                continue
            out[pk] = value
            # A report rebuilt since the rounds were read is given, not kept under their key.
            if keep and built_at.isoformat() == keys[pk][1]:
                _DECODED[keys[pk]] = value
        while len(_DECODED) > DECODED_MAX:
            _DECODED.popitem(last=False)
    return out


def round_reports(rounds: Sequence[RoundInfo]) -> dict[int, dict[str, Any]]:
    """Round id → its stored snapshot (``RoundReport.data``), for rounds with a report."""
    return report_parts([info for info in rounds if info.has_report], "data")


def finals_by_product(*, round_id: int, scope: Scope = EVERYTHING) -> dict[int, float]:
    """Product id → stored final score of the scored assessments of one round."""
    rows = (
        Assessment.objects.filter(round_id=round_id, final_score__isnull=False)
        .filter(scope.q("product__"))
        .values_list("product_id", "final_score")
    )
    return {int(pk): float(final) for pk, final in rows if final is not None}


def item_successors(version_ids: set[int]) -> dict[str, str]:
    """``{old key: key of the item replacing it}`` over these versions (DESIGN §2 lineage)."""
    return dict(
        Item.objects.filter(version_id__in=version_ids)
        .exclude(replaces="")
        .order_by("version__created_at", "position")
        .values_list("replaces", "key")
    )


def area_names(rounds: Sequence[RoundInfo]) -> dict[str, str]:
    """Each area key's title in the reader's language, from the latest version that has it."""
    names: dict[str, str] = {}
    for info in rounds:
        for key in info.area_keys:
            names[key] = tr(info.area_titles.get(key)) or key
    return names
