"""DESIGN §7: the Django admin is for superusers, and read-only for answers, revisions,
scores and rounds (and their events): the app's services are the one write path."""

from __future__ import annotations

from typing import Any

import pytest

from surveys.models import (
    Answer,
    AnswerRevision,
    AreaScore,
    Assessment,
    AssessmentStatus,
    Round,
    RoundEvent,
    RoundStatus,
)
from surveys.rounds import services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client: Any) -> Any:
    client.force_login(factories.UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def closed(version: Any, cast: Any) -> Assessment:
    rnd = factories.make_round(version, products=(cast.product,))
    assessment = factories.make_assessment(
        rnd, cast.product, default="1", status=AssessmentStatus.SUBMITTED
    )
    services.round_close(round=rnd, by=cast.admin, notify=False)
    revision_answer = Answer.objects.filter(assessment=assessment).first()
    assert revision_answer is not None
    AnswerRevision.objects.create(answer=revision_answer, old_value=None, new_value="1")
    assessment.refresh_from_db()
    return assessment


def rows(assessment: Assessment) -> dict[str, Any]:
    return {
        "answer": Answer.objects.filter(assessment=assessment).first(),
        "answerrevision": AnswerRevision.objects.filter(answer__assessment=assessment).first(),
        "areascore": AreaScore.objects.filter(assessment=assessment).first(),
        "assessment": assessment,
        "round": assessment.round,
        "roundevent": RoundEvent.objects.filter(round=assessment.round).first(),
    }


@pytest.mark.parametrize(
    "model", ["answer", "answerrevision", "areascore", "assessment", "round", "roundevent"]
)
def test_the_admin_shows_but_refuses_to_add_change_or_delete(
    superuser_client: Any, closed: Assessment, model: str
) -> None:
    obj = rows(closed)[model]
    base = f"/admin/surveys/{model}/"
    assert superuser_client.get(base).status_code == 200
    assert superuser_client.get(f"{base}{obj.pk}/change/").status_code == 200  # a view page
    assert superuser_client.get(f"{base}add/").status_code == 403
    assert superuser_client.post(f"{base}add/", {}).status_code == 403
    assert superuser_client.post(f"{base}{obj.pk}/change/", {"status": "open"}).status_code == 403
    assert superuser_client.post(f"{base}{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    response = superuser_client.post(
        base, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )
    assert response.status_code in {200, 302, 403}
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_the_round_keeps_its_status_and_scores(superuser_client: Any, closed: Assessment) -> None:
    superuser_client.post(
        f"/admin/surveys/round/{closed.round_id}/change/", {"status": RoundStatus.OPEN}
    )
    superuser_client.post(
        f"/admin/surveys/assessment/{closed.pk}/change/", {"final_score": "0", "status": "draft"}
    )
    assert Round.objects.get(pk=closed.round_id).status == RoundStatus.CLOSED
    assert Assessment.objects.get(pk=closed.pk).final_score == 7.0


@pytest.mark.parametrize("who", ["member", "manager", "admin"])
def test_only_superusers_enter_the_django_admin(cast: Any, client: Any, who: str) -> None:
    user = getattr(cast, who)
    user.is_staff = True  # even staff that is not a superuser stays out
    user.save()
    client.force_login(user)
    response = client.get("/admin/surveys/answer/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_every_round_event_and_score_records_its_source(closed: Assessment) -> None:
    event = RoundEvent.objects.get(round=closed.round, kind="closed")
    assert event.source == "admin"
    assert closed.score_source == "admin"
