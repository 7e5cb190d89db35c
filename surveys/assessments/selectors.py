"""Reads of assessments for the survey pages: always scoped by ``products_visible_to``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Case, F, QuerySet, When
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from scoring.bands import band_meaning as scoring_band_meaning
from scoring.figures import figure
from scoring.next_steps import next_steps
from scoring.values import NA
from surveys.assessments.models import (
    Answer,
    AnswerRevision,
    AreaScore,
    Assessment,
    RoundOfAssessment,
)
from surveys.assessments.scores import (
    assessment_values,
    backed_item_keys,
    cards_for,
    version_layout,
)
from surveys.core.i18n import tr
from surveys.core.joined import Joined, column, join, table
from surveys.evidence.models import Evidence, Outcome
from surveys.organisation.models import Product
from surveys.organisation.roles import (
    is_admin,
    roles_remember,
    sees_everything,
    viewer_roles_params,
    viewer_roles_sql,
)
from surveys.organisation.selectors import (
    product_editable_by,
    product_editable_remember,
    products_visible_to,
    token_of,
)
from surveys.questionnaires.models import Item
from surveys.questionnaires.selectors import version_items


def band_meaning(key: str) -> str:
    """The rubric's meaning of a band (``scoring.bands``), in the reader's language."""
    meaning = scoring_band_meaning(key)
    return _(meaning) if meaning else ""


def assessments_visible_to(user: Any) -> QuerySet[Assessment]:
    rows = Assessment.objects.select_related(
        "round", "round__version", "round__version__questionnaire", "product"
    )
    if user.is_authenticated and token_of(user) is None and sees_everything(user):
        return rows  # no "product IN (every product)" for the planner to scan
    return rows.filter(product__in=products_visible_to(user))


def edit_refusal(
    user: Any, assessment: Assessment, round: RoundOfAssessment | None = None
) -> str | None:
    """Why ``user`` may not change ``assessment`` now, or None when they may: the one rule
    of who edits (DESIGN §7: members of the product and admins, while the round is open;
    nobody after). The services apply it to the round they locked; pages, to show it."""
    round = round or assessment.round
    if not round.has_opened:
        return _("This round has not opened yet.")
    if not round.is_open:
        return _("This round is closed: its answers can no longer change.")
    if not product_editable_by(user, assessment.product_id):
        return _("You may not change this assessment.")
    return None


def assessment_editable_by(user: Any, assessment: Assessment) -> bool:
    return edit_refusal(user, assessment) is None


def assessment_seen_by(user: Any, pk: int) -> Assessment | None:
    """The assessment, its round and product, and what ``user`` may do with it, read in
    one query (an autosave runs at every choice, so each query counts; the assessment
    pages read it so too); None when ``user`` may not see it. The same rules as
    ``products_visible_to`` and ``products_editable_by``: admins and managers see every
    product, members theirs; admins and members edit.

    The statement is written once per process (``surveys.core.joined``): compiling the
    same read with the ORM took three times what the database takes to answer it.
    """
    if not user.is_authenticated or token_of(user) is not None:
        return None
    sql, joined = _autosave_read()
    read = joined.read(sql, [*viewer_roles_params(user.pk), user.pk, pk])
    if read is None:
        return None
    (found, round, version, questionnaire, product), rights = read
    version.questionnaire = questionnaire
    round.version = version
    found.round = round
    found.product = product
    admin, manager, member = (bool(v) for v in rights)
    roles_remember(user, admin=admin, manager=manager)
    if not (sees_everything(user) or member):
        return None
    product_editable_remember(user, found.product_id, is_admin(user) or member)
    return found


@lru_cache(maxsize=1)
def _autosave_read() -> tuple[str, Joined]:
    """The autosave's statement and the columns it reads."""
    round_model: Any = Assessment._meta.get_field("round").related_model  # rounds stand above
    version_model = round_model._meta.get_field("version").related_model
    questionnaire_model = version_model._meta.get_field("questionnaire").related_model
    membership = Product.members.through
    members = membership._meta
    joined = Joined(
        [
            (Assessment, "a"),
            (round_model, "r"),
            (version_model, "v"),
            (questionnaire_model, "q"),
            (Product, "p"),
        ]
    )

    quote = connection.ops.quote_name
    sql = (
        f"SELECT {joined.columns}, {viewer_roles_sql()}, "
        f"EXISTS (SELECT 1 FROM {table(membership)} m "
        f"WHERE m.{quote(members.get_field('product').column)} = a.{column(Assessment, 'product')} "
        f"AND m.{quote(members.get_field('user').column)} = %s) AS viewer_member "
        f"FROM {table(Assessment)} a "
        f"{join(round_model, 'r', 'a.' + column(Assessment, 'round'))} "
        f"{join(version_model, 'v', 'r.' + column(round_model, 'version'))} "
        f"{join(questionnaire_model, 'q', 'v.' + column(version_model, 'questionnaire'))} "
        f"{join(Product, 'p', 'a.' + column(Assessment, 'product'))} "
        f"WHERE a.{quote(Assessment._meta.pk.column)} = %s"
    )
    return sql, joined


