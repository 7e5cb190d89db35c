"""The production set of processes, driven end to end (CI runs it from ``.ci/run``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smoke \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/5 python -m tests.production_smoke

The database named in DATABASE_URL is dropped and made anew. ``deploy/prod.sh`` starts
gunicorn (2 workers), a Celery worker and Celery beat; then:

1. a round whose open date has come is opened by beat and the worker;
2. a respondent signs in and submits through gunicorn;
3. the round's close date passes and the worker closes it; the scores are stored;
4. later ticks change nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests

ROOT = Path(__file__).resolve().parents[1]
WAIT_SECONDS = 120
PASSWORD = "smoke-pw-Just-for-CI-7"
checks: list[str] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    if not ok:
        raise SystemExit(f"FAILED: {name} {detail}")
    checks.append(name)
    print(f"ok: {name}", flush=True)


def wait_until(what: str, probe: Callable[[], bool], log: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not probe():
        if time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-4000:]
            raise SystemExit(f"FAILED: waited {WAIT_SECONDS}s for {what}\n{tail}")
        time.sleep(0.5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    assert re.fullmatch(r"[a-z_][a-z0-9_]*", name), f"database name {name!r}"
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def setup(today: dt.date) -> dict[str, Any]:
    """Migrate, then a questionnaire, a product with its member, and a round due to open."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from surveys.models import Department, Product, QuestionnaireVersion
    from surveys.rounds.services import round_create

    call_command("migrate", verbosity=0)
    # Compressing the static files takes minutes on a loaded machine: done here, untimed.
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command(
        "load_questionnaire", str(ROOT / "fixtures" / "ml-test-score-2017.json"), "--publish"
    )
    version = QuestionnaireVersion.objects.get()
    department = Department.objects.create(name="Ads")
    member = get_user_model().objects.create_user("ana", "ana@example.com", PASSWORD)
    product = Product.objects.create(slug="ads-ctr", name="Ads CTR", department=department)
    product.members.add(member)
    round_ = round_create(
        version=version,
        label="smoke",
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=30),
        products=[product],
    )
    # The periodic tick of migration 0002 runs every 15 minutes; here, every 2 seconds.
    every, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.filter(task="surveys.rounds_tick").update(interval=every)
    return {"round": round_.pk, "items": list(version.items.values_list("pk", flat=True))}


def snapshot(round_id: int) -> Any:
    from surveys.models import AreaScore, Assessment, Round

    round_ = Round.objects.get(pk=round_id)
    return (
        round_.status,
        sorted(
            Assessment.objects.filter(round_id=round_id).values_list(
                "pk", "status", "final_score", "verified_score", "scored_at"
            )
        ),
        sorted(AreaScore.objects.filter(assessment__round_id=round_id).values_list("pk", "score")),
        list(round_.events.order_by("pk").values_list("kind", flat=True)),
    )


def ticks(log: Path) -> int:
    """Ticks the worker finished, read from its log (beat saves its run count only now and then)."""
    return len(
        re.findall(
            r"Task surveys\.rounds_tick\[[^\]]+\] succeeded", log.read_text(errors="replace")
        )
    )


