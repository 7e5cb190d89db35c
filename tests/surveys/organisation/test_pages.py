"""Organisation pages (MLOps admins): departments, products, members, people, bulk file."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mlopsscore import celery_app
from surveys.models import AuditEvent, Department, Phase, Product, Profile
from surveys.organisation.roles import is_admin, is_manager
from surveys.tokens.services import token_create
from tests import factories

pytestmark = pytest.mark.django_db
User = get_user_model()


def pages(cast: Any) -> list[tuple[str, str]]:
    dept = cast.product.department
    return [
        ("get", reverse("organisation:departments")),
        ("post", reverse("organisation:department", args=[dept.pk])),
        ("get", reverse("organisation:products")),
        ("get", reverse("organisation:product", args=[cast.product.slug])),
        ("post", reverse("organisation:product-action", args=[cast.product.slug])),
        ("get", reverse("organisation:people")),
        ("post", reverse("organisation:person", args=[cast.member.pk])),
        ("get", reverse("imports:organisation")),
    ]


@pytest.mark.parametrize("who", ["member", "other_member", "manager"])
def test_only_admins_manage_the_organisation(client: Any, cast: Any, who: str) -> None:
    client.force_login(getattr(cast, who))
    for method, url in pages(cast):
        response = getattr(client, method)(url, {"action": "archive"})
        assert response.status_code == 403, url
    cast.product.refresh_from_db()
    assert cast.product.archived_at is None


def test_anonymous_and_tokens_are_refused(client: Any, cast: Any) -> None:
    _, raw = token_create(product=cast.other_product, name="ci", by=cast.admin)
    for method, url in pages(cast):
        response = getattr(client, method)(url, {"action": "archive"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        response = getattr(client, method)(
            url, {"action": "archive"}, HTTP_AUTHORIZATION=f"Bearer {raw}"
        )
        assert response.status_code in (302, 403)
    assert not AuditEvent.objects.filter(category="organisation").exists()


def test_the_department_tree_counts_products_with_sub_departments(client: Any, cast: Any) -> None:
    client.force_login(cast.admin)
    client.post(reverse("organisation:departments"), {"name": "Ads"})
    ads = Department.objects.get(name="Ads")
    client.post(reverse("organisation:departments"), {"name": "Ads ranking", "parent": ads.pk})
    child = Department.objects.get(name="Ads ranking")
    factories.ProductFactory(slug="rank-a", department=child)
    factories.ProductFactory(slug="ads-b", department=ads)
    response = client.get(reverse("organisation:departments"))
    rows = {r["department"].name: (r["depth"], r["total"]) for r in response.context["rows"]}
    assert rows["Ads"] == (0, 2) and rows["Ads ranking"] == (1, 1)
    # A department never moves inside itself.
    page = client.post(
        reverse("organisation:department", args=[ads.pk]),
        {"name": "Ads", "parent": child.pk},
        follow=True,
    ).content.decode()
    assert "Ads cannot move under Ads ranking: that is inside it." in page
    # Archiving is refused while it holds products; renaming is recorded.
    client.post(
        reverse("organisation:department", args=[ads.pk]), {"action": "archive", "confirmed": "1"}
    )
    ads.refresh_from_db()
    assert ads.archived_at is None
    client.post(
        reverse("organisation:department", args=[child.pk]), {"name": "Ranking", "parent": ads.pk}
    )
    event = AuditEvent.objects.get(action="department.changed")
    assert event.data["changes"]["name"] == ["Ads ranking", "Ranking"] and event.by == cast.admin


def test_products_are_created_edited_archived_and_never_deleted_with_answers(
    client: Any, cast: Any, version: Any
) -> None:
    client.force_login(cast.admin)
    dept = cast.product.department
    response = client.post(
        reverse("organisation:products"),
        {
            "slug": "fraud",
            "name": "Fraud",
            "department": dept.pk,
            "phase": "poc",
            "is_active": "on",
        },
    )
    assert response["Location"] == reverse("organisation:product", args=["fraud"])
    fraud = Product.objects.get(slug="fraud")
    assert (fraud.phase, fraud.is_active) == (Phase.POC, True)
    client.post(
        reverse("organisation:product", args=["fraud"]),
        {"slug": "fraud-v2", "name": "Fraud v2", "department": dept.pk, "phase": "production"},
    )
    fraud.refresh_from_db()
    assert (fraud.slug, fraud.name, fraud.phase, fraud.is_active) == (
        "fraud-v2", "Fraud v2", "production", False,
    )  # fmt: skip
    rnd = factories.make_round(version)
    factories.make_assessment(rnd, cast.product, default="1")
    page = client.post(
        reverse("organisation:product-action", args=["ads-ctr"]),
        {"action": "delete", "confirmed": "1"},
        follow=True,
    ).content.decode()
    assert "has assessments: archive it instead" in page
    client.post(
        reverse("organisation:product-action", args=["ads-ctr"]),
        {"action": "archive", "confirmed": "1"},
    )
    cast.product.refresh_from_db()
    assert cast.product.archived_at is not None and not cast.product.is_active
    client.post(
        reverse("organisation:product-action", args=["fraud-v2"]),
        {"action": "delete", "confirmed": "1"},
    )
    assert not Product.objects.filter(slug="fraud-v2").exists()


@pytest.fixture
def eager() -> Iterator[None]:
    """Tasks run in-process (CI sets a broker, which these page tests do not use)."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def test_members_are_added_removed_and_invited_by_email(
    client: Any, cast: Any, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(cast.admin)
    url = reverse("organisation:product-action", args=["ads-ctr"])
    client.post(url, {"action": "add-member", "person": "other-member"})
    assert set(cast.product.members.values_list("username", flat=True)) == {
        "member",
        "other-member",
    }
    client.post(url, {"action": "remove-member", "user": cast.member.pk})
    assert list(cast.product.members.values_list("username", flat=True)) == ["other-member"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "add-member", "person": "New.Person@Example.com"})
    assert response.status_code == 302
    new = User.objects.get(email="new.person@example.com")
    assert not new.has_usable_password() and cast.product.members.filter(pk=new.pk).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.person@example.com"]
    link = re.search(r"http\S+/accounts/reset/\S+/", mail.outbox[0].body)
    assert link is not None and "Ads Ctr" in mail.outbox[0].body
    path = link.group(0).split("127.0.0.1:8000")[-1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200 and b"Choose your password" in form_page.content
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-long-new-pass-42", "new_password2": "a-long-new-pass-42"},
    )
    new.refresh_from_db()
    assert new.check_password("a-long-new-pass-42")
    page = client.post(url, {"action": "add-member", "person": "nobody"}, follow=True)
    assert "Nobody has the username nobody." in page.content.decode()


