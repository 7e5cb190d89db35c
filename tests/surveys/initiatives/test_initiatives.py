"""DESIGN §5: initiatives — scope, progress and burn-up, pages, API, reminders, the result."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from surveys.assessments.services import answer_set, assessment_submit
from surveys.initiatives import tasks
from surveys.initiatives.selectors import initiative_progress, product_standing
from surveys.initiatives.services import InitiativeInput, initiative_freeze, initiative_save
from surveys.models import (
    AssessmentStatus,
    AuditEvent,
    Initiative,
    InitiativeReminder,
    Item,
    Phase,
    Product,
    Submission,
)
from tests import factories
from tests.conftest import WHO

TODAY = dt.date(2026, 10, 10)
BEGUN = dt.datetime(2026, 9, 30, 12, tzinfo=dt.UTC)
SENT = AssessmentStatus.SUBMITTED
MONITORING_LOW = {f"monitoring.i{n}": "0" for n in range(1, 8)}


def _initiative(admin: Any, version: Any, **overrides: Any) -> Initiative:
    data = {
        "title": {"en": "Monitoring to 2", "ja": "監視を 2 へ"},
        "questionnaire": version.questionnaire,
        "target_kind": "area",
        "target_key": "monitoring",
        "threshold": 2.0,
        "phases": [Phase.PRODUCTION],
        "starts_on": dt.date(2026, 10, 1),
        "deadline": dt.date(2026, 12, 31),
        "owner": admin,
        "reminder_days": [14, 7],
    }
    data.update(overrides)
    return initiative_save(initiative=None, data=InitiativeInput(**data), by=admin)


def _item_on_the_verified_score(admin: Any, version: Any) -> Initiative:
    """``data.i1`` at 1, on the verified score: a check must have run for it."""
    return _initiative(
        admin, version, target_kind="item", target_key="data.i1", threshold=1.0, verified=True
    )


@pytest.fixture
def setting(cast: Any, version: Any) -> dict[str, Any]:
    """Both cast products in production, having submitted in an open round on 30
    September: ``product`` with a weak monitoring area, ``other_product`` meeting
    ``monitoring ≥ 2``."""
    rnd = factories.make_round(version, opens_on=dt.date(2026, 10, 1))
    weak = factories.make_assessment(rnd, cast.product, MONITORING_LOW, default="1", status=SENT)
    factories.make_assessment(rnd, cast.other_product, default="0.5", status=SENT)
    poc = factories.ProductFactory(slug="poc-thing", phase=Phase.POC)
    factories.make_assessment(rnd, poc, MONITORING_LOW, default="1", status=SENT)
    rnd.assessments.update(created_at=BEGUN, submitted_at=BEGUN)
    Submission.objects.update(at=BEGUN)
    weak.refresh_from_db()
    return {"round": rnd, "weak": weak, "initiative": _initiative(cast.admin, version)}


def _raise_monitoring(assessment: Any, by: Any) -> None:
    for item in Item.objects.filter(version=assessment.round.version, area__key="monitoring"):
        answer_set(assessment=assessment, item=item, value="1", base_revision=None, by=by)


class TestProgress:
    def test_scope_is_the_production_products_and_who_is_not_there_yet(
        self, cast: Any, setting: dict[str, Any]
    ) -> None:
        progress = initiative_progress(setting["initiative"], today=TODAY)
        assert progress.scope_size == 2
        assert [r.product.slug for r in progress.meeting] == ["search-rank"]
        [late] = progress.not_yet
        assert late.product.slug == "ads-ctr"
        assert late.standing.score == 0.0
        assert late.bottleneck_titles == ["Monitoring"]
        assert {s["step"].area_key for s in late.steps} == {"monitoring"}

    def test_a_raised_answer_submitted_moves_the_progress_and_todays_burn_up_point(
        self, cast: Any, setting: dict[str, Any]
    ) -> None:
        _raise_monitoring(setting["weak"], cast.member)
        today = timezone.localdate()
        assert len(initiative_progress(setting["initiative"], today=today).meeting) == 1
        assessment_submit(assessment=setting["weak"], by=cast.member)
        progress = initiative_progress(setting["initiative"], today=today)
        assert len(progress.meeting) == 2
        assert progress.counts[-1] == 2
        assert progress.days[-1] == min(today, setting["initiative"].deadline)

    def test_burn_up_has_one_point_per_day_from_the_start(self, setting: dict[str, Any]) -> None:
        progress = initiative_progress(setting["initiative"], today=TODAY)
        assert len(progress.days) == 10
        assert progress.counts == [1] * 10

    def test_departments_scope_takes_their_sub_departments(self, cast: Any, version: Any) -> None:
        child = factories.DepartmentFactory(parent=cast.product.department)
        factories.ProductFactory(slug="inside", department=child, phase=Phase.POC)
        initiative = _initiative(
            cast.admin, version, phases=[], departments=[cast.product.department]
        )
        slugs = {r.product.slug for r in initiative_progress(initiative, today=TODAY).rows}
        assert slugs == {"ads-ctr", "inside"}

    def test_item_target_on_the_verified_score_needs_evidence(
        self, cast: Any, setting: dict[str, Any], version: Any
    ) -> None:
        initiative = _item_on_the_verified_score(cast.admin, version)
        today = timezone.localdate()
        assert initiative_progress(initiative, today=today).meeting == []
        factories.make_evidence(cast.product, "data.i1", observed_at=timezone.now())
        met = [r.product.slug for r in initiative_progress(initiative, today=today).meeting]
        assert met == ["ads-ctr"]


def _same_row(one: Any, row: Any) -> None:
    assert (one.product, one.assessment, one.standing) == (
        row.product,
        row.assessment,
        row.standing,
    )
    assert one.bottleneck_titles == row.bottleneck_titles
    assert [(s["step"], s["item"]) for s in one.steps] == [
        (s["step"], s["item"]) for s in row.steps
    ]


class TestProductStanding:
    """A product's own pages read where it stands without the burn-up: the same row as
    the initiative's page draws for it."""

    def test_each_product_stands_as_in_the_initiatives_progress(
        self, cast: Any, setting: dict[str, Any]
    ) -> None:
        never = factories.ProductFactory(slug="never-sent", phase=Phase.PRODUCTION)
        factories.make_assessment(setting["round"], never, default="1")  # a draft only
        progress = initiative_progress(setting["initiative"], today=TODAY)
        assert {r.product.slug for r in progress.rows} == {"ads-ctr", "search-rank", "never-sent"}
        for row in progress.rows:
            _same_row(product_standing(setting["initiative"], row.product, today=TODAY), row)
        late = product_standing(setting["initiative"], cast.product, today=TODAY)
        assert late is not None and not late.standing.meets
        assert late.bottleneck_titles == ["Monitoring"] and late.steps
        drafted = product_standing(setting["initiative"], never, today=TODAY)
        assert drafted is not None and drafted.assessment is None and not drafted.standing.meets

    def test_on_the_verified_score_with_and_without_evidence(
        self, cast: Any, setting: dict[str, Any], version: Any
    ) -> None:
        initiative = _item_on_the_verified_score(cast.admin, version)
        today = timezone.localdate()
        assert not product_standing(initiative, cast.product, today=today).standing.meets
        factories.make_evidence(cast.product, "data.i1", observed_at=timezone.now())
        [row] = [
            r
            for r in initiative_progress(initiative, today=today).rows
            if r.product == cast.product
        ]
        assert row.standing.meets
        _same_row(product_standing(initiative, cast.product, today=today), row)

    def test_a_product_outside_the_scope_has_no_standing(
        self, cast: Any, setting: dict[str, Any]
    ) -> None:
        poc = Product.objects.get(slug="poc-thing")
        assert product_standing(setting["initiative"], poc, today=TODAY) is None

    def test_the_products_pages_do_not_read_the_submissions_history(
        self, cast: Any, setting: dict[str, Any]
    ) -> None:
        client = factories_client(cast.member)
        for url in ("/products/ads-ctr/", f"/assessments/{setting['weak'].pk}/"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            read = " ".join(q["sql"] for q in queries.captured_queries)
            assert "surveys_initiative" in read
            assert '"surveys_submission"' not in read  # the burn-up's history


class TestSaving:
    def test_creation_and_change_are_in_the_audit(self, cast: Any, setting: dict[str, Any]) -> None:
        initiative = setting["initiative"]
        created = AuditEvent.objects.get(action="initiative_created")
        assert created.by == cast.admin and created.subject_id == initiative.pk
        data = InitiativeInput(
            title={"en": "Monitoring to 3"},
            questionnaire=initiative.questionnaire,
            target_kind="area",
            target_key="monitoring",
            threshold=3.0,
            starts_on=initiative.starts_on,
            deadline=initiative.deadline,
            owner=cast.admin,
        )
        initiative_save(initiative=initiative, data=data, by=cast.admin)
        changed = AuditEvent.objects.get(action="initiative_updated")
        assert changed.data["changes"]["target"] == [
            ["area", "monitoring", 2.0],
            ["area", "monitoring", 3.0],
        ]

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("target_key", "nope", "is no area of"),
            ("threshold", 500, "less than or equal to 100"),
            ("title_en", "", "This field is required"),
            ("deadline", "2026-09-01", "must come after the start"),
            ("reminder_days", "7, 400", "from 1 to 90"),
            ("products", "ads-ctr, ghost", "ghost"),
            ("starts_on", "not a date", "Enter a valid date"),
        ],
    )
    def test_bad_input_gets_a_message_and_saves_nothing(
        self, cast: Any, version: Any, field: str, value: Any, message: str
    ) -> None:
        client = factories_client(cast.admin)
        form = _form(version, cast.admin)
        form[field] = value
        response = client.post("/initiatives/new/", form)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not Initiative.objects.exists()

    def test_an_item_target_is_one_or_a_half(self, cast: Any, version: Any) -> None:
        client = factories_client(cast.admin)
        form = {**_form(version, cast.admin), "target_kind": "item", "target_key": "data.i1"}
        form["threshold"] = "0.7"
        assert "1, or at least 0.5" in client.post("/initiatives/new/", form).content.decode()
        form["threshold"] = "1"
        response = client.post("/initiatives/new/", form)
        assert response.status_code == 302
        assert Initiative.objects.get().target_kind == "item"


