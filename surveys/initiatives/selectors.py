"""Reading initiatives: their scope, where each product stands now, and the burn-up.

The rules (what meets a target, the count per day) are ``scoring.initiatives``; this
module only gathers the answers and their history in a few set-based queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from scoring.initiatives import (
    Change,
    Standing,
    burn_up,
    days_between,
    standing,
    verified_areas,
)
from scoring.values import DEFAULT_POLICY, Policy
from scoring.verified import RAN_OUTCOMES, EvidenceRun
from surveys.assessments.models import Answer, AnswerRevision, Assessment
from surveys.assessments.scores import Layout, version_layout
from surveys.core.i18n import tr
from surveys.evidence.models import Evidence
from surveys.initiatives.models import Initiative
from surveys.organisation.models import Product
from surveys.organisation.roles import sees_everything
from surveys.organisation.selectors import (
    department_descendant_ids,
    products_visible_to,
    token_of,
)
from surveys.questionnaires.models import Area, Item
from surveys.rounds.models import RoundStatus

DEFAULT_WINDOW_DAYS = 90


def _scope_q(initiative: Initiative) -> Q:
    ids = [p.pk for p in initiative.products.all()]
    listed = Q(pk__in=ids)
    department_ids = {d.pk for d in initiative.departments.all()}
    phases = list(initiative.phases or [])
    if not department_ids and not phases:
        return listed if ids else Q()
    matching = Q()
    if department_ids:
        matching &= Q(department_id__in=department_descendant_ids(department_ids))
    if phases:
        matching &= Q(phase__in=phases)
    return listed | matching


def initiative_products(initiative: Initiative) -> QuerySet[Product]:
    """The active products in the initiative's scope (DESIGN §5)."""
    return (
        Product.objects.filter(is_active=True)
        .filter(_scope_q(initiative))
        .select_related("department")
        .order_by("name")
    )


def initiatives_visible_to(user: Any) -> QuerySet[Initiative]:
    """Admins and managers see every initiative; a respondent those concerning their
    products; a machine token none."""
    if not user.is_authenticated or token_of(user) is not None:
        return Initiative.objects.none()
    everything = Initiative.objects.select_related("questionnaire", "owner")
    if sees_everything(user):
        return everything.all()
    ids = [i.pk for i in initiatives_concerning(products_visible_to(user))]
    return everything.filter(pk__in=ids)


def initiatives_concerning(products: Iterable[Product]) -> list[Initiative]:
    """The initiatives whose scope holds one of ``products`` (few initiatives: checked in
    Python against each one's scope, in three queries)."""
    products = list(products)
    if not products:
        return []
    found = []
    initiatives = Initiative.objects.select_related("questionnaire", "owner").prefetch_related(
        "departments", "products"
    )
    for initiative in initiatives:
        ids = set(
            Product.objects.filter(pk__in=[p.pk for p in products], is_active=True)
            .filter(_scope_q(initiative))
            .values_list("pk", flat=True)
        )
        if ids:
            found.append(initiative)
    return found


@dataclass
class ProductStanding:
    product: Product
    assessment: Assessment | None
    standing: Standing
    bottleneck_titles: list[str]
    steps: list[dict[str, Any]]  # {"item": Item | None, "step": NextStep}


@dataclass
class Progress:
    initiative: Initiative
    rows: list[ProductStanding]
    days: list[date]
    counts: list[int]
    scope_size: int

    @property
    def meeting(self) -> list[ProductStanding]:
        return [row for row in self.rows if row.standing.meets]

    @property
    def not_yet(self) -> list[ProductStanding]:
        return [row for row in self.rows if not row.standing.meets]


def _latest_assessments(initiative: Initiative, product_ids: Sequence[int]) -> list[Assessment]:
    """Each product's assessments in the initiative's questionnaire, oldest round first."""
    return list(
        Assessment.objects.filter(
            product_id__in=list(product_ids),
            round__questionnaire_id=initiative.questionnaire_id,
        )
        .exclude(round__status=RoundStatus.SCHEDULED)
        .select_related("round__version")
        .order_by("round__opens_on", "round_id")
    )


def _layout_keys(layout: Layout) -> list[tuple[str, list[str]]]:
    return [(area, [key for _, key in items]) for area, items in layout.areas]


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _since_start(assessments: list[Assessment], start: date) -> list[Assessment]:
    """A product's assessments that matter from ``start`` on: the last one begun before
    it, and every later one."""
    before = [a for a in assessments if _local_day(a.created_at) < start]
    return ([before[-1]] if before else []) + [
        a for a in assessments if _local_day(a.created_at) >= start
    ]


def _changes(assessments: list[Assessment]) -> dict[int, list[Change]]:
    """Per product, its answer values by day: each assessment's first values on the day it
    was begun, then every revision on its day (DESIGN §2: revisions keep every change)."""
    answers = list(
        Answer.objects.filter(assessment__in=assessments).values_list(
            "pk", "assessment_id", "item__key", "value"
        )
    )
    revisions: dict[int, list[tuple[datetime, str | None, str | None]]] = defaultdict(list)
    for answer_id, at, old, new in AnswerRevision.objects.filter(
        answer_id__in=[a[0] for a in answers]
    ).values_list("answer_id", "at", "old_value", "new_value"):
        revisions[answer_id].append((at, old, new))
    by_assessment: dict[int, list[tuple[int, str, str | None]]] = defaultdict(list)
    for answer_id, assessment_id, key, value in answers:
        by_assessment[assessment_id].append((answer_id, key, value))
    changes: dict[int, list[Change]] = defaultdict(list)
    for assessment in assessments:
        begun = _local_day(assessment.created_at)
        later: list[Change] = []
        for answer_id, key, value in by_assessment.get(assessment.pk, []):
            history = sorted(revisions.get(answer_id, []), key=lambda r: r[0])
            first = history[0][1] if history else value
            changes[assessment.product_id].append(Change(begun, key, first))
            later.extend(Change(max(begun, _local_day(at)), key, new) for at, _, new in history)
        changes[assessment.product_id].extend(sorted(later, key=lambda c: c.day))
    return changes


