"""The audit page's one list: audit events, round events, answer revisions and review
steps, newest first, filtered by who, what and when. Each source is read with the same
filters and a limit, then merged, so a page costs four indexed queries whatever the
history's size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from surveys.assessments.models import AnswerRevision
from surveys.audit.models import AuditCategory, AuditEvent
from surveys.core.actors import Actor
from surveys.names.labels import action_label, detail_label
from surveys.reviews.selectors import audit_rows, review_steps_for_audit
from surveys.rounds.models import RoundEvent, RoundEventKind

PAGE = 100
# Review steps are not audit events (they are the review's own log): their category.
REVIEWS = "reviews"
SCORE_KINDS = (RoundEventKind.RESCORED,)


@dataclass
class Entry:
    at: dt.datetime
    by: Actor
    category: str
    action: str
    target: str
    details: str
    source: str


@dataclass
class Filters:
    who: str = ""
    category: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    before: dt.datetime | None = None


def _when(qs: QuerySet[Any], f: Filters) -> QuerySet[Any]:
    if f.since:
        qs = qs.filter(at__date__gte=f.since)
    if f.until:
        qs = qs.filter(at__date__lte=f.until)
    if f.before:
        qs = qs.filter(at__lt=f.before)
    return qs


def _people(who: str) -> Q | None:
    if not who:
        return None
    ids = (
        get_user_model()
        .objects.filter(
            Q(username__icontains=who) | Q(email__icontains=who) | Q(last_name__icontains=who)
        )
        .values("pk")
    )
    return Q(by__in=ids)


def _show(value: Any) -> str:
    if isinstance(value, list) and len(value) == 2:
        return f"{_show(value[0])} → {_show(value[1])}"
    if isinstance(value, dict):
        return ", ".join(f"{detail_label(k)}: {_show(v)}" for k, v in value.items())
    return "—" if value in (None, "") else str(value)


def _audit(f: Filters, people: Q | None) -> list[Entry]:
    qs = _when(AuditEvent.objects.select_related("by"), f)
    if f.category:
        qs = qs.filter(category=f.category)
    if people is not None:
        qs = qs.filter(people)
    return [
        Entry(
            e.at,
            e.by,
            e.get_category_display(),
            action_label(e.action),
            e.target,
            _details(e.data),
            e.source,
        )
        for e in qs.order_by("-at", "-id")[:PAGE]
    ]


def _details(data: dict[str, Any]) -> str:
    if "changes" in data:
        return "; ".join(f"{detail_label(k)}: {_show(v)}" for k, v in data["changes"].items())
    if "summary" in data:
        return " · ".join(data["summary"][:8])
    return "; ".join(
        f"{detail_label(k)}: {_show(v)}" for k, v in data.items() if k not in ("diff", "item")
    )


def _rounds(f: Filters, people: Q | None) -> list[Entry]:
    if f.category not in ("", AuditCategory.ROUNDS, AuditCategory.SCORES):
        return []
    qs = _when(RoundEvent.objects.select_related("by", "round"), f)
    if f.category == AuditCategory.SCORES:
        qs = qs.filter(kind__in=SCORE_KINDS)
    elif f.category == AuditCategory.ROUNDS:
        qs = qs.exclude(kind__in=SCORE_KINDS)
    if people is not None:
        qs = qs.filter(people)
    scores, rounds = AuditCategory.SCORES.label, AuditCategory.ROUNDS.label
    return [
        Entry(
            e.at,
            e.by,
            str(scores if e.kind in SCORE_KINDS else rounds),
            _("Round: %(what)s") % {"what": e.get_kind_display()},
            e.round.label,
            _show(e.details),
            e.source,
        )
        for e in qs.order_by("-at", "-id")[:PAGE]
    ]


def _answers(f: Filters, people: Q | None) -> list[Entry]:
    if f.category not in ("", AuditCategory.ANSWERS):
        return []
    qs = _when(
        AnswerRevision.objects.select_related(
            "by", "answer__item", "answer__assessment__product", "answer__assessment__round"
        ),
        f,
    )
    if people is not None:
        qs = qs.filter(people)
    out = []
    for r in qs.order_by("-at", "-id")[:PAGE]:
        a = r.answer
        details = f"{_show(r.old_value)} → {_show(r.new_value)}"
        if r.new_note != r.old_note:
            details += " · " + _("note changed")
        target = f"{a.assessment.product.name} · {a.assessment.round.label} · {a.item.code}"
        label = str(AuditCategory.ANSWERS.label)
        out.append(
            Entry(r.at, r.by, label, action_label("answer.changed"), target, details, r.source)
        )
    return out


def _reviews(f: Filters, people: Q | None) -> list[Entry]:
    if f.category not in ("", REVIEWS):
        return []
    qs = _when(review_steps_for_audit(), f)
    if people is not None:
        qs = qs.filter(people)
    label = _("Reviews")
    return [
        Entry(
            row["at"], row["by"], label, row["kind"], row["target"], row["comment"], row["source"]
        )
        for row in audit_rows(qs[:PAGE])
    ]


def audit_entries(f: Filters) -> list[Entry]:
    people = _people(f.who)
    merged = _audit(f, people) + _rounds(f, people) + _answers(f, people) + _reviews(f, people)
    merged.sort(key=lambda e: e.at, reverse=True)
    return merged[:PAGE]