def factories_client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _form(version: Any, owner: Any) -> dict[str, Any]:
    return {
        "title_en": "Monitoring to 2",
        "title_ja": "監視を 2 へ",
        "questionnaire": version.questionnaire.pk,
        "target_kind": "area",
        "target_key": "monitoring",
        "threshold": "2",
        "phases": ["production"],
        "products": "",
        "starts_on": "2026-10-01",
        "deadline": "2026-12-31",
        "owner": owner.pk,
        "reminder_days": "14, 7",
    }


class TestReminderAndResult:
    def test_the_tick_reminds_the_members_not_there_yet_once(
        self, cast: Any, setting: dict[str, Any], django_capture_on_commit_callbacks: Any
    ) -> None:
        initiative = setting["initiative"]
        cast.member.email = "member@example.com"
        cast.member.save()
        cast.other_member.email = "other@example.com"
        cast.other_member.save()
        today = timezone.localdate()
        initiative.deadline = today + dt.timedelta(days=7)
        initiative.save()
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                tasks.initiatives_tick()
        assert [m.to for m in mail.outbox] == [["member@example.com"]]
        assert "Monitoring to 2" in mail.outbox[0].subject
        reminder = InitiativeReminder.objects.get()
        assert (reminder.days_before, reminder.recipients) == (7, 1)
        assert reminder.mailed_at is not None

    def test_after_the_deadline_the_result_is_recorded_once_and_frozen(
        self, cast: Any, setting: dict[str, Any], version: Any
    ) -> None:
        initiative = setting["initiative"]
        after = dt.datetime(2027, 1, 1, 12, tzinfo=dt.UTC)
        assert initiative_freeze(initiative=initiative, now=after) is True
        assert initiative_freeze(initiative=initiative, now=after) is False
        initiative.refresh_from_db()
        assert initiative.result["met"] == ["search-rank"]
        assert initiative.result["not_met"] == ["ads-ctr"]
        assert len(initiative.result["burn_up"]) == 92
        assert AuditEvent.objects.filter(action="initiative_result_recorded").count() == 1
        response = factories_client(cast.admin).post(
            f"/initiatives/{initiative.pk}/edit/", _form(version, cast.admin)
        )
        assert response.status_code == 302
        initiative.refresh_from_db()
        assert initiative.threshold == 2.0

    def test_no_freeze_before_the_deadline_has_passed(self, setting: dict[str, Any]) -> None:
        on_the_day = dt.datetime(2026, 12, 31, 12, tzinfo=dt.UTC)
        assert initiative_freeze(initiative=setting["initiative"], now=on_the_day) is False


