"""Deadline day (`make bench`, section ``deadline_day``): the production topology under
the mix of the last days of a round, with Locust (``benchmarks/locustfile.py``).

gunicorn as ``deploy/prod.sh`` starts it (2 gthread workers × 8 threads), a Celery worker
(concurrency 2, below the web's priority: nice 10), beat, and Redis as broker and cache.
First each request type alone on the idle system (its p95), then all together: 60
respondents each changing an answer every 2 s, 5 managers reading report pages a second
apart, CI posting 30 evidence records a second, and, 20 s in, an admin closing a second
questionnaire's round of every product. Afterwards every acknowledged autosave must be in
the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUESTIONNAIRE = "bench-deadline"
RESPONDENTS = 60
IDLE_SECONDS = 20
MIX_SECONDS = 60
CLOSE_AFTER = 20
TYPES = {"autosave": "Respondent", "report page": "Manager", "evidence": "Pipeline"}
# Who takes part in the mix: all of them, unless DEADLINE_MIX names some (to find out
# which of them slows the others, e.g. DEADLINE_MIX=Respondent,Pipeline).
MIX = os.environ.get("DEADLINE_MIX", ",".join(TYPES.values())).split(",")
# The managers watch the round the teams are answering (the default questionnaire of the
# pages would be the second one: its round opened last).
PAGES = [
    "/reports/?questionnaire=mlts",
    "/reports/departments/?questionnaire=mlts",
    "/reports/phases/?questionnaire=mlts",
    "/reports/items/?questionnaire=mlts",
    "/reports/scorecard/?questionnaire=mlts",
    "/reports/bottlenecks/?questionnaire=mlts",
    "/api/v1/reports/trend/?questionnaire=mlts",
]


def _session(user: Any) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return str(client.cookies["sessionid"].value)


def _second_round() -> Any:
    """An open round of every product in a second questionnaire, most of it submitted."""
    from django.db import transaction

    from surveys.models import Answer, Assessment, AssessmentStatus, Round
    from surveys.questionnaires.services import questionnaire_load
    from surveys.rounds import services as round_services

    data = json.loads((ROOT / "fixtures" / "ml-test-score-2017.json").read_text("utf-8"))
    data["key"] = QUESTIONNAIRE
    version, _ = questionnaire_load(data=data, publish=True)
    for pk in Round.objects.filter(questionnaire__key=QUESTIONNAIRE).values_list("pk", flat=True):
        from benchmarks.sections import drop_round

        drop_round(pk)
    today = dt.date.today()
    rnd = round_services.round_create(
        version=version,
        label=f"bench-deadline-{time.strftime('%Y%m%d%H%M%S')}",
        opens_on=today - dt.timedelta(days=20),
        closes_on=today + dt.timedelta(days=2),
        products=None,
    )
    round_services.round_open(round=rnd, notify=False)
    with transaction.atomic():
        ids = list(Assessment.objects.filter(round=rnd).values_list("pk", flat=True))
        submitted = ids[: len(ids) * 8 // 10]
        Answer.objects.filter(assessment_id__in=submitted).update(value="0.5")
        Assessment.objects.filter(pk__in=submitted).update(
            status=AssessmentStatus.SUBMITTED, submitted_at=dt.datetime.now(dt.UTC)
        )
    return rnd


def _plan(tag: str) -> tuple[dict[str, Any], list[Any]]:
    from benchmarks.sections import _item_keys, _token_for, _user
    from surveys.models import Answer, Assessment, Product, RoundStatus

    assessments = list(
        Assessment.objects.filter(round__status=RoundStatus.OPEN, round__questionnaire__key="mlts")
        .order_by("id")
        .values_list("pk", flat=True)[:RESPONDENTS]
    )
    answers = list(Answer.objects.filter(assessment_id__in=assessments).select_related("item"))
    product = Product.objects.order_by("id").first()
    plan = {
        "tag": tag,
        "csrf": "b" * 32,
        "respondent_session": _session(_user("admin")),
        "manager_session": _session(_user("manager")),
        "respondents": _respondents(assessments),
        "pages": PAGES,
        "token": _token_for(product),
        "product": product.slug,  # type: ignore[union-attr]
        "items": _item_keys(),
    }
    return plan, answers


def _respondents(assessments: list[int]) -> list[dict[str, Any]]:
    """Each respondent's assessment and its answers as stored: item → [value, revision]."""
    from surveys.models import Answer

    mine: dict[int, dict[int, list[Any]]] = {pk: {} for pk in assessments}
    for pk, item, value, revision in Answer.objects.filter(
        assessment_id__in=assessments
    ).values_list("assessment_id", "item_id", "value", "revision"):
        mine[pk][item] = [value, revision]
    return [{"assessment": pk, "answers": mine[pk]} for pk in assessments]


