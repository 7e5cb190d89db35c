"""Reading initiatives: their scope, where each product stands now, and the burn-up.

The rules (what meets a target, which submission stands on a day, the count per day) are
``scoring.initiatives``; this module only gathers the submissions, their answers and the
answers' history in a few set-based queries (DESIGN §5: a product stands where its latest
submission puts it; a draft moves nothing until it is submitted).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.utils import timezone

from scoring.initiatives import (
    Standing,
    Submitted,
    backed_on,
    burn_up,
    days_between,
    layout_areas,
    standing,
    submission_changes,
    submission_turns,
    verified_areas,
)
from scoring.values import DEFAULT_POLICY, Policy
from scoring.verified import RAN_OUTCOMES, EvidenceRun
from surveys.assessments.models import (
    Answer,
    AnswerRevision,
    Assessment,
    AssessmentStatus,
    Submission,
)
from surveys.assessments.scores import Layout, version_layout
from surveys.assessments.selectors import submitted_field
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
from surveys.questionnaires.models import Item
from surveys.questionnaires.selectors import version_items
from surveys.rounds.models import Round, RoundStatus

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


@dataclass
class _Basis:
    """What every reading of an initiative shares: the products in scope, and the layout,
    policy and evidence window of the newest round any of them was asked in (None: none
    was ever asked)."""

    products: list[Product]
    scope: QuerySet[Product]
    round: Round | None

    @cached_property
    def layout(self) -> Layout:
        assert self.round is not None
        return version_layout(self.round.version)

    @cached_property
    def keys(self) -> list[tuple[str, list[str]]]:
        return [(area, [key for _, key in items]) for area, items in self.layout.areas]

    @property
    def policy(self) -> Policy:
        return self.layout.policy or DEFAULT_POLICY

    @property
    def window(self) -> int:
        assert self.round is not None
        return self.round.evidence_window_days or DEFAULT_WINDOW_DAYS


def _basis(initiative: Initiative, only: Product | None = None) -> _Basis:
    scope = initiative_products(initiative)
    if only is not None:
        scope = scope.filter(pk=only.pk)
    asked = (
        Round.objects.filter(
            questionnaire_id=initiative.questionnaire_id,
            assessments__product__in=scope.values("pk"),
        )
        .exclude(status=RoundStatus.SCHEDULED)
        .select_related("version")
        .order_by("-opens_on", "-pk")
        .first()
    )
    return _Basis(list(scope), scope, asked)


def _asked(initiative: Initiative, basis: _Basis) -> Q:
    """Assessments of the products in scope in the initiative's questionnaire's rounds
    that have opened (as a filter on ``Assessment``)."""
    return Q(
        product__in=basis.scope.values("pk"),
        round__questionnaire_id=initiative.questionnaire_id,
    ) & ~Q(round__status=RoundStatus.SCHEDULED)


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


# --- now: each product's latest submission --------------------------------------------


def _submitted_now(
    initiative: Initiative, basis: _Basis
) -> tuple[dict[int, int], dict[int, dict[str, str | None]]]:
    """Per product, its latest submission (the id of the newest of its assessments that is
    submitted: DESIGN §5) and that submission's values by item key (``submitted_field``:
    changes made since, not submitted, do not count). Two queries, no objects: at scale
    every round's submissions as objects took seconds."""
    newest: dict[int, int] = {}
    for pk, product_id in (
        Assessment.objects.filter(_asked(initiative, basis), status=AssessmentStatus.SUBMITTED)
        .order_by("round__opens_on", "round_id")
        .values_list("pk", "product_id")
    ):
        newest[product_id] = pk
    by_assessment = {pk: product_id for product_id, pk in newest.items()}
    values: dict[int, dict[str, str | None]] = defaultdict(dict)
    for assessment_id, key, value in (
        Answer.objects.filter(assessment_id__in=list(by_assessment))
        .annotate(standing=submitted_field("value"))
        .values_list("assessment_id", "item__key", "standing")
    ):
        values[by_assessment[assessment_id]][key] = value
    return newest, values


def _standing_now(
    initiative: Initiative,
    basis: _Basis,
    values: dict[str, str | None] | None,
    backed: set[str],
    *,
    steps: bool,
) -> Standing:
    if values is None:  # never submitted: it does not meet
        return Standing(False, None)
    pairs = layout_areas(basis.keys, values)
    if initiative.verified:
        pairs = verified_areas(pairs, backed)
    return standing(initiative.target, pairs, basis.policy, steps=steps)