PAGE_STATUS = {
    "member": 403,
    "other_member": 403,
    "manager": 200,
    "admin": 200,
    "anonymous": 302,
    "foreign_token": 302,
}


class TestPermissions:
    @pytest.mark.parametrize("who", WHO)
    def test_initiative_pages(self, who: str, client_for: Any, setting: dict[str, Any]) -> None:
        client = client_for(who)
        pk = setting["initiative"].pk
        assert client.get("/initiatives/").status_code == PAGE_STATUS[who]
        detail = client.get(f"/initiatives/{pk}/")
        assert detail.status_code == PAGE_STATUS[who]
        if detail.status_code == 200:
            body = detail.content.decode()
            assert "1 of 2 products meet the target now" in body
            assert 'data-not-yet="ads-ctr"' in body

    @pytest.mark.parametrize("who", WHO)
    def test_only_admins_create(self, who: str, client_for: Any, cast: Any, version: Any) -> None:
        client = client_for(who)
        expected = {"admin": 200, "anonymous": 302, "foreign_token": 302}.get(who, 403)
        assert client.get("/initiatives/new/").status_code == expected
        client.post("/initiatives/new/", _form(version, cast.admin))
        assert Initiative.objects.exists() == (who == "admin")

    @pytest.mark.parametrize("who", WHO)
    def test_api(self, who: str, client_for: Any, setting: dict[str, Any]) -> None:
        response = client_for(who).get("/api/v1/initiatives/")
        expected = {"anonymous": 401, "foreign_token": 403}.get(who, 200)
        assert response.status_code in ({expected, 403} if who == "anonymous" else {expected})
        if expected != 200:
            return
        results = response.json()["results"]
        if who == "other_member":
            [row] = results
            assert row["progress"]["products"] == [
                {"product": "search-rank", "meets": True, "score": 3.5}
            ]
            assert row["progress"]["in_scope"] is None
        elif who == "member":
            assert results[0]["progress"]["products"][0]["product"] == "ads-ctr"
        else:
            [row] = results
            assert row["target"] == {
                "kind": "area",
                "key": "monitoring",
                "threshold": 2.0,
                "verified": False,
            }
            assert (row["progress"]["in_scope"], row["progress"]["meeting"]) == (2, 1)

    def test_a_respondent_sees_no_initiative_outside_their_products(
        self, cast: Any, version: Any, client_for: Any, setting: dict[str, Any]
    ) -> None:
        _initiative(cast.admin, version, phases=[], products=[cast.other_product])
        results = client_for("member").get("/api/v1/initiatives/").json()["results"]
        assert [r["id"] for r in results] == [setting["initiative"].pk]
        other = Initiative.objects.exclude(pk=setting["initiative"].pk).get()
        assert client_for("member").get(f"/api/v1/initiatives/{other.pk}/").status_code == 404

    def test_the_schema_lists_the_endpoint(self, client_for: Any, setting: dict[str, Any]) -> None:
        schema = client_for("admin").get("/api/schema/").content.decode()
        assert "/api/v1/initiatives/" in schema


