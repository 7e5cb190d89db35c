"""Admin actions that guard: every archive and delete asks first and says what happened;
a version a round still needs is never archived; a department's name is told apart from
its siblings' and never cut short without a word (DESIGN §4, §7)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from surveys.models import AuditEvent, Department, Product
from tests import factories

pytestmark = pytest.mark.django_db


def test_archiving_the_version_of_the_open_round_is_refused(
    client: Any, cast: Any, version: Any
) -> None:
    factories.make_round(version, label="2026-10")
    client.force_login(cast.admin)
    url = reverse("questionnaires:archive", args=[version.pk])
    page = client.post(url, {"confirmed": "1"}, follow=True).content.decode()
    version.refresh_from_db()
    assert version.archived_at is None
    assert f"{version.label} is used by round 2026-10, which is not closed: it stays." in page


def test_archiving_a_version_asks_first_then_says_it_is_done(
    client: Any, cast: Any, version: Any
) -> None:
    factories.make_round(version, label="2025-10", status="closed")
    client.force_login(cast.admin)
    url = reverse("questionnaires:archive", args=[version.pk])
    page = client.post(url).content.decode()
    version.refresh_from_db()
    assert version.archived_at is None
    assert f"Archive {version.label}?" in page and 'name="confirmed" value="1"' in page
    page = client.post(url, {"confirmed": "1"}, follow=True).content.decode()
    version.refresh_from_db()
    assert version.archived_at is not None
    assert f"{version.label} is archived." in page
    # Unarchiving takes nothing away: no question.
    page = client.post(url, follow=True).content.decode()
    version.refresh_from_db()
    assert version.archived_at is None and f"{version.label} is unarchived." in page


@pytest.mark.parametrize("who", ["member", "other_member", "manager"])
def test_only_admins_reach_the_version_confirmation(
    client: Any, cast: Any, version: Any, who: str
) -> None:
    client.force_login(getattr(cast, who))
    for name in ("questionnaires:archive", "questionnaires:delete"):
        assert client.post(reverse(name, args=[version.pk])).status_code == 403


def test_anonymous_and_a_token_reach_no_confirmation(client: Any, cast: Any, version: Any) -> None:
    url = reverse("questionnaires:archive", args=[version.pk])
    response = client.post(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(url, HTTP_AUTHORIZATION=f"Bearer {cast.foreign_token}")
    assert response.status_code in (302, 403)


def test_a_department_archive_asks_and_names_what_it_holds(client: Any, cast: Any) -> None:
    client.force_login(cast.admin)
    old = Department.objects.create(slug="old", name="Old unit")
    for n in range(12):
        factories.ProductFactory(slug=f"old-{n}", department=old, archived_at="2026-01-01T00:00Z")
    url = reverse("organisation:department", args=[old.pk])
    page = client.post(url, {"action": "archive"}).content.decode()
    old.refresh_from_db()
    assert old.archived_at is None
    assert "Archive Old unit?" in page and "Its 12 archived product(s)" in page
    page = client.post(url, {"action": "archive", "confirmed": "1"}, follow=True).content.decode()
    old.refresh_from_db()
    assert old.archived_at is not None and "Old unit is archived." in page


def test_a_product_archive_and_delete_ask_first(client: Any, cast: Any) -> None:
    client.force_login(cast.admin)
    url = reverse("organisation:product-action", args=[cast.product.slug])
    page = client.post(url, {"action": "archive"}).content.decode()
    cast.product.refresh_from_db()
    assert cast.product.archived_at is None and f"Archive {cast.product.name}?" in page
    page = client.post(url, {"action": "archive", "confirmed": "1"}, follow=True).content.decode()
    assert f"{cast.product.name} is archived." in page
    spare = factories.ProductFactory(slug="spare", department=cast.product.department)
    url = reverse("organisation:product-action", args=["spare"])
    page = client.post(url, {"action": "delete"}).content.decode()
    assert Product.objects.filter(pk=spare.pk).exists() and f"Delete {spare.name}?" in page
    client.post(url, {"action": "delete", "confirmed": "1"})
    assert not Product.objects.filter(pk=spare.pk).exists()


def test_a_department_name_is_not_given_twice_under_one_parent(client: Any, cast: Any) -> None:
    client.force_login(cast.admin)
    parent = cast.product.department
    client.post(reverse("organisation:departments"), {"name": "Ranking", "parent": parent.pk})
    page = client.post(
        reverse("organisation:departments"), {"name": "ranking", "parent": parent.pk, "slug": ""}
    ).content.decode()
    assert f"There is already a department ranking in {parent.name}." in page
    assert Department.objects.filter(name__iexact="ranking").count() == 1
    # Renaming into a sibling's name is refused too; under another parent it is fine.
    other = Department.objects.create(slug="other", name="Other", parent=parent)
    page = client.post(
        reverse("organisation:department", args=[other.pk]),
        {"name": "Ranking", "parent": parent.pk},
        follow=True,
    ).content.decode()
    assert "There is already a department Ranking in" in page
    other.refresh_from_db()
    assert other.name == "Other"
    assert not AuditEvent.objects.filter(action="department.changed").exists()


def test_a_name_too_long_is_refused_with_its_length_not_cut(client: Any, cast: Any) -> None:
    client.force_login(cast.admin)
    page = client.get(reverse("organisation:departments")).content.decode()
    assert 'maxlength="200"' not in page
    response = client.post(reverse("organisation:departments"), {"name": "x" * 1000})
    page = response.content.decode()
    assert "at most 200 characters (it has 1000)" in page
    assert 'value="' + "x" * 1000 + '"' in page  # what was typed is kept
    assert not Department.objects.filter(name__startswith="xxx").exists()


def test_the_audit_names_actions_and_details(client: Any, cast: Any, version: Any) -> None:
    from surveys.models import RoundEvent, RoundEventKind

    rnd = factories.make_round(version, label="2026-10")
    RoundEvent.objects.create(
        round=rnd,
        kind=RoundEventKind.CLOSED,
        by=cast.admin,
        details={"submitted": 3, "not_submitted": 2},
    )
    client.force_login(cast.admin)
    page = client.get(reverse("audit:list")).content.decode()
    assert "Round: Closed" in page and "round.closed" not in page
    assert "not submitted: 2" in page and "not_submitted" not in page
    page = client.get(reverse("audit:list"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "not submitted" not in page and "round.closed" not in page