def _evidence(
    product_ids: Sequence[int], start: date, end: date, window_days: int
) -> dict[int, list[EvidenceRun]]:
    since = timezone.make_aware(
        datetime.combine(start - timedelta(days=window_days), datetime.min.time())
    )
    rows = Evidence.objects.filter(
        product_id__in=list(product_ids),
        observed_at__gte=since,
        outcome__in=[str(o) for o in RAN_OUTCOMES],
    ).values_list("product_id", "item_key", "outcome", "observed_at")
    found: dict[int, list[EvidenceRun]] = defaultdict(list)
    for product_id, key, outcome, observed_at in rows:
        found[product_id].append(EvidenceRun(key, outcome, timezone.localtime(observed_at)))
    return found


def _step_rows(standing_: Standing, items: dict[str, Item]) -> list[dict[str, Any]]:
    return [{"step": step, "item": items.get(step.item_key)} for step in standing_.steps]


def initiative_progress(
    initiative: Initiative, today: date | None = None, only: Product | None = None
) -> Progress:
    """Where every product in scope (or only ``only``) stands now, and the burn-up from
    the start to today (or to the deadline, once passed): one point per day."""
    today = today or timezone.localdate()
    in_scope = initiative_products(initiative)
    if only is not None:
        in_scope = in_scope.filter(pk=only.pk)
    products = list(in_scope)
    assessments = _latest_assessments(initiative, [p.pk for p in products])
    end = min(today, initiative.deadline)
    days = days_between(initiative.starts_on, end)
    latest: dict[int, Assessment] = {}
    per_product: dict[int, list[Assessment]] = defaultdict(list)
    for assessment in assessments:
        latest[assessment.product_id] = assessment
        per_product[assessment.product_id].append(assessment)
    newest = assessments[-1] if assessments else None
    if newest is None:
        return Progress(
            initiative, [_empty_row(p) for p in products], days, [0] * len(days), len(products)
        )
    layout = version_layout(newest.round.version)
    keys = _layout_keys(layout)
    policy: Policy = layout.policy or DEFAULT_POLICY
    window = newest.round.evidence_window_days or DEFAULT_WINDOW_DAYS
    kept = [a for p in per_product.values() for a in _since_start(p, initiative.starts_on)]
    changes = _changes(kept)
    evidence = (
        _evidence([p.pk for p in products], initiative.starts_on, today, window)
        if initiative.verified
        else {}
    )
    counts = burn_up(
        initiative.target,
        keys,
        changes,
        days,
        policy=policy,
        evidence_by_product=evidence,
        window_days=window,
    )
    items = {i.key: i for i in Item.objects.filter(version_id=newest.round.version_id)}
    areas = {a.key: tr(a.title) for a in Area.objects.filter(version_id=newest.round.version_id)}
    rows = [
        _row(
            initiative,
            product,
            latest.get(product.pk),
            changes.get(product.pk, []),
            keys,
            policy,
            evidence,
            window,
            today,
            items,
            areas,
        )
        for product in products
    ]
    return Progress(initiative, rows, days, counts, len(products))


def _empty_row(product: Product) -> ProductStanding:
    return ProductStanding(product, None, Standing(False, None), [], [])


def _row(
    initiative: Initiative,
    product: Product,
    assessment: Assessment | None,
    changes: list[Change],
    keys: list[tuple[str, list[str]]],
    policy: Policy,
    evidence: dict[int, list[EvidenceRun]],
    window: int,
    today: date,
    items: dict[str, Item],
    areas: dict[str, str],
) -> ProductStanding:
    if assessment is None:
        return _empty_row(product)
    values: dict[str, str | None] = {}
    for change in sorted(changes, key=lambda c: c.day):
        values[change.item_key] = change.value
    pairs = {area: [(key, values.get(key)) for key in item_keys] for area, item_keys in keys}
    if initiative.verified:
        since = today - timedelta(days=window)
        backed = {
            run.item_key
            for run in evidence.get(product.pk, [])
            if since < run.observed_at.date() <= today
        }
        pairs = verified_areas(pairs, backed)
    found = standing(initiative.target, pairs, policy)
    return ProductStanding(
        product,
        assessment,
        found,
        [areas.get(key, key) for key in found.bottlenecks],
        _step_rows(found, items),
    )


def initiative_standings(product: Product) -> list[tuple[Initiative, ProductStanding | None]]:
    """For a product's pages: each initiative concerning it, and where the product stands
    (its recorded result once the deadline has passed)."""
    found: list[tuple[Initiative, ProductStanding | None]] = []
    for initiative in initiatives_concerning([product]):
        if initiative.result is not None:
            met = product.slug in initiative.result.get("met", [])
            found.append((initiative, ProductStanding(product, None, Standing(met, None), [], [])))
            continue
        progress = initiative_progress(initiative, only=product)
        row = next((r for r in progress.rows if r.product.pk == product.pk), None)
        found.append((initiative, row))
    return found