def evidence_latest(
    product_id: int, round: RoundOfAssessment, item_keys: Iterable[str]
) -> dict[str, Evidence]:
    """Per item key, the latest evidence run inside the round's evidence window."""
    start, end = round.evidence_window
    latest: dict[str, Evidence] = {}
    rows = (
        Evidence.objects.filter(
            product_id=product_id,
            item_key__in=list(item_keys),
            observed_at__gte=start,
            observed_at__lte=end,
        )
        .select_related("origin")
        .order_by("item_key", "-observed_at", "-id")
    )
    for evidence in rows:
        latest.setdefault(evidence.item_key, evidence)
    return latest


@dataclass(frozen=True)
class HistoryLine:
    """One revision of an answer as the page shows it (times in the reader's zone)."""

    at: str
    who: str
    old: str
    new: str
    na_reason: str
    note_changed: bool

    @classmethod
    def of(cls, revision: AnswerRevision) -> HistoryLine:
        by = revision.by
        return cls(
            at=timezone.localtime(revision.at).strftime("%Y-%m-%d %H:%M"),
            who=(by.get_full_name() or by.username) if by else "—",
            old=answer_value_label(revision.old_value or None),
            new=answer_value_label(revision.new_value or None),
            na_reason=revision.na_reason if revision.new_value == NA else "",
            note_changed=revision.new_note != revision.old_note,
        )


@lru_cache(maxsize=512)
def guideline_url(slug: str) -> str:
    """The page of an internal guideline ("" for a slug no page can have)."""
    try:
        return reverse("guideline", args=[slug])
    except NoReverseMatch:
        return ""


@dataclass
class ItemRow:
    item: Item
    answer: Answer | None
    evidence: Evidence | None
    history: list[HistoryLine] = field(default_factory=list)

    @property
    def pk(self) -> str:
        """The item's id as text, as the page writes it into ids and names (an int would be
        formatted for the reader's locale each of the ~25 times)."""
        return str(self.item.pk)

    @property
    def guideline_url(self) -> str:
        return guideline_url(self.item.guideline) if self.item.guideline else ""

    @property
    def value(self) -> str | None:
        return self.answer.value if self.answer else None

    @property
    def revision(self) -> int:
        return self.answer.revision if self.answer else 0

    @property
    def carry(self) -> str:
        return self.answer.carry if self.answer else ""

    @property
    def checked(self) -> bool:
        """A check for this item ran inside the round's evidence window (pass or fail)."""
        return self.evidence is not None and self.evidence.outcome in (Outcome.PASS, Outcome.FAIL)

    @property
    def suggestion(self) -> str | None:
        """An unanswered item whose check ran recently suggests `1`."""
        return "1" if self.value is None and self.checked else None

    @property
    def unverified(self) -> bool:
        """An answer of 1 without a check counts 0.5 in the verified score (DESIGN §3)."""
        return self.value == "1" and not self.checked


@dataclass
class AreaBlock:
    key: str
    title: str
    rows: list[ItemRow]

    @property
    def answered(self) -> int:
        return sum(1 for row in self.rows if row.value is not None)


def assessment_rows(assessment: Assessment) -> list[AreaBlock]:
    """The areas of the assessment's version, each with its items, answers, evidence, history."""
    version = assessment.round.version
    items = list(version_items(version).values())
    answers = {
        a.item_id: a
        for a in Answer.objects.filter(assessment=assessment).select_related("updated_by")
    }
    history: dict[int, list[HistoryLine]] = defaultdict(list)
    for revision in AnswerRevision.objects.filter(answer__assessment=assessment).select_related(
        "by"
    ):
        history[revision.answer_id].append(HistoryLine.of(revision))
    evidence = evidence_latest(assessment.product_id, assessment.round, (i.key for i in items))
    blocks: dict[int, AreaBlock] = {}
    for item in items:
        block = blocks.setdefault(item.area_id, AreaBlock(item.area.key, tr(item.area.title), []))
        answer = answers.get(item.pk)
        block.rows.append(
            ItemRow(
                item,
                answer,
                evidence.get(item.key),
                history.get(answer.pk, []) if answer else [],
            )
        )
    return list(blocks.values())