def drive(base: str, ids: dict[str, Any], log: Path) -> None:
    from django.utils import timezone

    from surveys.models import AreaScore, Assessment, Round

    round_id = ids["round"]

    def status() -> str:
        return str(Round.objects.get(pk=round_id).status)

    wait_until("beat and the worker to open the round", lambda: status() == "open", log)
    assessment = Assessment.objects.get(round_id=round_id)
    check("beat and the worker opened the round", assessment.status in ("not_started", "draft"))

    web = requests.Session()
    web.get(f"{base}/accounts/login/", timeout=10).raise_for_status()
    login = web.post(
        f"{base}/accounts/login/",
        data={
            "username": "ana",
            "password": PASSWORD,
            "csrfmiddlewaretoken": web.cookies["csrftoken"],
        },
        timeout=10,
    )
    check(
        "the respondent signs in through gunicorn",
        login.ok and "sessionid" in web.cookies,
        str(login.status_code),
    )
    page = web.get(f"{base}/assessments/{assessment.pk}/", timeout=10)
    check("the assessment page renders", page.status_code == 200, str(page.status_code))
    form = {f"v-{pk}": "1" for pk in ids["items"]}
    form["csrfmiddlewaretoken"] = web.cookies["csrftoken"]
    saved = web.post(f"{base}/assessments/{assessment.pk}/", data=form, timeout=30)
    check(
        "the answers are saved",
        saved.ok and "Saved 28 answer" in saved.text,
        str(saved.status_code),
    )
    submitted = web.post(
        f"{base}/assessments/{assessment.pk}/submit/",
        data={"csrfmiddlewaretoken": web.cookies["csrftoken"]},
        timeout=30,
    )
    assessment.refresh_from_db()
    check(
        "the respondent submits",
        submitted.ok and assessment.status == "submitted",
        assessment.status,
    )

    # The close date passes: the next tick finds the round due and the worker closes it.
    today = timezone.localdate()
    Round.objects.filter(pk=round_id).update(
        opens_on=today - dt.timedelta(days=10), closes_on=today - dt.timedelta(days=1)
    )
    wait_until("the worker to close the round", lambda: status() == "closed", log)
    assessment.refresh_from_db()
    check("the worker closed the round", status() == "closed")
    check(
        "the scores are stored",
        assessment.final_score == 7.0
        and AreaScore.objects.filter(assessment=assessment).count() == 4,
        f"{assessment.final_score}",
    )
    time.sleep(3)  # let the close's follow-up tasks (report, emails) finish
    before, seen = snapshot(round_id), ticks(log)
    wait_until("two more ticks", lambda: ticks(log) >= seen + 2, log)
    time.sleep(3)
    check(
        "a second tick changes nothing",
        snapshot(round_id) == before,
        f"{before} != {snapshot(round_id)}",
    )

    health = requests.get(f"{base}/health/", timeout=10, headers={"Accept": "application/json"})
    check("the health endpoint passes", health.status_code == 200, health.text[:500])
    metrics = requests.get(f"{base}/metrics", timeout=10).text
    check(
        "/metrics adds up the web and worker processes",
        'mlopsscore_celery_tasks_total{state="success",task="surveys.round_close"} 1.0' in metrics
        and 'mlopsscore_rounds{status="closed"}' in metrics
        and 'view="assessment-submit"' in metrics,
        metrics[-3000:],
    )


def main() -> int:
    url = os.environ["DATABASE_URL"]
    broker = os.environ["CELERY_BROKER_URL"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlopsscore.settings")
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get(
            "SECRET_KEY", "smoke-test-secret-key-not-for-production-0123456789"
        ),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "CACHE_URL": os.environ.get("CACHE_URL", broker),
        "BIND": f"127.0.0.1:{port}",
        "PYTHON": sys.executable,
        "COLLECTSTATIC": "0",
    }
    os.environ.update({k: env[k] for k in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CACHE_URL")})
    fresh_database(url)
    from django.utils import timezone

    ids = setup(timezone.localdate())
    log = ROOT / "var" / "production-smoke.log"
    print(f"production smoke: web on {env['BIND']}, log in {log}", flush=True)
    with log.open("w") as out:
        processes = subprocess.Popen(
            [str(ROOT / "deploy" / "prod.sh")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"

        def web_up() -> bool:
            try:
                return requests.get(f"{base}/accounts/login/", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        wait_until("gunicorn", web_up, log)
        drive(base, ids, log)
    finally:
        os.killpg(processes.pid, signal.SIGTERM)
        try:
            processes.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(processes.pid, signal.SIGKILL)
    print(f"production smoke: {len(checks)} passed, 0 failed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