class TestProductPanels:
    def test_product_and_assessment_pages_show_the_initiative(
        self, cast: Any, setting: dict[str, Any]
    ) -> None:
        client = factories_client(cast.member)
        for url in ("/products/ads-ctr/", f"/assessments/{setting['weak'].pk}/"):
            body = client.get(url).content.decode()
            assert "Monitoring to 2" in body
            assert "data-meets-not" in body

    def test_in_japanese(self, cast: Any, setting: dict[str, Any]) -> None:
        client = factories_client(cast.member)
        client.cookies["django_language"] = "ja"
        body = client.get("/products/ads-ctr/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
        assert "監視を 2 へ" in body
        assert "未達成" in body and "領域 monitoring ≥ 2" in body
        admin = factories_client(cast.admin)
        admin.cookies["django_language"] = "ja"
        detail = admin.get(f"/initiatives/{setting['initiative'].pk}/").content.decode()
        assert "現在 2 プロダクト中 1 プロダクトが目標を達成しています。" in detail


class TestWorkbook:
    def _sheet(self, scope: Any) -> list[list[Any]]:
        import io

        import openpyxl

        from reports.exports.workbook import workbook_write
        from reports.figures.trend import trend_build

        out = io.BytesIO()
        workbook_write(trend=trend_build(questionnaire="mlts", scope=scope), out=out, scope=scope)
        sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["Initiatives"]
        return [list(row) for row in sheet.iter_rows(values_only=True)]

    def test_everything_lists_every_product_in_scope(self, setting: dict[str, Any]) -> None:
        from reports.figures.selectors import EVERYTHING

        rows = self._sheet(EVERYTHING)
        assert rows[0][:2] == ["initiative", "target"]
        assert [(r[0], r[1], r[6], r[7]) for r in rows[1:]] == [
            ("Monitoring to 2", "area monitoring ≥ 2", "Ads Ctr", "no"),
            ("Monitoring to 2", "area monitoring ≥ 2", "Search Rank", "yes"),
        ]

    def test_a_respondent_workbook_lists_their_own_products_only(
        self, cast: Any, setting: dict[str, Any]
    ) -> None:
        from reports.figures.selectors import Scope

        rows = self._sheet(Scope(listed_product_ids=frozenset({cast.product.pk})))
        assert [r[6] for r in rows[1:]] == ["Ads Ctr"]


class TestChat:
    def test_a_failing_webhook_is_retried_without_sending_the_emails_again(
        self, cast: Any, setting: dict[str, Any], settings: Any
    ) -> None:
        from unittest import mock

        import requests

        from surveys.initiatives.services import initiative_remind, initiative_reminder_send

        settings.ROUND_WEBHOOK_URL = "https://chat.example/hook"
        cast.member.email = "member@example.com"
        cast.member.save()
        reminder = initiative_remind(
            initiative=setting["initiative"], days_before=14, now=timezone.now()
        )
        assert reminder is not None
        down = mock.patch("requests.post", side_effect=requests.ConnectionError("down"))
        with down, pytest.raises(requests.ConnectionError):
            initiative_reminder_send(reminder_id=reminder.pk)
        assert len(mail.outbox) == 1
        with mock.patch("requests.post") as post:
            assert initiative_reminder_send(reminder_id=reminder.pk) is None
        assert "1 of 2 products meet the target" in post.call_args.kwargs["json"]["text"]
        assert len(mail.outbox) == 1
        reminder.refresh_from_db()
        assert reminder.posted_at is not None and reminder.recipients == 1


class TestEditPage:
    @pytest.mark.parametrize("who", WHO)
    def test_only_admins_edit(self, who: str, client_for: Any, setting: dict[str, Any]) -> None:
        pk = setting["initiative"].pk
        response = client_for(who).get(f"/initiatives/{pk}/edit/")
        expected = {"admin": 200, "anonymous": 302, "foreign_token": 302}.get(who, 403)
        assert response.status_code == expected
        if expected == 200:
            body = response.content.decode()
            assert 'value="Monitoring to 2"' in body and 'value="14, 7"' in body

    def test_an_admin_changes_the_target_and_the_audit_page_shows_it(
        self, cast: Any, setting: dict[str, Any], version: Any
    ) -> None:
        client = factories_client(cast.admin)
        pk = setting["initiative"].pk
        form = {**_form(version, cast.admin), "threshold": "3"}
        assert client.post(f"/initiatives/{pk}/edit/", form).status_code == 302
        assert Initiative.objects.get(pk=pk).threshold == 3.0
        audit = client.get("/audit/?category=initiatives").content.decode()
        assert "initiative_updated" in audit and "Monitoring to 2" in audit

    def test_unknown_initiatives_are_404(self, client_for: Any, setting: dict[str, Any]) -> None:
        admin = client_for("admin")
        assert admin.get("/initiatives/999/").status_code == 404
        assert admin.get("/initiatives/999/edit/").status_code == 404
        assert admin.get("/api/v1/initiatives/999/").status_code == 404


def test_the_migration_schedules_the_initiatives_tick(db: Any) -> None:
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="surveys.initiatives_tick")
    assert task.enabled and task.interval.every == 60


def test_the_tick_sends_a_wave_whose_task_gave_up(
    cast: Any, setting: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    cast.member.email = "member@example.com"
    cast.member.save()
    long_ago = timezone.now() - dt.timedelta(hours=1)
    InitiativeReminder.objects.create(
        initiative=setting["initiative"], days_before=14, sent_at=long_ago
    )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.initiatives_tick()
    assert [m.to for m in mail.outbox] == [["member@example.com"]]