def test_people_get_roles_language_and_time_zone(client: Any, cast: Any) -> None:
    client.force_login(cast.admin)
    prefix = f"p{cast.member.pk}"
    client.post(
        reverse("organisation:person", args=[cast.member.pk]),
        {
            f"{prefix}-role": "manager",
            f"{prefix}-language": "ja",
            f"{prefix}-time_zone": "Asia/Tokyo",
        },
    )
    member = User.objects.get(pk=cast.member.pk)
    profile = Profile.objects.get(user=member)
    assert is_manager(member) and not is_admin(member)
    assert (profile.language, profile.time_zone) == ("ja", "Asia/Tokyo")
    page = client.post(
        reverse("organisation:person", args=[cast.member.pk]),
        {f"{prefix}-role": "admin", f"{prefix}-language": "en", f"{prefix}-time_zone": "Mars/Base"},
        follow=True,
    ).content.decode()
    assert "Not a time zone" in page
    assert not is_admin(User.objects.get(pk=cast.member.pk))
    mine = f"p{cast.admin.pk}"
    page = client.post(
        reverse("organisation:person", args=[cast.admin.pk]),
        {f"{mine}-role": "respondent", f"{mine}-language": "en", f"{mine}-time_zone": ""},
        follow=True,
    ).content.decode()
    assert "You cannot take away your own MLOps admin role." in page
    client.post(reverse("organisation:people"), {"email": "boss@example.com", "role": "admin"})
    assert is_admin(User.objects.get(email="boss@example.com"))


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("org.csv", text.encode("utf-8"), "text/csv")


def test_bulk_file_dry_run_then_apply_all_or_nothing(client: Any, cast: Any) -> None:
    client.force_login(cast.admin)
    text = (
        "product,name,department,department_name,phase,active,members\n"
        "ads-ctr,,,,poc,,other-member; fresh@example.com\n"
        "fraud,Fraud,risk,Risk,validation,yes,member\n"
    )
    response = client.post(reverse("imports:organisation"), {"file": _csv(text)})
    changes = [(c.row, c.text) for c in response.context["plan"].changes]
    assert changes == [
        (2, "update product: ads-ctr: phase production → poc"),
        (2, "add member: other-member → ads-ctr"),
        (2, "invite and add member: fresh@example.com → ads-ctr"),
        (3, "create department: Risk (risk)"),
        (3, "create product: Fraud (fraud)"),
        (3, "add member: member → fraud"),
    ]
    assert not Product.objects.filter(slug="fraud").exists()  # a dry run writes nothing
    staged = response.context["staged"].pk
    client.post(reverse("imports:organisation"), {"staged": staged})
    fraud = Product.objects.get(slug="fraud")
    assert fraud.department.name == "Risk" and fraud.phase == "validation"
    assert set(Product.objects.get(slug="ads-ctr").members.values_list("username", flat=True)) == {
        "member", "other-member", "fresh@example.com",
    }  # fmt: skip
    assert AuditEvent.objects.filter(source="import", action="member.added").count() == 3


def test_bulk_file_errors_by_row_change_nothing(client: Any, cast: Any) -> None:
    client.force_login(cast.admin)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in (
        ["Product", "Name", "Department", "Phase", "Members"],
        ["good", "Good", cast.product.department.slug, "poc", ""],
        ["Bad Slug!", "x", "d", "beta", "not-an-address@"],
        ["newbie", "", "", "", "ghost"],
    ):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("org.xlsx", buffer.getvalue())
    response = client.post(reverse("imports:organisation"), {"file": upload})
    assert response.context["problems"] == [
        "row 3: product 'Bad Slug!' must be a slug (letters, digits, '-', '_')",
        "row 3: phase 'beta' must be one of poc, validation, production",
        "row 3: 'not-an-address@' is not an email address",
        "row 4: a new product needs a name",
        "row 4: a new product needs a department",
        "row 4: nobody has the username 'ghost'",
    ]
    assert "staged" not in response.context
    assert not Product.objects.filter(slug="good").exists()


def test_japanese_organisation_pages(client: Any, cast: Any) -> None:
    client.force_login(cast.admin)
    page = client.get(reverse("organisation:products"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "組織" in page and "新しいプロダクト" in page