def score_panel(
    assessment: Assessment,
    *,
    values: dict[int, str | None] | None = None,
    titles: dict[str, str] | None = None,
) -> dict:
    """The live score panel as plain data (JSON carries numbers rounded to 4 decimals).

    An autosave passes the ``values`` and area ``titles`` it has already read.
    """
    layout = version_layout(assessment.round.version)
    backed = backed_item_keys([assessment.product_id], assessment.round)[assessment.product_id]
    if values is None:
        values = assessment_values(assessment)
    claimed, verified = cards_for(layout, values, backed)
    if titles is None or set(titles) != {key for key, _ in layout.areas}:
        titles = {a.key: tr(a.title) for a in assessment.round.version.areas.all()}
    # The verified score is shown once a check has reported, and wherever it differs
    # from the claimed one (answers of 1 that no check backs yet).
    has_evidence = bool(backed)
    show_verified = has_evidence or any(
        verified.areas[key].score != area.score for key, area in claimed.areas.items()
    )
    return {
        "areas": [
            {
                "key": key,
                "title": titles.get(key, key),
                "score": figure(area.score),
                "verified": figure(verified.areas[key].score),
                "answered": area.answered,
                "n": area.n,
                "na": area.na_count,
                "raw": figure(area.raw),
                "applicable": area.applicable,
                "bottleneck": key in claimed.bottlenecks,
            }
            for key, area in claimed.areas.items()
        ],
        "answered": claimed.answered,
        "total": claimed.total,
        "complete": claimed.complete,
        "final": figure(claimed.final),
        "verified": figure(verified.final),
        "has_evidence": has_evidence,
        "show_verified": show_verified,
        "band": claimed.band.key if claimed.band else None,
        "meaning": band_meaning(claimed.band.key) if claimed.band else "",
        "na_policy": assessment.round.version.na_policy,
    }


def product_assessments(product: Product) -> list[Assessment]:
    """Every assessment of a product, oldest round first."""
    return list(
        Assessment.objects.filter(product=product)
        .select_related("round", "round__version", "round__version__questionnaire")
        .order_by("round__opens_on", "round__id")
    )


def area_scores_of(assessment_ids: Sequence[int]) -> dict[int, dict[str, AreaScore]]:
    scores: dict[int, dict[str, AreaScore]] = defaultdict(dict)
    for row in AreaScore.objects.filter(assessment_id__in=assessment_ids):
        scores[row.assessment_id][row.area_key] = row
    return scores


def product_next_steps(
    assessment: Assessment, limit: int = 5, *, values: dict[int, str | None] | None = None
) -> list[dict[str, Any]]:
    """The items whose improvement raises the final score most, cheapest first.

    The assessment page passes the ``values`` it has already read."""
    version = assessment.round.version
    layout = version_layout(version)
    if values is None:
        values = assessment_values(assessment)
    areas = {
        key: [(item_key, values.get(item_id)) for item_id, item_key in items]
        for key, items in layout.areas
    }
    steps = next_steps(areas, layout.policy, limit=limit)
    items = {i.key: i for i in version_items(version).values()}
    return [
        {"step": step, "item": items[step.item_key], "final_gain": figure(step.final_gain)}
        for step in steps
    ]


def answer_value_label(value: str | None) -> str:
    if value is None:
        return "—"
    return "N/A" if value == NA else value


def submitted_field(name: str, prefix: str = "") -> Case:
    """An answer's ``name`` (value, note) as last submitted, for reads of many answers
    (reports, exports: DESIGN §2, a submission stands until submitted again): the
    submitted state where the assessment has unsubmitted changes, the answer itself
    everywhere else (nothing was changed since, or nothing was submitted)."""
    return Case(
        When(
            **{f"{prefix}assessment__unsubmitted_changes__gt": 0},
            then=F(f"{prefix}submitted_{name}"),
        ),
        default=F(f"{prefix}{name}"),
    )
