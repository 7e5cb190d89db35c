"""factory_boy factories for the whole project, plus a small questionnaire builder."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from surveys import models
from surveys.organisation.roles import ADMIN_GROUP, MANAGER_GROUP
from surveys.questionnaires.services import questionnaire_load


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw-for-tests-123")

    @factory.post_generation
    def groups(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        for name in extracted or ():
            self.groups.add(Group.objects.get_or_create(name=name)[0])


def admin_user(**kwargs: Any) -> Any:
    return UserFactory(groups=[ADMIN_GROUP], **kwargs)


def manager_user(**kwargs: Any) -> Any:
    return UserFactory(groups=[MANAGER_GROUP], **kwargs)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Department
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.LazyAttribute(lambda d: d.slug.replace("-", " ").title())


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Product
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"product-{n}")
    name = factory.LazyAttribute(lambda p: p.slug.replace("-", " ").title())
    department = factory.SubFactory(DepartmentFactory)
    phase = models.Phase.PRODUCTION

    @factory.post_generation
    def members(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        for user in extracted or ():
            self.members.add(user)


def questionnaire_data(
    *,
    key: str = "mlts",
    version: str = "2017.1",
    areas: tuple[str, ...] = ("data", "model", "infra", "monitoring"),
    per_area: int = 7,
    na_items: tuple[str, ...] = (),
    na_policy: str = "rescale",
    max_na_per_area: int = 3,
) -> dict[str, Any]:
    """A questionnaire file (DESIGN §6.1) with ``per_area`` items in each area.

    Item keys are ``<area>.i<n>`` and codes ``<AREA initial(s)><n>``; ``na_items`` lists
    the keys that allow N/A.
    """
    prefix = {"data": "D", "model": "M", "infra": "I", "monitoring": "MON"}
    return {
        "key": key,
        "version": version,
        "title": {"en": "ML Test Score", "ja": "ML テストスコア"},
        "na_policy": na_policy,
        "max_na_per_area": max_na_per_area,
        "areas": [
            {
                "key": area,
                "title": {"en": area.title(), "ja": area},
                "items": [
                    {
                        "key": f"{area}.i{n}",
                        "code": f"{prefix.get(area, area[:1].upper())}{n}",
                        "title": {"en": f"{area} practice {n}", "ja": f"{area} 実践 {n}"},
                        "question": f"Do you do {area} practice {n}?",
                        "criteria": {"0": "Not done", "0.5": "By hand", "1": "Automated"},
                        "na": "When it does not apply" if f"{area}.i{n}" in na_items else None,
                        "guideline": None,
                    }
                    for n in range(1, per_area + 1)
                ],
            }
            for area in areas
        ],
    }


def make_version(publish: bool = True, **kwargs: Any) -> models.QuestionnaireVersion:
    version, _ = questionnaire_load(data=questionnaire_data(**kwargs), publish=publish)
    return version


def make_round(
    version: models.QuestionnaireVersion,
    *,
    label: str = "2026-10",
    opens_on: dt.date = dt.date(2026, 10, 1),
    closes_on: dt.date | None = None,
    status: str = models.RoundStatus.OPEN,
    products: tuple[models.Product, ...] = (),
) -> models.Round:
    rnd = models.Round.objects.create(
        questionnaire=version.questionnaire,
        version=version,
        label=label,
        opens_on=opens_on,
        closes_on=closes_on or opens_on + dt.timedelta(days=30),
        status=status,
    )
    rnd.products.set(products)
    return rnd


def make_assessment(
    rnd: models.Round,
    product: models.Product,
    values: dict[str, str | None] | None = None,
    *,
    default: str | None = None,
    status: str = models.AssessmentStatus.DRAFT,
) -> models.Assessment:
    """An assessment whose answers are ``values`` by item key (others: ``default``)."""
    assessment = models.Assessment.objects.create(round=rnd, product=product, status=status)
    rnd.products.add(product)
    values = values or {}
    models.Answer.objects.bulk_create(
        models.Answer(
            assessment=assessment,
            item=item,
            value=values.get(item.key, default),
            na_reason="does not apply" if values.get(item.key, default) == "NA" else "",
        )
        for item in rnd.version.items.all()
    )
    if status == models.AssessmentStatus.SUBMITTED:
        # What a submission leaves (DESIGN §2): the answers as submitted.
        from surveys.assessments.writing import submissions_record

        submissions_record(
            models.Assessment.objects.filter(pk=assessment.pk), at=timezone.now(), by=None
        )
    return assessment


def score_round(rnd: models.Round) -> None:
    """Store the scores of every assessment of ``rnd``, as submitting or closing would."""
    from surveys.assessments.scores import assessments_score_store

    assessments_score_store(round=rnd, assessments=list(rnd.assessments.all()), source="web")


def make_evidence(
    product: models.Product,
    item_key: str,
    *,
    outcome: str = models.Outcome.PASS,
    observed_at: dt.datetime | None = None,
    run_id: str | None = None,
    url: str = "https://ci.example/run/1",
) -> models.Evidence:
    """One CI evidence record (DESIGN §6.5) for ``item_key`` of ``product``."""
    observed_at = observed_at or dt.datetime(2026, 10, 5, 3, 0, tzinfo=dt.UTC)
    return models.Evidence.objects.create(
        product=product,
        item_key=item_key,
        outcome=outcome,
        observed_at=observed_at,
        url=url,
        run_id=run_id or f"{item_key}-{observed_at:%Y%m%d%H%M}",
    )
