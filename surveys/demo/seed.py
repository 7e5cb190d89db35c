"""Demo data (``seed_demo``): an organisation with years of half-yearly rounds.

The answers follow a small model so that the trend is believable: every product has a
maturity that grows a little every round, production systems start ahead of proofs of
concept, monitoring starts far behind the other areas and catches up, each practice of
each product keeps its own ease (answers do not flicker), some items are N/A for the
kind of task, some products join later (in the small demo; at scale every product is in
every round), and some do not respond.

Past rounds are recorded as history (``round_record_historical``) and frozen through
``assessments_freeze``, the path every close takes, so their scores, reports and
regressions are stored exactly as a real close stores them. The open round is opened
through ``round_open``. At scale (``--products 10000 --rounds 20``) rows are inserted in
big batches (COPY on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from surveys.assessments.models import (
    Answer,
    AnswerRevision,
    AreaScore,
    Assessment,
    AssessmentStatus,
    RevisionSource,
    Submission,
)
from surveys.assessments.scores import assessments_score_store
from surveys.assessments.writing import (
    AnswerChange,
    answers_change,
    answers_insert,
    submissions_log,
    submissions_record,
)
from surveys.demo.cast import (
    AREA_OFFSET,
    DEMO_USERS,
    DEPARTMENTS,
    FIXTURE,
    GROWTH,
    KIND_END_TO_END,
    KIND_MACHINES,
    KIND_PHYSICS,
    KIND_TABULAR,
    MONITORING_START,
    NA_REASONS,
    PHASE_BASE,
    ROOT_SLUG,
    SEED,
    SMALL_PRODUCTS,
    DemoProduct,
    DemoSummary,
    DemoUser,
    Kind,
)
from surveys.evidence.models import Evidence, Outcome
from surveys.organisation.models import Department, Phase, Product, Profile
from surveys.organisation.roles import ADMIN_GROUP, MANAGER_GROUP
from surveys.questionnaires.models import Item, QuestionnaireVersion
from surveys.questionnaires.services import questionnaire_load
from surveys.rounds.models import Round, RoundEventKind
from surveys.rounds.services import round_create, round_open, round_record_historical
from surveys.rounds.services.freezing import assessments_freeze
from surveys.watches.demo import demo_watches


def demo_exists() -> bool:
    return Department.objects.filter(slug=ROOT_SLUG).exists()


# --- reset ------------------------------------------------------------------------------


def _demo_department_ids() -> set[int]:
    from surveys.organisation.selectors import department_descendant_ids

    root = Department.objects.filter(slug=ROOT_SLUG).values_list("pk", flat=True).first()
    return department_descendant_ids({root}) if root else set()


@transaction.atomic(durable=True)
def demo_reset() -> None:
    """Remove the demo organisation, its rounds and its users.

    At scale this is millions of answers, so the leaves are deleted with one DELETE
    each instead of Django's collector, which would load every row first.
    """
    departments = _demo_department_ids()
    products = Product.objects.filter(department_id__in=departments)
    others = Product.objects.exclude(department_id__in=departments)
    rounds = Round.objects.filter(products__in=products).exclude(products__in=others).distinct()
    round_ids = list(rounds.values_list("pk", flat=True))
    assessments = Assessment.objects.filter(Q(product__in=products) | Q(round_id__in=round_ids))
    for rows in (
        AnswerRevision.objects.filter(answer__assessment__in=assessments),
        AreaScore.objects.filter(assessment__in=assessments),
        Submission.objects.filter(assessment__in=assessments),
        Answer.objects.filter(assessment__in=assessments),
        Evidence.objects.filter(product__in=products),
    ):
        rows._raw_delete(rows.db)  # type: ignore[union-attr]
    assessments._raw_delete(assessments.db)  # type: ignore[attr-defined]
    Round.objects.filter(pk__in=round_ids).delete()
    products.delete()
    # Children before parents: the tree is protected.
    remaining = set(departments)
    while remaining:
        leaves = set(
            Department.objects.filter(pk__in=remaining)
            .exclude(children__in=remaining)
            .values_list("pk", flat=True)
        )
        Department.objects.filter(pk__in=leaves).delete()
        remaining -= leaves
    get_user_model().objects.filter(username__in=[u.username for u in DEMO_USERS]).delete()


# --- building blocks --------------------------------------------------------------------


def demo_version() -> QuestionnaireVersion:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    version, _ = questionnaire_load(data=data, publish=True)
    return version


def _departments(products: int) -> dict[str, Department]:
    made: dict[str, Department] = {}
    for slug, name, parent in DEPARTMENTS:
        made[slug] = Department.objects.create(
            slug=slug, name=name, parent=made[parent] if parent else None
        )
    if products > len(SMALL_PRODUCTS):
        # At scale, each division has teams.
        for division in [s for s, _, p in DEPARTMENTS if p == ROOT_SLUG]:
            for team in range(1, 6):
                slug = f"{division}-team-{team}"
                made[slug] = Department.objects.create(
                    slug=slug, name=f"{made[division].name} / Team {team}", parent=made[division]
                )
    return made


def _products(
    count: int, departments: dict[str, Department], rounds: int, rng: random.Random
) -> list[DemoProduct]:
    specs: list[tuple[str, str, str, str, Kind, int, float]] = []
    if count <= len(SMALL_PRODUCTS):
        specs = list(SMALL_PRODUCTS[:count])
    else:
        kinds = [KIND_TABULAR] * 7 + [KIND_END_TO_END] * 2 + [KIND_MACHINES, KIND_PHYSICS]
        phases = [Phase.POC, Phase.VALIDATION, Phase.PRODUCTION, Phase.PRODUCTION]
        teams = [slug for slug in departments if "-team-" in slug]
        # At scale every product is targeted by every round (DESIGN §9: 10,000 products ×
        # 20 rounds = 200,000 assessments, 5.6 million answers); late joiners are a
        # feature of the small demo only.
        specs = [(*spec[:5], 0, spec[6]) for spec in SMALL_PRODUCTS]
        for n in range(len(SMALL_PRODUCTS), count):
            joins = 0
            team = teams[n % len(teams)]
            specs.append(
                (
                    f"model-{n:05d}",
                    f"Model {n:05d}",
                    team,
                    rng.choice(phases),
                    rng.choice(kinds),
                    joins,
                    rng.uniform(0.7, 0.98),
                )
            )
    created = Product.objects.bulk_create(
        [
            Product(slug=slug, name=name, department=departments[dept], phase=phase)
            for slug, name, dept, phase, *_ in specs
        ],
        batch_size=5000,
    )
    made = []
    for product, (_, _, _, phase, kind, joins, responsiveness) in zip(created, specs, strict=True):
        made.append(
            DemoProduct(
                pk=product.pk,
                slug=product.slug,
                phase=phase,
                kind=kind,
                joins=min(joins, max(rounds - 2, 0)),
                responsiveness=responsiveness,
                base=PHASE_BASE[Phase(phase)] + rng.gauss(0, 0.06),
                ci=rng.random() < 0.5,
                dip=rng.randrange(2, rounds) if rng.random() < 0.08 else None,
            )
        )
    # The search-suggest team lost its on-call engineer in 2024-10: a visible regression.
    for demo_product in made:
        if demo_product.slug == "search-suggest":
            demo_product.dip = min(5, rounds - 2)
    return made


def _users(products: dict[str, int]) -> list[DemoUser]:
    User = get_user_model()
    groups = {
        "MLOps admin": Group.objects.get_or_create(name=ADMIN_GROUP)[0],
        "manager": Group.objects.get_or_create(name=MANAGER_GROUP)[0],
    }
    through = Product.members.through
    for spec in DEMO_USERS:
        user = User.objects.create_user(
            username=spec.username,
            password=spec.password,
            email=f"{spec.username}@demo.example",
            first_name=spec.first_name,
            last_name=spec.last_name,
        )
        Profile.objects.create(user=user, language=spec.language)
        if spec.role in groups:
            user.groups.add(groups[spec.role])
        through.objects.bulk_create(
            [
                through(product_id=products[slug], user_id=user.pk)
                for slug in spec.products
                if slug in products
            ]
        )
    return list(DEMO_USERS)


def cadence_dates(today: dt.date, count: int) -> list[dt.date]:
    """The last ``count`` cadence dates up to ``today``, oldest first."""
    months = sorted(set(settings.ROUND_CADENCE_MONTHS))
    dates: list[dt.date] = []
    year = today.year
    while len(dates) < count:
        for month in reversed(months):
            candidate = dt.date(year, month, 1)
            if candidate <= today and len(dates) < count:
                dates.append(candidate)
        year -= 1
    return sorted(dates)


def _level(product: DemoProduct, area: str, t: float, rng: random.Random) -> float:
    offset = AREA_OFFSET.get(area, MONITORING_START * (1 - t) ** 1.5)
    return product.base + offset + GROWTH * t + rng.gauss(0, 0.03)


def _value(level: float, ease: float, rng: random.Random) -> str:
    s = level + 0.45 * (ease - 0.5) + rng.gauss(0, 0.04)
    return "1" if s > 0.62 else "0.5" if s > 0.3 else "0"


def _answer_values(
    product: DemoProduct, items: Sequence[Item], t: float, rng: random.Random, dip: bool = False
) -> list[tuple[Item, str]]:
    levels: dict[str, float] = {}
    values = []
    for item in items:
        area = item.key.split(".", 1)[0]
        if area not in levels:
            levels[area] = _level(product, area, t, rng) - (0.3 if dip else 0.0)
        if item.key in product.kind.na:
            values.append((item, "NA"))
            continue
        ease = product.ease.setdefault(item.key, rng.random())
        values.append((item, _value(levels[area], ease, rng)))
    return values


# --- the seed ---------------------------------------------------------------------------


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_default_timezone())


def _closed_round(
    version: QuestionnaireVersion,
    items: Sequence[Item],
    products: Sequence[DemoProduct],
    index: int,
    opens_on: dt.date,
    t: float,
    rng: random.Random,
    summary: DemoSummary,
) -> Round:
    closes_on = opens_on + dt.timedelta(days=settings.ROUND_OPEN_DAYS)
    label = f"{opens_on:%Y-%m}"
    round = round_record_historical(
        version=version, label=label, opens_on=opens_on, closes_on=closes_on
    )
    targeted = [p for p in products if p.joins <= index]
    Round.products.through.objects.bulk_create(
        [Round.products.through(round_id=round.pk, product_id=p.pk) for p in targeted],
        batch_size=5000,
    )
    responding = {p.pk: rng.random() < p.responsiveness for p in targeted}
    submitted_at = _at(closes_on - dt.timedelta(days=3))
    created = Assessment.objects.bulk_create(
        [
            Assessment(
                round=round,
                product_id=p.pk,
                status=AssessmentStatus.SUBMITTED if responding[p.pk] else AssessmentStatus.DRAFT,
                created_at=_at(opens_on),
                updated_at=submitted_at,
                submitted_at=submitted_at if responding[p.pk] else None,
            )
            for p in targeted
        ],
        batch_size=5000,
    )
    by_pk = {p.pk: p for p in targeted}
    rows: list[dict[str, Any]] = []
    evidence: list[Evidence] = []
    window_day = opens_on - dt.timedelta(days=10)
    for assessment in created:
        product = by_pk[assessment.product_id]
        values = _answer_values(product, items, t, rng, dip=product.dip == index)
        complete = responding[product.pk]
        for position, (item, value) in enumerate(values):
            # A non-response leaves a draft: the first items answered, the rest empty.
            kept: str | None = value if complete or position < len(values) // 2 else None
            reason = NA_REASONS.get(item.key, "") if kept == "NA" else ""
            row: dict[str, Any] = {
                "assessment_id": assessment.pk,
                "item_id": item.pk,
                "value": kept,
            }
            row.update(na_reason=reason, updated_at=submitted_at)
            if complete:  # what the team submitted
                row.update(submitted_value=kept, submitted_na_reason=reason)
            rows.append(row)
            if complete and kept == "1" and product.ci and t > 0.6:
                outcome = rng.choices(
                    [Outcome.PASS, Outcome.FAIL, Outcome.ERROR], weights=[85, 10, 5]
                )[0]
                evidence.append(
                    Evidence(
                        product_id=product.pk,
                        item_key=item.key,
                        outcome=outcome,
                        observed_at=_at(window_day, 3),
                        url=f"https://ci.demo.example/{product.slug}/{label}/{item.key}",
                        run_id=f"{label}-{item.key}",
                        summary=f"{item.code} check: {outcome}",
                    )
                )
        if len(rows) >= 100_000:
            answers_insert(rows)
            summary.answers += len(rows)
            rows = []
    answers_insert(rows)
    summary.answers += len(rows)
    Evidence.objects.bulk_create(evidence, batch_size=5000)
    summary.evidence += len(evidence)
    summary.assessments += len(created)
    submissions_log([a.pk for a in created if responding[a.product_id]], at=submitted_at, by=None)
    assessments_freeze(
        round=round,
        kind=RoundEventKind.CLOSED,
        by=None,
        source=RevisionSource.JOB,
        now=_at(closes_on + dt.timedelta(days=1), 0),
        notify=False,
    )
    return round


def _open_round(
    version: QuestionnaireVersion,
    items: Sequence[Item],
    products: Sequence[DemoProduct],
    opens_on: dt.date,
    today: dt.date,
    rng: random.Random,
    admin: Any,
    summary: DemoSummary,
) -> Round:
    """The current round, opened through ``round_open`` with a mix of progress."""
    by_pk = {p.pk: p for p in products}
    closes_on = max(
        opens_on + dt.timedelta(days=settings.ROUND_OPEN_DAYS), today + dt.timedelta(days=21)
    )
    round = round_create(
        version=version,
        label=f"{opens_on:%Y-%m}",
        opens_on=opens_on,
        closes_on=closes_on,
        products=Product.objects.filter(pk__in=list(by_pk)),
        by=admin,
    )
    round_open(round=round, now=_at(opens_on), by=admin, notify=False)
    assessments = list(Assessment.objects.filter(round=round).order_by("pk"))
    # The demo respondents' products: something to do for each of them.
    fixed = {
        "ads-ctr": "draft",
        "search-ranking": "not_started",
        "commerce-recs": "submitted",
        "media-image-tagging": "draft",
    }
    slugs = {p.pk: p.slug for p in products}
    item_by_pk = {item.pk: item for item in items}
    submitted: list[Assessment] = []
    drafts: list[Assessment] = []
    for assessment in assessments:
        state = (
            fixed.get(slugs[assessment.product_id])
            or rng.choices(["not_started", "draft", "submitted"], weights=[30, 30, 40])[0]
        )
        if state == "submitted":
            submitted.append(assessment)
        elif state == "draft":
            drafts.append(assessment)
    # Activity this morning, but never in the future when the demo is seeded before 8:00.
    now = min(_at(today, 8), timezone.now())
    changes: list[AnswerChange] = []
    evidence: list[Evidence] = []
    for assessment in submitted + drafts:
        product = by_pk[assessment.product_id]
        values = dict((item.pk, value) for item, value in _answer_values(product, items, 1.0, rng))
        complete = assessment in submitted
        answers = list(Answer.objects.filter(assessment=assessment).order_by("item__position"))
        for answer in answers:
            target: str | None = values[answer.item_id]
            if answer.value is not None and rng.random() > 0.2:
                target = answer.value  # most carried answers still hold
            if answer.value is None and not complete and rng.random() < 0.5:
                continue  # a draft leaves some items for later
            if answer.value is not None and not complete and rng.random() < 0.1:
                target = None  # and clears a carried answer the team wants to revisit
            if target == answer.value:
                continue
            reason = NA_REASONS.get(item_by_pk[answer.item_id].key, "") if target == "NA" else ""
            changes.append(AnswerChange(answer, target, reason))
        if product.ci:
            evidence.extend(_open_round_evidence(round, product, answers, item_by_pk, now, rng))
    Evidence.objects.bulk_create(evidence, batch_size=5000)
    summary.evidence += len(evidence)
    # The teams' morning: written like any batch of answers, each change with its revision.
    answers_change(changes, by=None, at=now, source=RevisionSource.WEB)
    Assessment.objects.filter(pk__in=[a.pk for a in drafts]).update(
        status=AssessmentStatus.DRAFT, updated_at=now
    )
    Assessment.objects.filter(pk__in=[a.pk for a in submitted]).update(
        status=AssessmentStatus.SUBMITTED, updated_at=now, submitted_at=now
    )
    submissions_record(Assessment.objects.filter(pk__in=[a.pk for a in submitted]), at=now, by=None)
    for start in range(0, len(submitted), 2000):
        chunk = list(
            Assessment.objects.filter(pk__in=[a.pk for a in submitted[start : start + 2000]])
        )
        assessments_score_store(round=round, assessments=chunk, source=RevisionSource.WEB)
    summary.assessments += len(assessments)
    return round


def _open_round_evidence(
    round: Round,
    product: DemoProduct,
    answers: Sequence[Answer],
    item_by_pk: dict[int, Item],
    now: dt.datetime,
    rng: random.Random,
) -> list[Evidence]:
    """Checks that ran inside the open round's evidence window, so a newcomer sees badges
    on the answers of 1 a check backs, the gap where none does, and a suggestion of 1 on
    some unanswered items whose check runs."""
    start = round.evidence_window[0]
    records = []
    for answer in answers:
        backs = answer.value == "1" and rng.random() < 0.8
        suggests = answer.value is None and rng.random() < 0.5
        if not (backs or suggests):
            continue
        item = item_by_pk[answer.item_id]
        outcome = rng.choices([Outcome.PASS, Outcome.FAIL, Outcome.ERROR], weights=[85, 10, 5])[0]
        observed = max(now - dt.timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 12)), start)
        records.append(
            Evidence(
                product_id=product.pk,
                item_key=item.key,
                outcome=outcome if backs else Outcome.PASS,
                observed_at=observed,
                url=f"https://ci.demo.example/{product.slug}/{round.label}/{item.key}",
                run_id=f"{round.label}-{item.key}",
                summary=f"{item.code} check: {outcome}",
            )
        )
    return records


def demo_seed(
    *,
    products: int = len(SMALL_PRODUCTS),
    rounds: int = 10,
    today: dt.date | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> DemoSummary:
    """Seed the demo: ``rounds`` half-yearly rounds up to today, the last one open."""
    if rounds < 2:
        raise ValueError("The demo needs at least 2 rounds (closed ones and the open one).")
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    summary = DemoSummary()
    with transaction.atomic():
        version = demo_version()
        items = list(Item.objects.filter(version=version).order_by("position"))
        departments = _departments(products)
        made = _products(products, departments, rounds, rng)
        summary.departments, summary.products = len(departments), len(made)
        summary.users = _users({p.slug: p.pk for p in made})
        admin = get_user_model().objects.get(username="admin")
    dates = cadence_dates(today, rounds)
    log(f"{len(departments)} departments, {len(made)} products, {len(dates)} rounds")
    for index, opens_on in enumerate(dates[:-1]):
        t = index / max(len(dates) - 1, 1)
        with transaction.atomic():
            round = _closed_round(version, items, made, index, opens_on, t, rng, summary)
        summary.rounds.append(round.label)
        log(f"round {round.label} closed")
    with transaction.atomic():
        active = [p for p in made if p.joins <= len(dates) - 1]
        round = _open_round(version, items, active, dates[-1], today, rng, admin, summary)
    summary.rounds.append(round.label)
    log(f"round {round.label} open")
    with transaction.atomic():
        watches = demo_watches(now=timezone.now())
    if watches:
        log("watches: " + ", ".join(f"{n} {state}" for state, n in sorted(watches.items())))
    if connection.vendor == "postgresql":
        # Fresh statistics: bulk-loaded tables that were never analysed get plans made for
        # the wrong sizes (a sequential scan of every answer revision per page, for one).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return summary


def logins_text(users: Iterable[DemoUser]) -> str:
    lines = ["Demo logins (username / password — role):"]
    for user in users:
        lines.append(f"  {user.username:<8} / {user.password:<18} — {user.role}")
    return "\n".join(lines)