def _locust(port: int, plan: Path, out: Path, classes: list[str], seconds: int) -> dict[str, Any]:
    """Run Locust headless; per request name: count, failures, p50 and p95 (ms)."""
    users = {"Respondent": RESPONDENTS, "Manager": 5, "Pipeline": 3}
    total = sum(users[c] for c in classes)
    prefix = out / "_".join(classes)
    subprocess.run(
        [
            *(sys.executable, "-m", "locust", "-f", str(ROOT / "benchmarks" / "locustfile.py")),
            *("--headless", "--only-summary", "--host", f"http://127.0.0.1:{port}"),
            *("-u", str(total), "-r", str(total), "-t", f"{seconds}s", "--csv", str(prefix)),
            "--loglevel",
            "ERROR",
            *classes,
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DEADLINE_PLAN": str(plan),
            "DEADLINE_ACKS": f"{prefix}.acks.json",
            "DEADLINE_TRACE": f"{prefix}.trace.json",
        },
        check=False,
        capture_output=True,
    )
    stats: dict[str, Any] = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                continue
            stats[row["Name"]] = {
                "n": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
            }
    stats["_acks"] = json.loads(Path(f"{prefix}.acks.json").read_text("utf-8"))
    stats["_trace"] = json.loads(Path(f"{prefix}.trace.json").read_text("utf-8"))
    return stats


