"""The measured sections of `make bench`. Each records rows through ``record``."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django.db import connection
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
ORDER = [
    "trend",
    "report_pages",
    "cold_start",
    "static_files",
    "assessment_page",
    "evidence_batch",
    "evidence_gunicorn",
    "evidence_gunicorn_oidc",
    "badges_gunicorn",
    "round_close",
    "export",
    "import_xlsx",
    "watches",
    "deadline_day",
]
QUESTIONNAIRE = "mlts"


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def seed(args: Any, record: Any, manage: Any, *, reseed: bool) -> None:
    from surveys.assessments.models import Assessment
    from surveys.organisation.models import Product

    have = Product.objects.count()
    if have >= args.products and not reseed:
        print(
            f"data present: {have:,} products, {Assessment.objects.count():,} assessments",
            flush=True,
        )
        return
    print(f"seeding {args.products:,} products × {args.rounds} rounds …", flush=True)
    seconds, peak, _ = manage(
        "seed_demo", "--products", str(args.products), "--rounds", str(args.rounds), "--reset"
    )
    from surveys.assessments.models import Answer

    record(
        f"seed_demo --products {args.products} --rounds {args.rounds}",
        seconds,
        "s",
        "≤ 600 s",
        seconds <= 600,
        f"{Answer.objects.count():,} answers, {Assessment.objects.count():,} assessments,"
        f" peak {peak} MB",
    )


def vacuum() -> float:
    """``VACUUM (ANALYZE)`` the bench's database, as autovacuum keeps a production one;
    the seconds it took.

    Autovacuum is off on this machine's server (``SHOW autovacuum``), so the dead rows of
    the seed's updates and of each section's clean-up piled up from run to run: 2.9
    million dead answers and 300,000 dead revisions after a seed and a few deadline days,
    and the assessment page's history query planned in 2.4 ms instead of 0.9. The bench
    runs it before each section, so that no section measures another's leftovers.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - start


def _user(role: str) -> Any:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from surveys.organisation.roles import ADMIN_GROUP, MANAGER_GROUP

    user, _ = get_user_model().objects.get_or_create(username=f"bench-{role}")
    group = {"admin": ADMIN_GROUP, "manager": MANAGER_GROUP}[role]
    user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def _open_assessment() -> Any:
    from surveys.assessments.models import Assessment
    from surveys.rounds.models import RoundStatus

    return (
        Assessment.objects.filter(round__status=RoundStatus.OPEN)
        .select_related("round", "product")
        .order_by("id")
        .first()
    )


def assessment_page(*, record: Any, manage: Any) -> None:
    from surveys.assessments.models import Answer

    assessment = _open_assessment()
    if assessment is None:
        record("assessment page", None, "", "p95 ≤ 50 ms", False, "no open round in the data")
        return
    client = Client()
    client.force_login(_user("admin"))
    url = f"/assessments/{assessment.pk}/"
    client.get(url)
    page = []
    for _ in range(200):
        start = time.perf_counter()
        response = client.get(url)
        page.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    record("assessment page p50", _pct(page, 50), "ms", "—", None, "200 requests, server time")
    record("assessment page p95", _pct(page, 95), "ms", "≤ 50 ms", _pct(page, 95) <= 50)

    answers = list(Answer.objects.filter(assessment=assessment).select_related("item"))
    try:
        saves, queries = _autosaves(client, assessment, answers)
    finally:
        _restore(assessment, answers)
    record("autosave p50", _pct(saves, 50), "ms", "—", None, "200 requests, server time")
    record("autosave p95", _pct(saves, 95), "ms", "≤ 50 ms", _pct(saves, 95) <= 50)
    record(
        "autosave queries",
        max(queries),
        "queries",
        "≤ 10",
        max(queries) <= 10,
        f"most of one save; median {statistics.median(queries):.0f}",
    )


def _restore(assessment: Any, answers: list[Any]) -> None:
    """Put the answers back and drop the revisions the saves made: the page's history
    must not grow from run to run."""
    from surveys.assessments.models import Answer, AnswerRevision

    AnswerRevision.objects.filter(
        answer__assessment=assessment, by__username__startswith="bench-"
    ).delete()
    Answer.objects.bulk_update(
        answers,
        [
            "value",
            "na_reason",
            "note",
            "evidence_url",
            "carry",
            "revision",
            "updated_at",
            "updated_by",
        ],
    )


