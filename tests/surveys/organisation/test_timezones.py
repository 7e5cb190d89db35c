"""Each person's time zone: pages show times in the reader's zone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from surveys.models import AssessmentStatus, Profile
from tests import factories

pytestmark = pytest.mark.django_db

SUBMITTED = dt.datetime(2026, 10, 5, 23, 30, tzinfo=dt.UTC)


@pytest.fixture
def submitted(version: Any, cast: Any) -> Any:
    rnd = factories.make_round(version, products=(cast.product,))
    assessment = factories.make_assessment(
        rnd, cast.product, default="1", status=AssessmentStatus.SUBMITTED
    )
    assessment.submitted_at = SUBMITTED
    assessment.save(update_fields=["submitted_at"])
    return assessment


def page(cast: Any, assessment: Any) -> str:
    client = Client()
    client.force_login(cast.member)
    return client.get(f"/assessments/{assessment.pk}/").content.decode()


def test_a_person_sees_times_in_their_own_zone(submitted: Any, cast: Any) -> None:
    Profile.objects.create(user=cast.member, time_zone="Asia/Tokyo")
    # 23:30 UTC on the 5th is 08:30 on the 6th in Tokyo.
    assert "Last submitted 2026-10-06 08:30 JST" in page(cast, submitted)


def test_without_a_choice_the_organisations_zone(submitted: Any, cast: Any, settings: Any) -> None:
    settings.ORGANISATION_TIME_ZONE = "Europe/Berlin"
    assert "Last submitted 2026-10-06 01:30 CEST" in page(cast, submitted)
    settings.ORGANISATION_TIME_ZONE = "UTC"
    assert "Last submitted 2026-10-05 23:30 UTC" in page(cast, submitted)


def test_an_unknown_zone_name_falls_back_to_the_organisations(
    submitted: Any, cast: Any, settings: Any
) -> None:
    settings.ORGANISATION_TIME_ZONE = "UTC"
    Profile.objects.create(user=cast.member, time_zone="Mars/Olympus")
    assert "Last submitted 2026-10-05 23:30 UTC" in page(cast, submitted)
