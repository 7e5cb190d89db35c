"""DESIGN §4: a state change and its record commit together; emails, the webhook and the
round report follow the commit, by tasks that retry, and never undo it."""

from __future__ import annotations

import ast
import datetime as dt
import pathlib
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
import requests
from django.core import mail

from mlopsscore import celery_app
from surveys.models import (
    Assessment,
    AssessmentStatus,
    RoundEventKind,
    RoundMail,
    RoundReport,
    RoundStatus,
)
from surveys.rounds import services, tasks
from tests import factories
from tests.mail_backends import DownBackend

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 10, 31, 23, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def eager() -> Iterator[None]:
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def regressing_round(version: Any, cast: Any, committed: Any) -> Any:
    """An open round where the cast's product fell from 7.0 to 3.5 since April."""
    april = factories.make_round(
        version, label="2026-04", opens_on=dt.date(2026, 4, 1), status=RoundStatus.OPEN
    )
    factories.make_assessment(april, cast.product, default="1", status=AssessmentStatus.SUBMITTED)
    with committed(execute=True):
        services.round_close(round=april, now=dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
    october = factories.make_round(version, products=(cast.product,))
    factories.make_assessment(
        october, cast.product, default="0.5", status=AssessmentStatus.SUBMITTED
    )
    mail.outbox.clear()
    return october


def test_with_the_mail_server_down_the_round_closes_and_mails_later_once(
    version: Any, cast: Any, settings: Any, django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    rnd = regressing_round(version, cast, django_capture_on_commit_callbacks)
    settings.EMAIL_BACKEND = "tests.mail_backends.DownBackend"
    DownBackend.attempts = 0

    with django_capture_on_commit_callbacks(execute=True):
        result = services.round_close(round=rnd, now=NOW)

    # The close stands: status, scores, regression flag and the report are stored.
    assert result is not None and result.regressions == 1
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.CLOSED
    assessment = Assessment.objects.get(round=rnd)
    assert (assessment.final_score, assessment.is_regression) == (3.5, True)
    assert RoundReport.objects.get(round=rnd).data["scored"] == 1
    # The emails were tried and a retry with back-off was asked for; they are still due.
    assert DownBackend.attempts >= 1
    assert "Retry in" in caplog.text and "the mail server is down" in caplog.text
    notice = RoundMail.objects.get(event__round=rnd, event__kind=RoundEventKind.CLOSED)
    assert notice.mailed_at is None and mail.outbox == []

    # The mail server is back: the periodic job sends the wave that its task gave up on.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = NOW + dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.selectors.rounds_due(now=later).mail == [notice.pk]
        tasks.round_mail_send_task.delay(notice.pk)
    [email] = mail.outbox
    assert email.to == ["member@example.com"] and "regressed" in email.subject

    # Sent once: a retried task, or the next tick, sends nothing again.
    with django_capture_on_commit_callbacks(execute=True):
        tasks.round_mail_send_task.delay(notice.pk)
    assert len(mail.outbox) == 1
    assert tasks.selectors.rounds_due(now=later).mail == []
    notice.refresh_from_db()
    assert notice.recipients == 1 and notice.mailed_at is not None


def test_nothing_is_sent_before_the_commit(
    version: Any, cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rnd = regressing_round(version, cast, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.round_close(round=rnd, now=NOW)
        assert mail.outbox == []
        assert not RoundReport.objects.filter(round=rnd).exists()
    # The emails, the report, and telling the badges' cache that scores changed, all
    # queued for the commit.
    assert len(callbacks) == 3


def test_a_failing_webhook_is_retried_and_never_undoes_the_close(
    version: Any,
    cast: Any,
    settings: Any,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.ROUND_WEBHOOK_URL = "https://hooks.example/round"
    post = mock.Mock(side_effect=requests.ConnectionError("refused"))
    monkeypatch.setattr("surveys.rounds.notifications.requests.post", post)
    rnd = factories.make_round(version, products=(cast.product,))
    with django_capture_on_commit_callbacks(execute=True):
        services.round_close(round=rnd, now=NOW)
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.CLOSED
    notice = RoundMail.objects.get(event__round=rnd)
    assert notice.posted_at is None and post.call_count == 1

    post.side_effect = None
    with django_capture_on_commit_callbacks(execute=True):
        tasks.round_mail_send_task.delay(notice.pk)
        tasks.round_mail_send_task.delay(notice.pk)
    notice.refresh_from_db()
    assert notice.posted_at is not None
    assert "2026-10 closed" in post.call_args.kwargs["json"]["text"]


def test_surveys_never_imports_reports() -> None:
    """Dependencies point one way (STYLE.md): ``reports`` reads ``surveys``, never the
    reverse; the round report is a task ``surveys`` names."""
    import surveys

    offenders = []
    for path in pathlib.Path(surveys.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            offenders += [f"{path}: {n}" for n in names if n.split(".")[0] == "reports"]
    assert offenders == []


@pytest.mark.parametrize("name", ["reports.round_report_build", "surveys.round_mail_send"])
def test_side_effect_tasks_are_registered_and_retry_with_back_off(name: str) -> None:
    task = celery_app.tasks[name]
    assert task.autoretry_for == (Exception,)
    assert task.retry_backoff and task.max_retries >= 5


def test_a_regression_email_names_areas_in_its_readers_language(
    version: Any, cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from surveys.models import Area, Language, Profile

    Area.objects.filter(version=version).update(title={"en": "Data and features", "ja": "データ"})
    Profile.objects.update_or_create(user=cast.member, defaults={"language": Language.JA})
    rnd = regressing_round(version, cast, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.round_close(round=rnd, now=NOW)
    [email] = mail.outbox
    # Every area fell from 7.0 to 3.5, each line names it by its Japanese title, not its key.
    area_lines = [line for line in email.body.splitlines() if "3.50" in line and "7.00" in line]
    assert area_lines and all("データ" in line for line in area_lines[1:]), email.body
    assert not any(line.startswith(("Area data", "領域 data")) for line in area_lines)