def _processes(stack: ExitStack, env: dict[str, str]) -> None:
    """The Celery worker and beat of the production topology."""
    for args in (
        ["worker", "--loglevel", "WARNING", "--concurrency", "2", "--without-gossip"],
        ["beat", "--loglevel", "WARNING", "-s", str(Path(tempfile.mkdtemp()) / "beat")],
    ):
        # As deploy/prod.sh: the worker below the web processes' priority (WORKER_NICE).
        nice = ["nice", "-n", os.environ.get("WORKER_NICE", "10")] if args[0] == "worker" else []
        proc = subprocess.Popen(
            [*nice, sys.executable, "-m", "celery", "-A", "mlopsscore", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        stack.callback(_stop, proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    proc.wait(timeout=60)


def _close(port: int, plan: dict[str, Any], round_pk: int) -> None:
    """The admin's "Close the round now" (a form post, as the page sends it)."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        f"/rounds/{round_pk}/close/",
        body=f"csrfmiddlewaretoken={plan['csrf']}",
        headers={
            "Cookie": f"sessionid={plan['respondent_session']}; csrftoken={plan['csrf']}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    response = conn.getresponse()
    response.read()
    where = response.getheader("Location") or ""
    assert response.status == 302 and "login" not in where, (response.status, where)


def deadline_day(*, record: Any, manage: Any) -> None:
    from benchmarks.load import serve
    from benchmarks.sections import _restore, drop_bench_evidence, drop_round
    from surveys.models import Assessment, Round, RoundStatus

    broker = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/9")
    env = {**os.environ, "CELERY_BROKER_URL": broker, "CACHE_URL": broker}
    drop_bench_evidence()
    rnd = _second_round()
    tag = str(time.time_ns())
    plan, answers = _plan(tag)
    # What the saves change in the assessments themselves, put back afterwards with the
    # answers (a restore of the answers alone left counts of unsubmitted changes that no
    # longer matched them, and a later run's save failed on a count below zero).
    touched = list(
        Assessment.objects.filter(pk__in={a.assessment_id for a in answers}).only(
            "pk", "status", "unsubmitted_changes", "updated_at"
        )
    )
    out = Path(tempfile.mkdtemp(prefix="deadline-"))
    plan_path = out / "plan.json"
    plan_path.write_text(json.dumps(plan), encoding="utf-8")
    try:
        with ExitStack() as stack:
            _processes(stack, env)
            # The sessions made here must hold there: the same secret key.
            access = out / "access.log"
            port = stack.enter_context(
                serve(
                    {
                        "CELERY_BROKER_URL": broker,
                        "CACHE_URL": broker,
                        "SECRET_KEY": os.environ["SECRET_KEY"],
                    },
                    ("--access-logfile", str(access), "--access-logformat", ACCESS_FORMAT),
                )
            )
            for url in PAGES:  # each worker has loaded its code and templates
                _locust_warm(port, plan, url)
            idle = {}
            for name, cls in TYPES.items():
                since = _size(access)
                idle[name] = _locust(port, plan_path, out, [cls], IDLE_SECONDS)[name]
                idle[name]["server"] = _server_times(access, since)[name]
            # The idle saves moved the answers on: the mix starts from what is stored now,
            # as a page loaded then would.
            plan = {
                **plan,
                "respondents": _respondents([r["assessment"] for r in plan["respondents"]]),
            }
            plan_path.write_text(json.dumps(plan), encoding="utf-8")
            # The mix, with the close sent 20 s in (from a thread: Locust runs meanwhile).
            import threading

            closed: dict[str, float] = {}

            def close_later() -> None:
                time.sleep(CLOSE_AFTER)
                start = time.perf_counter()
                closed["from"] = time.time()
                _close(port, plan, rnd.pk)
                while time.perf_counter() - start < 300:
                    if Round.objects.filter(pk=rnd.pk, status=RoundStatus.CLOSED).exists():
                        closed["seconds"] = time.perf_counter() - start
                        closed["until"] = time.time()
                        return
                    time.sleep(0.2)

            closer = threading.Thread(target=close_later)
            closer.start()
            since = _size(access)
            mix = _locust(port, plan_path, out, MIX, MIX_SECONDS)
            closer.join()
            mix["_server"] = _server_times(access, since)
        _report(record, idle, mix, closed, rnd.pk)
    finally:
        Round.objects.filter(pk=rnd.pk).update(status=RoundStatus.CLOSED)
        # The close schedules the questionnaire's next round: drop it too, or it would be
        # the latest round, and the report pages' default questionnaire, of the next run.
        for pk in Round.objects.filter(questionnaire__key=QUESTIONNAIRE).values_list(
            "pk", flat=True
        ):
            drop_round(pk)
        for pk in {a.assessment_id for a in answers}:
            mine = [a for a in answers if a.assessment_id == pk]
            _restore(Assessment(pk=pk), mine)
        Assessment.objects.bulk_update(touched, ["status", "unsubmitted_changes", "updated_at"])
        drop_bench_evidence()


# gunicorn's access log: method, path and the server's time in microseconds (%(D)s),
# from the request read until the response written; Locust's own time adds the client.
ACCESS_FORMAT = "%(m)s %(U)s %(D)s"


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


_PAGE_PATHS = {page.split("?")[0] for page in PAGES}


def _kind(method: str, path: str) -> str | None:
    """Which of ``TYPES`` a logged request is (None: the close, a warm-up's login…)."""
    if method == "POST" and path.startswith("/assessments/") and "/items/" in path:
        return "autosave"
    if method == "POST" and path == "/api/v1/evidence/":
        return "evidence"
    if method == "GET" and path in _PAGE_PATHS:
        return "report page"
    return None


def _server_times(access: Path, since: int) -> dict[str, list[float]]:
    """The server's time (ms) of each request type logged after byte ``since``."""
    times: dict[str, list[float]] = {name: [] for name in TYPES}
    time.sleep(0.5)  # the workers write a request's line after its response
    with access.open("rb") as log:
        log.seek(since)
        for line in log.read().decode("utf-8", "replace").splitlines():
            parts = line.split()
            kind = _kind(parts[0], parts[1]) if len(parts) == 3 else None
            if kind is not None:
                times[kind].append(int(parts[2]) / 1000)
    return times


def _p95(values: list[float]) -> float:
    """The 95th percentile; NaN for fewer than 20 values (too few to tell one)."""
    import statistics

    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else float("nan")


def _locust_warm(port: int, plan: dict[str, Any], url: str) -> None:
    import http.client

    for _ in range(4):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", url, headers={"Cookie": f"sessionid={plan['manager_session']}"})
        conn.getresponse().read()
        conn.close()


def _split(trace: list[Any], name: str, closed: dict[str, float]) -> tuple[str, str]:
    """p95 of ``name``'s requests sent while the close ran, and of the others."""
    start, end = closed.get("from", 0.0), closed.get("until", 0.0)
    inside: list[float] = []
    rest: list[float] = []
    for at, kind, ms in trace:
        if kind == name:
            (inside if start <= at <= end else rest).append(ms)

    def text(values: list[float]) -> str:
        if len(values) < 20:
            return f"{len(values)} requests"
        return f"p95 {_p95(values):.0f} ms of {len(values):,}"

    return text(inside), text(rest)


def _report(
    record: Any, idle: dict[str, Any], mix: dict[str, Any], closed: dict[str, float], pk: int
) -> None:
    from surveys.models import Answer

    errors = sum(v["failures"] for k, v in mix.items() if not k.startswith("_"))
    errors += sum(v["failures"] for v in idle.values())
    for name in TYPES:
        if name not in mix:  # left out of the mix (DEADLINE_MIX)
            continue
        alone, under = idle[name], mix[name]
        ratio = under["p95"] / alone["p95"] if alone["p95"] else float("inf")
        during, outside = _split(mix["_trace"], name, closed)
        server_alone, server_mix = _p95(alone["server"]), _p95(mix["_server"][name])
        record(
            f"deadline day: {name} p95 under the mix / alone",
            ratio,
            "×",
            "≤ 3",
            ratio <= 3,
            f"mix p50 {under['p50']:.0f} ms, p95 {under['p95']:.0f} ms ({under['n']:,} requests);"
            f" alone p95 {alone['p95']:.0f} ms; sent during the close: {during},"
            f" the rest: {outside}; the server's own p95 (access log): alone"
            f" {server_alone:.0f} ms, mix {server_mix:.0f} ms"
            f" ({server_mix / server_alone:.1f} ×)",
        )
    record("deadline day: errors", errors, "", "0", errors == 0, "every request of every run")
    # The last acknowledged save of each answer, and what is stored. A save still in flight
    # when Locust stopped may land after it (a higher revision): that is not a loss.
    last: dict[tuple[int, int], tuple[str, int]] = {}
    for ack in mix["_acks"]:
        last[(ack["assessment"], ack["item"])] = (ack["value"], ack["revision"])
    stored = {
        (a, i): (v, r)
        for a, i, v, r in Answer.objects.filter(assessment_id__in={a for a, _ in last}).values_list(
            "assessment_id", "item_id", "value", "revision"
        )
    }
    missing = [
        (key, acked, stored.get(key))
        for key, acked in last.items()
        if key not in stored
        or stored[key][1] < acked[1]
        or (stored[key][1] == acked[1] and stored[key][0] != acked[0])
    ]
    later = sum(1 for key, acked in last.items() if key in stored and stored[key][1] > acked[1])
    lost = len(missing)
    record(
        "deadline day: lost autosaves",
        lost,
        "",
        "0",
        lost == 0,
        f"{len(mix['_acks']):,} acknowledged saves, the last of each answer checked"
        f" ({later} answers changed again by a save in flight when the clients stopped)"
        + (f"; (assessment, item), acknowledged, stored: {missing[:3]}" if missing else ""),
    )
    seconds = closed.get("seconds")
    record(
        "deadline day: closing the second questionnaire's round of every product",
        seconds,
        "s",
        "≤ 60 s",
        seconds is not None and seconds <= 60,
        "from the admin's post until the round is closed, during the mix",
    )