def initiative_count(initiative: Initiative, today: date | None = None) -> tuple[int, int]:
    """How many products in scope meet the target now, and how many are in scope: the
    standings of ``initiative_progress`` without its burn-up and next steps, for lists
    (a handful of queries, whatever the number of products)."""
    today = today or timezone.localdate()
    basis = _basis(initiative)
    if basis.round is None:
        return 0, len(basis.products)
    _, values = _submitted_now(initiative, basis)
    evidence = _evidence_of(initiative, basis, today, today)
    met = sum(
        _standing_now(
            initiative,
            basis,
            values.get(product.pk),
            backed_on(evidence.get(product.pk, ()), today, basis.window),
            steps=False,
        ).meets
        for product in basis.products
    )
    return met, len(basis.products)


# --- the burn-up: the history of submissions ------------------------------------------


def _submission_history(initiative: Initiative, basis: _Basis) -> dict[int, list[Submitted]]:
    """Per product, every submission in the initiative's questionnaire: ranked by round,
    then moment (``scoring.initiatives.Submitted``). One query."""
    found: dict[int, list[Submitted]] = defaultdict(list)
    rows = Submission.objects.filter(
        assessment__in=Assessment.objects.filter(_asked(initiative, basis)).values("pk")
    ).values_list(
        "pk",
        "assessment_id",
        "assessment__product_id",
        "assessment__round__opens_on",
        "assessment__round_id",
        "at",
        "voided_at",
    )
    for pk, assessment_id, product_id, opens_on, round_id, at, voided_at in rows:
        found[product_id].append(
            Submitted(
                key=(assessment_id, at),
                rank=(opens_on, round_id, at, pk),
                made_on=_local_day(at),
                voided_on=_local_day(voided_at) if voided_at is not None else None,
            )
        )
    return found


def _values_as_submitted(
    wanted: set[tuple[int, datetime]],
) -> dict[tuple[int, datetime], dict[str, str | None]]:
    """The answers of each (assessment, moment) as they were at that moment, rebuilt from
    their revisions (DESIGN §2: every change is kept): the new value of the last revision
    by then; before any, the old value of the first; with none, the value itself. Two
    queries."""
    moments: dict[int, list[datetime]] = defaultdict(list)
    for assessment_id, at in wanted:
        moments[assessment_id].append(at)
    answers = list(
        Answer.objects.filter(assessment_id__in=list(moments)).values_list(
            "pk", "assessment_id", "item__key", "value"
        )
    )
    history: dict[int, list[tuple[datetime, str | None, str | None]]] = defaultdict(list)
    for answer_id, at, old, new in (
        AnswerRevision.objects.filter(answer__assessment_id__in=list(moments))
        .order_by("at", "id")
        .values_list("answer_id", "at", "old_value", "new_value")
    ):
        history[answer_id].append((at, old, new))
    found: dict[tuple[int, datetime], dict[str, str | None]] = defaultdict(dict)
    for answer_id, assessment_id, key, value in answers:
        revisions = history.get(answer_id, [])
        times = [at for at, _, _ in revisions]
        for moment in moments[assessment_id]:
            before = bisect_right(times, moment)
            if before:
                held = revisions[before - 1][2]
            else:
                held = revisions[0][1] if revisions else value
            found[(assessment_id, moment)][key] = held
    return found


def _burn_up(
    initiative: Initiative,
    basis: _Basis,
    days: list[date],
    evidence: dict[int, list[EvidenceRun]],
) -> list[int]:
    """How many products in scope meet the target at the end of each day: each with the
    values of its submission standing then (DESIGN §5)."""
    history = _submission_history(initiative, basis)
    turns = {product: submission_turns(subs, days) for product, subs in history.items()}
    wanted = {
        cast(tuple[int, datetime], submitted.key)
        for found in turns.values()
        for _, submitted in found
        if submitted is not None
    }
    values = _values_as_submitted(wanted)
    keys = basis.keys
    changes = {
        product: submission_changes(keys, found, values)  # type: ignore[arg-type]
        for product, found in turns.items()
    }
    return burn_up(
        initiative.target,
        keys,
        changes,
        days,
        policy=basis.policy,
        evidence_by_product=evidence,
        window_days=basis.window,
    )