def _autosaves(client: Any, assessment: Any, answers: list[Any]) -> tuple[list[float], list[int]]:
    """200 saves; their server times, and the queries each made (transaction control
    statements not counted)."""
    from django.test.utils import CaptureQueriesContext

    from surveys.assessments.models import Answer

    rng = random.Random(7)
    saves: list[float] = []
    queries: list[int] = []
    for i in range(200):
        answer = answers[i % len(answers)]
        current = Answer.objects.values_list("revision", flat=True).get(pk=answer.pk)
        body = {"value": rng.choice(["0", "0.5", "1"]), "base_revision": current}
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.post(
                f"/assessments/{assessment.pk}/items/{answer.item_id}/",
                data=json.dumps(body),
                content_type="application/json",
            )
            saves.append((time.perf_counter() - start) * 1000)
        queries.append(
            sum(1 for q in captured.captured_queries if not _transaction_control(q["sql"]))
        )
        assert response.status_code == 200, response.content[:300]
    return saves, queries


def _transaction_control(sql: str) -> bool:
    return sql.upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK", "BEGIN", "COMMIT"))


def drop_bench_evidence() -> None:
    """The evidence and tokens the bench posted with, so that runs do not drift."""
    from surveys.evidence.models import Evidence
    from surveys.tokens.models import ApiToken

    Evidence.objects.filter(summary="bench").delete()
    ApiToken.objects.filter(name="bench").delete()


def _token_for(product: Any) -> str:
    from surveys.tokens.authentication import token_generate
    from surveys.tokens.models import ApiToken

    raw, prefix, key_hash = token_generate()
    ApiToken.objects.create(product=product, name="bench", prefix=prefix, key_hash=key_hash)
    return raw


def _records(product: Any, keys: list[str], count: int, tag: str) -> list[dict[str, Any]]:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    return [
        {
            "product": product.slug,
            "item": keys[i % len(keys)],
            "outcome": "pass" if i % 5 else "fail",
            "observed_at": (now - dt.timedelta(minutes=i)).isoformat(),
            "url": f"https://ci.example/run/{tag}-{i}",
            "run_id": f"{tag}-{i}",
            "summary": "bench",
        }
        for i in range(count)
    ]


def _item_keys() -> list[str]:
    from surveys.questionnaires.models import Item

    return sorted(set(Item.objects.values_list("key", flat=True)))


