"""After submitting (DESIGN §2, §5): nothing asks to confirm carried answers any more,
"Confirm" says a submit is still needed, and the next steps stand beside the survey."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from surveys.models import Answer, AssessmentStatus, CarryStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def carried(version: Any, cast: Any) -> Any:
    before = factories.make_round(
        version, label="2026-04", opens_on=dt.date(2026, 4, 1), status="closed"
    )
    previous = factories.make_assessment(
        before, cast.product, default="0.5", status=AssessmentStatus.SUBMITTED
    )
    now = factories.make_round(version, label="2026-10", opens_on=dt.date(2026, 10, 1))
    assessment = factories.make_assessment(
        now, cast.product, default="0.5", status=AssessmentStatus.NOT_STARTED
    )
    assessment.carried_from = previous
    assessment.save(update_fields=["carried_from"])
    Answer.objects.filter(assessment=assessment).update(carry=CarryStatus.CARRIED)
    return assessment


def test_confirm_says_a_submit_is_still_needed(client: Any, cast: Any, carried: Any) -> None:
    client.force_login(cast.member)
    page = client.get(reverse("assessment", args=[carried.pk])).content.decode()
    assert "Confirm the 28 unchanged answers" in page
    page = client.post(
        reverse("assessment-confirm-carried", args=[carried.pk]), follow=True
    ).content.decode()
    assert "Confirmed 28 carried answers." in page
    assert "Submit the assessment to record them: until then they count for nothing." in page


def test_after_submitting_nothing_asks_to_confirm_and_next_steps_show(
    client: Any, cast: Any, carried: Any
) -> None:
    client.force_login(cast.member)
    response = client.post(reverse("assessment-submit", args=[carried.pk]), follow=True)
    carried.refresh_from_db()
    assert carried.status == AssessmentStatus.SUBMITTED
    page = response.content.decode()
    assert "unchanged answer" not in page and "data-carried" not in page
    assert 'class="badge">carried<' not in page
    # Next steps beside the answers, each linking to its item on the page.
    assert 'id="steps-h">Next steps<' in page
    first = carried.round.version.items.order_by("area__position", "position").first()
    assert f'<a href="#item-{first.pk}">{first.code}</a>' in page
    assert "0.5 → 1" in page


def test_an_unfinished_assessment_shows_no_next_steps(client: Any, cast: Any, version: Any) -> None:
    rnd = factories.make_round(version)
    assessment = factories.make_assessment(rnd, cast.product, {"data.i1": "1"})
    client.force_login(cast.member)
    page = client.get(reverse("assessment", args=[assessment.pk])).content.decode()
    assert 'id="steps-h"' not in page


@pytest.mark.parametrize("who", ["other_member", "anonymous"])
def test_others_see_neither_the_assessment_nor_its_steps(
    client: Any, cast: Any, carried: Any, who: str
) -> None:
    if who != "anonymous":
        client.force_login(getattr(cast, who))
    response = client.get(reverse("assessment", args=[carried.pk]))
    assert response.status_code in (302, 403, 404)
    assert b"steps-h" not in response.content
    response = client.post(reverse("assessment-confirm-carried", args=[carried.pk]))
    assert response.status_code in (302, 403, 404)
    assert Answer.objects.filter(assessment=carried, carry=CarryStatus.CARRIED).count() == 28