def _evidence_of(
    initiative: Initiative, basis: _Basis, start: date, end: date
) -> dict[int, list[EvidenceRun]]:
    if not initiative.verified or basis.round is None:
        return {}
    since = timezone.make_aware(
        datetime.combine(start - timedelta(days=basis.window), datetime.min.time())
    )
    rows = Evidence.objects.filter(
        product_id__in=basis.scope.values("pk"),
        observed_at__gte=since,
        outcome__in=[str(o) for o in RAN_OUTCOMES],
    ).values_list("product_id", "item_key", "outcome", "observed_at")
    found: dict[int, list[EvidenceRun]] = defaultdict(list)
    for product_id, key, outcome, observed_at in rows:
        found[product_id].append(EvidenceRun(key, outcome, timezone.localtime(observed_at)))
    return found


def _step_rows(standing_: Standing, items: dict[str, Item]) -> list[dict[str, Any]]:
    return [{"step": step, "item": items.get(step.item_key)} for step in standing_.steps]


def initiative_progress(initiative: Initiative, today: date | None = None) -> Progress:
    """Where every product in scope stands now, from its latest submission, and the
    burn-up from the start to today (or to the deadline, once passed): one point per day,
    from the submissions' history (DESIGN §5)."""
    today = today or timezone.localdate()
    basis = _basis(initiative)
    products = basis.products
    end = min(today, initiative.deadline)
    days = days_between(initiative.starts_on, end)
    if basis.round is None:
        return Progress(
            initiative, [_empty_row(p) for p in products], days, [0] * len(days), len(products)
        )
    evidence = _evidence_of(initiative, basis, min(initiative.starts_on, today), today)
    counts = _burn_up(initiative, basis, days, evidence)
    rows = _standings_now(initiative, basis, today, evidence)
    return Progress(initiative, rows, days, counts, len(products))


def _standings_now(
    initiative: Initiative,
    basis: _Basis,
    today: date,
    evidence: dict[int, list[EvidenceRun]],
) -> list[ProductStanding]:
    """Each product in scope where its latest submission puts it today, with its
    bottleneck and next steps (``basis.round`` is not None)."""
    assert basis.round is not None
    newest, values = _submitted_now(initiative, basis)
    latest = {
        a.product_id: a
        for a in Assessment.objects.filter(pk__in=list(newest.values())).only(
            "pk", "product_id", "round_id", "status", "unsubmitted_changes"
        )
    }
    # The round's version is published: its items (with their areas) are read once a process.
    items = {i.key: i for i in version_items(basis.round.version).values()}
    areas = {i.area.key: tr(i.area.title) for i in items.values()}
    rows = []
    for product in basis.products:
        assessment = latest.get(product.pk)
        if assessment is None:
            rows.append(_empty_row(product))
            continue
        found = _standing_now(
            initiative,
            basis,
            values.get(product.pk, {}),
            backed_on(evidence.get(product.pk, ()), today, basis.window),
            steps=True,
        )
        rows.append(
            ProductStanding(
                product,
                assessment,
                found,
                [areas.get(key, key) for key in found.bottlenecks],
                _step_rows(found, items),
            )
        )
    return rows


def product_standing(
    initiative: Initiative, product: Product, today: date | None = None
) -> ProductStanding | None:
    """Where one product stands today, for its own pages: the row ``initiative_progress``
    draws for it, read against the newest round the product itself was asked in, without
    the burn-up those pages do not draw (None: the product is not in scope)."""
    today = today or timezone.localdate()
    basis = _basis(initiative, product)
    if basis.round is None:
        rows = [_empty_row(p) for p in basis.products]
    else:
        evidence = _evidence_of(initiative, basis, today, today)
        rows = _standings_now(initiative, basis, today, evidence)
    return next((row for row in rows if row.product.pk == product.pk), None)


def _empty_row(product: Product) -> ProductStanding:
    return ProductStanding(product, None, Standing(False, None), [], [])


def initiative_standings(product: Product) -> list[tuple[Initiative, ProductStanding | None]]:
    """For a product's pages: each initiative concerning it, and where the product stands
    (its recorded result once the deadline has passed)."""
    found: list[tuple[Initiative, ProductStanding | None]] = []
    for initiative in initiatives_concerning([product]):
        if initiative.result is not None:
            met = product.slug in initiative.result.get("met", [])
            found.append((initiative, ProductStanding(product, None, Standing(met, None), [], [])))
            continue
        found.append((initiative, product_standing(initiative, product)))
    return found