def evidence_batch(*, record: Any, manage: Any) -> None:
    from surveys.organisation.models import Product

    drop_bench_evidence()

    product = Product.objects.order_by("id").first()
    token = _token_for(product)
    client = Client()
    keys = _item_keys()
    times = []
    for attempt in range(3):
        body = _records(product, keys, 1000, f"batch{time.time_ns()}-{attempt}")
        start = time.perf_counter()
        response = client.post(
            "/api/v1/evidence/",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        times.append(time.perf_counter() - start)
        assert response.status_code in (200, 201), response.content[:500]
    record(
        "evidence batch of 1,000",
        min(times),
        "s",
        "≤ 1.0 s",
        min(times) <= 1.0,
        f"runs {', '.join(f'{t:.2f}' for t in times)} s",
    )


def evidence_gunicorn(*, record: Any, manage: Any) -> None:
    """Single-record token posts through gunicorn (the target: at least 300 a second)."""
    from surveys.organisation.models import Product

    from .load import MODEL, evidence_bodies, post_timed, serve, warm_up

    drop_bench_evidence()
    product = Product.objects.order_by("id").first()
    token = _token_for(product)
    keys = _item_keys()
    # Bodies are made before the clock starts; each is posted once (a new run each time).
    bodies = evidence_bodies(_records(product, keys, 12_000, f"g-{time.time_ns()}"))
    prepared = [(token, body) for body in bodies]
    try:
        with serve({}) as port:
            warm_up(port, prepared[:40])
            load = post_timed(port, prepared[40:], seconds=10.0)
        record(
            f"evidence single posts via gunicorn ({MODEL})",
            load.rate,
            "/s",
            "≥ 300 /s",
            load.rate >= 300 and not load.errors,
            load.detail(),
        )
    finally:
        drop_bench_evidence()


def drop_round(pk: int) -> None:
    """Remove a round the bench made, so that the next run sees the seeded data only.

    Raw deletes, as ``demo_reset`` does: the collector would load 280,000 answers first.
    Every row that points to one of its assessments goes first, and what points to those
    (an answer's revisions), whichever models hold them: a model added later (the
    submissions) is not left to stop the delete with its foreign key.
    """
    from django.db import transaction

    from surveys.assessments.models import Assessment
    from surveys.rounds.models import Round

    with transaction.atomic():
        assessments = Assessment.objects.filter(round_id=pk)
        _raw_delete_with_dependents(Assessment, assessments)
        Round.objects.filter(pk=pk).delete()


def _raw_delete_with_dependents(model: Any, rows: Any) -> None:
    for relation in model._meta.related_objects:
        if relation.related_model is model or not (relation.one_to_many or relation.one_to_one):
            continue  # an assessment carried from another: never one of the bench's own
        dependents = relation.related_model._base_manager.filter(
            **{f"{relation.field.name}__in": rows}
        )
        _raw_delete_with_dependents(relation.related_model, dependents)
    rows._raw_delete(rows.db)


def drop_bench_rounds() -> None:
    from surveys.rounds.models import Round

    for pk in Round.objects.filter(label__startswith="bench-").values_list("pk", flat=True):
        drop_round(pk)


def _version() -> Any:
    from surveys.questionnaires.models import QuestionnaireVersion

    return (
        QuestionnaireVersion.objects.filter(questionnaire__key=QUESTIONNAIRE, status="published")
        .order_by("-published_at")
        .first()
    )


def round_close(*, record: Any, manage: Any) -> None:
    """Open a fresh round of every product, submit most of it, and close it in a worker."""
    from celery import Celery
    from django.db import transaction

    from surveys.assessments.models import Assessment, AssessmentStatus
    from surveys.organisation.models import Product
    from surveys.rounds import services as round_services
    from surveys.rounds.models import Round, RoundStatus

    drop_bench_rounds()
    label = f"bench-close-{time.strftime('%Y%m%d%H%M%S')}"
    version = _version()
    # Rounds of one questionnaire never overlap: the bench round comes after the others.
    last = (
        Round.objects.filter(questionnaire_id=version.questionnaire_id)
        .order_by("-closes_on")
        .values_list("closes_on", flat=True)
        .first()
    )
    opens_on = (last or dt.date.today()) + dt.timedelta(days=1)
    products = Product.objects.filter(is_active=True).count()
    rnd = round_services.round_create(
        version=version,
        label=label,
        opens_on=opens_on,
        closes_on=opens_on + dt.timedelta(days=30),
        products=None,
    )
    try:
        start = time.perf_counter()
        round_services.round_open(round=rnd, notify=False)
        opened = time.perf_counter() - start
        # Teams whose carried answers are complete submit; the others stay drafts.
        with transaction.atomic():
            incomplete = Assessment.objects.filter(round=rnd, answers__value__isnull=True)
            Assessment.objects.filter(round=rnd).exclude(pk__in=incomplete.values("pk")).update(
                status=AssessmentStatus.SUBMITTED
            )
        submitted = Assessment.objects.filter(round=rnd, status=AssessmentStatus.SUBMITTED).count()
        record(
            f"opening a round of {products:,} products (carry forward)",
            opened,
            "s",
            "—",
            None,
            "in process, for reference",
        )
        broker = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/9")
        app = Celery(broker=broker)
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "mlopsscore",
                "worker",
                "--pool=solo",
                "--loglevel=WARNING",
                "--hostname",
                f"bench-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env={**os.environ, "CELERY_BROKER_URL": broker},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.perf_counter() + 60
            while not app.control.ping(timeout=1.0) and time.perf_counter() < deadline:
                time.sleep(0.5)
            start = time.perf_counter()
            app.send_task("surveys.round_close", args=[rnd.pk])
            while time.perf_counter() - start < 600:
                if Round.objects.filter(pk=rnd.pk, status=RoundStatus.CLOSED).exists():
                    break
                time.sleep(0.1)
            elapsed = time.perf_counter() - start
            closed = Round.objects.filter(pk=rnd.pk, status=RoundStatus.CLOSED).exists()
            scored = Assessment.objects.filter(round=rnd, final_score__isnull=False).count()
            record(
                f"closing a round of {products:,} products in a Celery worker",
                elapsed if closed else None,
                "s",
                "≤ 60 s",
                closed and elapsed <= 60,
                f"{submitted:,} submitted, {scored:,} scored; from sending the task",
            )
        finally:
            worker.terminate()
            worker.wait(timeout=60)
    finally:
        drop_round(rnd.pk)


# The CPU time of the last child `manage` ran (benchmarks.run fills it in).
CHILD_CPU: dict[str, float] = {"seconds": 0.0}


def _child_cpu() -> float:
    return CHILD_CPU["seconds"]


def export(*, record: Any, manage: Any) -> None:
    out = Path(tempfile.mkdtemp()) / "report.xlsx"
    seconds, peak, _ = manage(
        "export_report", "--questionnaire", QUESTIONNAIRE, "--format", "xlsx", "-o", str(out)
    )
    size = out.stat().st_size / 1e6
    cpu = _child_cpu()
    record(
        "Excel export 10,000 × 20",
        seconds,
        "s",
        "≤ 30 s",
        seconds <= 30,
        f"{size:.0f} MB file, CPU {cpu:.1f} s",
    )
    record("Excel export peak memory", peak, "MB", "≤ 500 MB", peak <= 500)


def import_xlsx(*, record: Any, manage: Any) -> None:
    import openpyxl

    from surveys.organisation.models import Product
    from surveys.questionnaires.models import Item
    from surveys.rounds.models import Round

    drop_bench_rounds()
    version = _version()
    keys = list(
        Item.objects.filter(version=version).order_by("position").values_list("key", flat=True)
    )
    products = list(Product.objects.order_by("id").values_list("slug", flat=True)[:10_000])
    label = f"bench-import-{time.strftime('%Y%m%d%H%M%S')}"
    rng = random.Random(11)
    path = Path(tempfile.mkdtemp()) / "answers.xlsx"
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Answers")
    sheet.append(["round", "round_date", "product", "item", "answer", "note"])
    for slug in products:
        for key in keys:
            sheet.append([label, "2016-04-01", slug, key, rng.choice([0, 0.5, 1, 1]), ""])
    workbook.save(path)
    rows = len(products) * len(keys)
    try:
        seconds, peak, _ = manage(
            "import_answers", str(path), "--questionnaire", f"{QUESTIONNAIRE}@{version.version}"
        )
    finally:
        for pk in Round.objects.filter(label=label).values_list("pk", flat=True):
            drop_round(pk)
        path.unlink()
    record(
        f"import one round from XLSX ({rows:,} rows)",
        seconds,
        "s",
        "≤ 60 s",
        seconds <= 60,
        f"peak {peak} MB, CPU {_child_cpu():.1f} s",
    )


def evidence_gunicorn_oidc(*, record: Any, manage: Any) -> None:
    from .oidc import evidence_gunicorn_oidc as measure

    measure(record=record, manage=manage)


# The reports sections live in their own module; looked up here by name.
from benchmarks.deadline import deadline_day  # noqa: E402, F401
from benchmarks.reports import cold_start, report_pages, static_files, trend  # noqa: E402, F401


def badges_gunicorn(*, record: Any, manage: Any) -> None:
    """README badges through gunicorn (DESIGN §6.9: at least 1,000 a second)."""
    from .badges import badges_gunicorn as measure

    measure(record=record, manage=manage)


def watches(*, record: Any, manage: Any) -> None:
    """DESIGN §6.7 at scale: see benchmarks/watches.py."""
    from .watches import watches as run

    run(record=record, manage=manage)
