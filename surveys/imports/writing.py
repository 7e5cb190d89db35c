"""Writing a valid answers file in one transaction, with bulk inserts and updates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from scoring.areas import is_complete
from scoring.values import NA
from surveys.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    RevisionSource,
)
from surveys.assessments.writing import (
    SUBMITTED_FIELDS,
    AnswerChange,
    answer_as_submitted,
    answers_change,
    answers_create,
    answers_insert,
    submissions_log,
    submissions_void,
)
from surveys.core.actors import Actor
from surveys.imports.validation import (
    BATCH,
    UNASSIGNED,
    Row,
    Validator,
    new_slug,
    row_matches,
)
from surveys.organisation.models import Department, Phase, Product
from surveys.questionnaires.models import QuestionnaireVersion
from surveys.rounds.models import Round, RoundEventKind
from surveys.rounds.services import round_lock, round_record_historical
from surveys.rounds.services.freezing import assessments_freeze


@dataclass
class RoundResult:
    label: str
    created: bool = False
    rows: int = 0
    products_targeted: int = 0
    assessments_created: int = 0
    assessments_updated: int = 0
    assessments_unchanged: int = 0
    scored: int = 0
    not_submitted: int = 0
    answers_changed: int = 0
    regressions: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.products_targeted
            or self.assessments_created
            or self.assessments_updated
        )


@dataclass
class ImportResult:
    rows: int = 0
    rounds: list[RoundResult] = field(default_factory=list)
    departments_created: list[str] = field(default_factory=list)
    products_created: list[str] = field(default_factory=list)

    @property
    def rounds_created(self) -> list[str]:
        return [r.label for r in self.rounds if r.created]

    @property
    def scored(self) -> int:
        return sum(r.scored for r in self.rounds)

    @property
    def not_submitted(self) -> int:
        return sum(r.not_submitted for r in self.rounds)

    @property
    def unchanged(self) -> int:
        return sum(r.assessments_unchanged for r in self.rounds)

    @property
    def answers_changed(self) -> int:
        return sum(r.answers_changed for r in self.rounds)

    def summary(self) -> list[str]:
        created = ", ".join(self.rounds_created) or "none"
        lines = [
            f"Rows read: {self.rows}",
            f"Rounds created: {len(self.rounds_created)} ({created})",
            f"Departments created: {len(self.departments_created)}",
            f"Products created: {len(self.products_created)}",
            f"Assessments scored (submitted): {self.scored}",
            f"Assessments not submitted (incomplete, not scored): {self.not_submitted}",
            f"Assessments unchanged: {self.unchanged}",
            f"Answers changed: {self.answers_changed}",
        ]
        for r in self.rounds:
            lines.append(
                f"  {r.label}: {'created' if r.created else 'existing'}, "
                f"{r.scored} scored, {r.not_submitted} not submitted, "
                f"{r.assessments_unchanged} unchanged"
            )
        return lines


class Writer:
    def __init__(self, version: QuestionnaireVersion, checked: Validator, by: Actor) -> None:
        self.version = version
        self.checked = checked
        self.by = by
        self.now = timezone.now()
        self.result = ImportResult(rows=len(checked.rows))
        self.items = list(version.items.order_by("position"))

    def write(self) -> ImportResult:
        product_ids = self.create_products()
        rounds = self.create_rounds()
        by_round: dict[str, dict[int, dict[int, Row]]] = defaultdict(lambda: defaultdict(dict))
        for row in self.checked.rows:
            by_round[row.round][product_ids[row.product]][row.item.pk] = row
        for label, answers in by_round.items():
            outcome = self.round_results[label]
            outcome.rows = sum(len(v) for v in answers.values())
            if label in self.checked.unchanged_rounds:
                outcome.assessments_unchanged = len(answers)  # as stored: nothing to write
                continue
            self.write_round(rounds[label], answers, outcome)
        return self.result

    def create_departments(self, names: set[str]) -> dict[str, int]:
        """Department ids by name as written, creating the departments that are missing."""
        departments = list(Department.objects.values_list("id", "slug", "name"))
        by_name = {name: pk for pk, _, name in departments}
        by_name_ci = {name.casefold(): pk for pk, _, name in departments}
        by_slug = {slug: pk for pk, slug, _ in departments}
        found: dict[str, int] = {}
        new: dict[str, str] = {}  # slug -> name as first written
        for name in sorted(names):
            slug = new_slug(name, "department")
            pk = (
                by_name.get(name)
                or by_name_ci.get(name.casefold())
                or by_slug.get(name)
                or by_slug.get(slug)
            )
            if pk is not None:
                found[name] = pk
            else:
                new.setdefault(slug, name)
        Department.objects.bulk_create([Department(slug=s, name=n) for s, n in new.items()])
        created = dict(Department.objects.filter(slug__in=new).values_list("slug", "id"))
        for name in names:
            if name not in found:
                found[name] = created[new_slug(name, "department")]
        self.result.departments_created = sorted(new.values())
        return found

    def create_products(self) -> dict[str, int]:
        new = self.checked.new_products
        # Department and phase are set on creation only, from the product's latest round.
        dates = {label: r.opens_on for label, r in self.checked.rounds.items()}
        dates.update(
            {label: r.opens_on for label, r in self.checked.new_rounds.items() if r.opens_on}
        )
        department_at: dict[str, tuple[tuple[date, int], str]] = {}
        phase_at: dict[str, tuple[tuple[date, int], str]] = {}
        for row in self.checked.rows:
            if row.product not in new:
                continue
            when = (dates[row.round], row.number)
            if row.department and (
                row.product not in department_at or department_at[row.product][0] <= when
            ):
                department_at[row.product] = (when, row.department)
            if row.phase and (row.product not in phase_at or phase_at[row.product][0] <= when):
                phase_at[row.product] = (when, row.phase)
        departments = {slug: department_at.get(slug, (None, UNASSIGNED))[1] for slug in new}
        department_ids = self.create_departments(set(departments.values())) if new else {}
        Product.objects.bulk_create(
            [
                Product(
                    slug=slug,
                    name=name[:200],
                    department_id=department_ids[departments[slug]],
                    phase=phase_at.get(slug, (None, Phase.PRODUCTION.value))[1],
                )
                for slug, name in new.items()
            ],
            batch_size=BATCH,
        )
        self.result.products_created = sorted(new)
        wanted = {row.product for row in self.checked.rows}
        ids: dict[str, int] = {}
        slugs = sorted(wanted)
        for start in range(0, len(slugs), BATCH):
            chunk = slugs[start : start + BATCH]
            ids.update(Product.objects.filter(slug__in=chunk).values_list("slug", "id"))
        return ids

    def create_rounds(self) -> dict[str, Round]:
        rounds: dict[str, Round] = {}
        self.round_results: dict[str, RoundResult] = {}
        labels = list(dict.fromkeys(row.round for row in self.checked.rows))
        for label in labels:
            existing = self.checked.rounds.get(label)
            if existing is not None:
                # Held until the import commits: no close, re-open or re-score meanwhile.
                rounds[label] = round_lock(existing)
                self.round_results[label] = RoundResult(label)
                continue
            opens_on = self.checked.new_rounds[label].opens_on
            assert opens_on is not None  # checked before writing
            rounds[label] = round_record_historical(
                version=self.version,
                label=label,
                opens_on=opens_on,
                closes_on=opens_on + timedelta(days=settings.ROUND_OPEN_DAYS),
                by=self.by,
            )
            self.round_results[label] = RoundResult(label, created=True)
        ordered = sorted(labels, key=lambda label: (rounds[label].opens_on, label))
        self.result.rounds = [self.round_results[label] for label in ordered]
        return rounds

    def write_round(
        self, rnd: Round, answers: dict[int, dict[int, Row]], outcome: RoundResult
    ) -> None:
        through = Round.products.through
        targeted = set(through.objects.filter(round=rnd).values_list("product_id", flat=True))
        missing = [pid for pid in answers if pid not in targeted]
        through.objects.bulk_create(
            [through(round_id=rnd.pk, product_id=pid) for pid in missing], batch_size=BATCH
        )
        outcome.products_targeted = len(missing)
        existing = {
            a.product_id: a
            for a in Assessment.objects.filter(round=rnd).only(
                "id", "product_id", "status", "final_score", "submitted_at", "unsubmitted_changes"
            )
            if a.product_id in answers
        }
        new_ids = self.create_assessments(rnd, [p for p in answers if p not in existing], answers)
        outcome.assessments_created = len(new_ids)
        updated = self.update_assessments(rnd, existing, answers, outcome)
        outcome.assessments_updated = len(updated)
        outcome.assessments_unchanged = len(existing) - len(updated)
        if not outcome.changed:
            return
        # Scored, non-response recorded and regressions flagged as a close does; in a
        # round that existed, a recorded re-score from the import.
        frozen = assessments_freeze(
            round=rnd,
            kind=RoundEventKind.IMPORTED if outcome.created else RoundEventKind.RESCORED,
            by=self.by,
            source=RevisionSource.IMPORT,
            now=self.now,
            assessment_ids=[*new_ids.values(), *(a.pk for a in updated)],
            notify=False,
            rows=outcome.rows,
            round_created=outcome.created,
            products_targeted=outcome.products_targeted,
            assessments_created=outcome.assessments_created,
            assessments_updated=outcome.assessments_updated,
            assessments_unchanged=outcome.assessments_unchanged,
            answers_changed=outcome.answers_changed,
        )
        outcome.scored, outcome.not_submitted = frozen.scored, frozen.not_submitted
        outcome.regressions = frozen.regressions

    def is_complete(self, rows: dict[int, Row]) -> bool:
        """Complete (``scoring``) when every item of the version has a row with a value."""
        return is_complete(rows[item.pk].value if item.pk in rows else None for item in self.items)

    def status_of(self, rows: dict[int, Row]) -> str:
        if self.is_complete(rows):
            return AssessmentStatus.SUBMITTED
        return AssessmentStatus.NOT_SUBMITTED

    def create_assessments(
        self, rnd: Round, product_ids: list[int], answers: dict[int, dict[int, Row]]
    ) -> dict[int, int]:
        if not product_ids:
            return {}
        assessments = []
        for product_id in product_ids:
            status = self.status_of(answers[product_id])
            submitted = status == AssessmentStatus.SUBMITTED
            assessments.append(
                Assessment(
                    round=rnd,
                    product_id=product_id,
                    status=status,
                    created_at=self.now,
                    updated_at=self.now,
                    submitted_at=rnd.closed_at if submitted else None,
                )
            )
        Assessment.objects.bulk_create(assessments, batch_size=BATCH)
        wanted = set(product_ids)
        ids = {
            product_id: pk
            for product_id, pk in Assessment.objects.filter(round=rnd).values_list(
                "product_id", "id"
            )
            if product_id in wanted
        }
        by = self.by.pk if self.by is not None else None
        now = self.now

        def values() -> Iterator[dict[str, object]]:
            for product_id in product_ids:
                rows, assessment_id = answers[product_id], ids[product_id]
                for item in self.items:
                    row = rows.get(item.pk)
                    value, note = (row.value, row.note) if row else (None, "")
                    na_reason = note if value == NA else ""
                    # A file's answers are the record of what was submitted (DESIGN §6.2).
                    yield {
                        "assessment_id": assessment_id,
                        "item_id": item.pk,
                        "value": value,
                        "note": note,
                        "na_reason": na_reason,
                        "submitted_value": value,
                        "submitted_note": note,
                        "submitted_na_reason": na_reason,
                        "updated_at": now,
                        "updated_by_id": by,
                    }

        answers_insert(values())
        # A file's complete answers were submitted by the round's close (DESIGN §6.2).
        submissions_log(
            [
                ids[p]
                for p in product_ids
                if self.status_of(answers[p]) == AssessmentStatus.SUBMITTED
            ],
            at=rnd.closed_at or self.now,
            by=self.by,
        )
        self.round_results[rnd.label].answers_changed += sum(
            1 for p in product_ids for r in answers[p].values() if r.value is not None
        )
        return ids

    def answer(self, assessment_id: int, item_id: int, row: Row | None) -> Answer:
        value = row.value if row else None
        note = row.note if row else ""
        answer = Answer(
            assessment_id=assessment_id,
            item_id=item_id,
            value=value,
            note=note,
            na_reason=note if value == NA else "",
            updated_at=self.now,
            updated_by=self.by,
        )
        answer_as_submitted(answer)
        return answer

    def update_assessments(
        self,
        rnd: Round,
        existing: dict[int, Assessment],
        answers: dict[int, dict[int, Row]],
        outcome: RoundResult,
    ) -> list[Assessment]:
        """Change the named answers of assessments already in the round; returns the
        assessments that changed (in answers, or in status: complete means submitted)."""
        if not existing:
            return []
        by_assessment = {a.pk: a for a in existing.values()}
        stored: dict[int, dict[int, Answer]] = defaultdict(dict)
        ids = list(by_assessment)
        for start in range(0, len(ids), BATCH):
            for answer in Answer.objects.filter(assessment_id__in=ids[start : start + BATCH]).only(
                "id", "assessment_id", "item_id", "value", "note", "na_reason", "evidence_url",
                "carry", "revision", *SUBMITTED_FIELDS,
            ):  # fmt: skip
                stored[answer.assessment_id][answer.item_id] = answer
        changes: list[AnswerChange] = []
        created_answers: list[Answer] = []
        changed: list[Assessment] = []
        for assessment in existing.values():
            rows = answers[assessment.product_id]
            had = stored[assessment.pk]
            values = {item_id: answer.value for item_id, answer in had.items()}
            differs = False
            # DESIGN §6.2: only the answers the file names change; the others stay.
            for item_id, row in rows.items():
                fresh = self.answer(assessment.pk, item_id, row)
                old = had.get(item_id)
                if old is None:
                    values[item_id] = fresh.value
                    created_answers.append(fresh)
                    differs = True
                    continue
                stored_now = (
                    (old.submitted_value, old.submitted_note)
                    if assessment.unsubmitted_changes
                    else (old.value, old.note)
                )
                if row is not None and row_matches(row, *stored_now):
                    continue  # as exported: no change (an N/A keeps its stored reason)
                if (old.value, old.note, old.na_reason) != (
                    fresh.value,
                    fresh.note,
                    fresh.na_reason,
                ):
                    changes.append(
                        AnswerChange(old, fresh.value, fresh.na_reason, fresh.note, submitted=True)
                    )
                    values[item_id] = fresh.value
                    differs = True
            if not differs:
                # DESIGN §6.2: rows equal to what is stored change nothing, not even the
                # status or the score (an assessment not submitted at the close stays so).
                continue
            complete = is_complete(values.get(item.pk) for item in self.items)
            assessment.status = (
                AssessmentStatus.SUBMITTED if complete else AssessmentStatus.NOT_SUBMITTED
            )
            assessment.updated_at = self.now
            changed.append(assessment)
        outcome.answers_changed += answers_change(
            changes, by=self.by, at=self.now, source=RevisionSource.IMPORT
        )
        answers_create(created_answers, by=self.by, at=self.now, source=RevisionSource.IMPORT)
        outcome.answers_changed += sum(1 for a in created_answers if a.value is not None)
        # The file's answers replace what was submitted, from now on (the burn-up of an
        # initiative moves on the day of the import); an incomplete one stands no more.
        submitted: list[int] = []
        incomplete: list[int] = []
        for assessment in changed:
            if assessment.status == AssessmentStatus.SUBMITTED:
                assessment.submitted_at = assessment.submitted_at or rnd.closed_at
                submitted.append(assessment.pk)
            else:
                assessment.submitted_at = None
                incomplete.append(assessment.pk)
        submissions_void(incomplete, at=self.now)
        submissions_log(submitted, at=self.now, by=self.by)
        Assessment.objects.bulk_update(
            changed, ["status", "updated_at", "submitted_at"], batch_size=BATCH
        )
        return changed
