"""The reports sections of `make bench`: the trend JSON against one SQL
statement computing the same figures, each reports page, and the static chart library."""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.db import connection
from django.test import Client


def _user(role: str) -> Any:
    from benchmarks.sections import _user as user

    return user(role)


QUESTIONNAIRE = "mlts"


# One SQL statement computing every figure of the trend JSON (DESIGN §6.4) over the same
# stored scores, all products and cohort: the limit the trend is compared with.
TREND_SQL = """
WITH r AS (
  SELECT r.id, r.opens_on FROM surveys_round r
  JOIN surveys_questionnaire q ON q.id = r.questionnaire_id WHERE q.key = %(q)s
), a AS (
  SELECT a.id, a.round_id, a.product_id, a.final_score, a.verified_score, p.phase
  FROM surveys_assessment a JOIN r ON r.id = a.round_id
  JOIN surveys_product p ON p.id = a.product_id
), baseline AS (
  SELECT a.product_id FROM a
  WHERE a.round_id = (SELECT id FROM r ORDER BY opens_on, id LIMIT 1) AND a.final_score IS NOT NULL
), finals AS (
  SELECT a.round_id, count(*) AS targeted, count(a.final_score) AS scored,
    avg(a.final_score) AS mean,
    percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY a.final_score) AS q,
    count(*) FILTER (WHERE a.final_score = 0) AS b0,
    count(*) FILTER (WHERE a.final_score > 0 AND a.final_score <= 1) AS b1,
    count(*) FILTER (WHERE a.final_score > 1 AND a.final_score <= 2) AS b2,
    count(*) FILTER (WHERE a.final_score > 2 AND a.final_score <= 3) AS b3,
    count(*) FILTER (WHERE a.final_score > 3 AND a.final_score <= 5) AS b5,
    count(*) FILTER (WHERE a.final_score > 5) AS b6,
    count(*) FILTER (WHERE a.final_score >= %(target)s) AS meeting,
    avg(a.verified_score) FILTER (WHERE a.final_score IS NOT NULL) AS verified
  FROM a GROUP BY a.round_id
), areas AS (
  SELECT a.round_id, json_object_agg(s.area_key, s.mean) AS areas FROM (
    SELECT a.round_id, s.area_key, avg(s.score) AS mean
    FROM surveys_areascore s JOIN a ON a.id = s.assessment_id
    WHERE a.final_score IS NOT NULL GROUP BY a.round_id, s.area_key
  ) s JOIN (SELECT DISTINCT round_id FROM a) a ON a.round_id = s.round_id GROUP BY a.round_id
), cohort AS (
  SELECT a.round_id, count(*) AS scored, avg(a.final_score) AS mean,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY a.final_score) AS median
  FROM a JOIN baseline b ON b.product_id = a.product_id
  WHERE a.final_score IS NOT NULL GROUP BY a.round_id
)
SELECT r.id, f.*, ar.areas, c.scored, c.mean, c.median
FROM r LEFT JOIN finals f ON f.round_id = r.id LEFT JOIN areas ar ON ar.round_id = r.id
LEFT JOIN cohort c ON c.round_id = r.id ORDER BY r.opens_on, r.id
"""


def trend(*, record: Any, manage: Any) -> None:
    from django.conf import settings

    from surveys.models import Assessment

    client = Client()
    client.force_login(_user("manager"))
    url = f"/api/v1/reports/trend/?questionnaire={QUESTIONNAIRE}"
    client.get(url)  # warm caches and connections
    params: dict[str, Any] = {"q": QUESTIONNAIRE, "target": settings.SCORE_TARGET}

    def bare() -> int:
        with connection.cursor() as cursor:
            cursor.execute(TREND_SQL, params)
            return len(cursor.fetchall())

    bare()
    # Interleaved, so both see the same load on a shared machine.
    times, bare_times = [], []
    for _ in range(7):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content[:300]
        start = time.perf_counter()
        sql_rounds = bare()
        bare_times.append(time.perf_counter() - start)
    rounds = len(response.json()["rounds"])
    assert sql_rounds == rounds
    seconds = statistics.median(times)
    sql = statistics.median(bare_times)
    scored = Assessment.objects.filter(final_score__isnull=False).count()
    record(
        "trend report JSON (all + cohort), p50",
        seconds,
        "s",
        "≤ 1.0 s",
        seconds <= 1.0,
        f"{rounds} rounds, {scored:,} scored",
    )
    record("one-statement SQL, same figures, p50", sql, "s", "reference", None)
    ratio = seconds / sql if sql else float("inf")
    record("trend / one-statement SQL", ratio, "×", "≤ 1.5", ratio <= 1.5)


# The seeded questionnaire, named: a page without one shows the questionnaire of the
# latest round, which another section's round may be.
REPORT_PAGES = [
    f"/reports/?questionnaire={QUESTIONNAIRE}",
    f"/reports/departments/?questionnaire={QUESTIONNAIRE}",
    f"/reports/phases/?questionnaire={QUESTIONNAIRE}",
    f"/reports/items/?questionnaire={QUESTIONNAIRE}",
    f"/reports/scorecard/?questionnaire={QUESTIONNAIRE}",
    f"/reports/bottlenecks/?questionnaire={QUESTIONNAIRE}",
]


def report_pages(*, record: Any, manage: Any) -> None:
    """Each reports page as a manager sees it, p50 of 7 after one warm-up."""
    client = Client()
    client.force_login(_user("manager"))
    for url in REPORT_PAGES:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(7):
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        p50 = statistics.median(times)
        record(
            f"page {url.split('?')[0]}, p50",
            p50,
            "s",
            "≤ 0.300 s",
            p50 <= 0.3,
            f"{len(response.content) // 1024} KB",
        )


def static_files(*, record: Any, manage: Any) -> None:
    """The chart library as the browser gets it: compressed, cached for a year."""
    from django.templatetags.static import static

    client = Client()
    url = static("vendor/plotly-cartesian.min.js")
    for encoding in ("br", "gzip"):
        response = client.get(url, HTTP_ACCEPT_ENCODING=encoding)
        body = (
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
            if response.streaming
            else response.content
        )
        record(
            f"plotly.js partial bundle, {encoding}",
            len(body) / 1e6,
            "MB",
            "compressed",
            response.get("Content-Encoding") == encoding,
            f"Cache-Control: {response.get('Cache-Control', '')}",
        )


# A web process just started (a deploy): the WSGI application loaded as a gunicorn worker
# loads it, nothing cached, one request. A worker builds its middleware when it boots
# (``get_wsgi_application``), before any request; the test client's own handler builds
# it at its first request, so it is built here before the clock starts (WhiteNoise's
# index of the static files alone is 40-70 ms of it).
_COLD_CHILD = """
import json, os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlopsscore.settings")
import mlopsscore.wsgi
from django.test import Client
from benchmarks.sections import _user
client = Client()
client.force_login(_user("manager"))
client.handler.load_middleware()
start = time.perf_counter()
response = client.get(sys.argv[1])
seconds = time.perf_counter() - start
print(json.dumps({"status": response.status_code, "seconds": seconds}))
"""
TREND_URL = f"/api/v1/reports/trend/?questionnaire={QUESTIONNAIRE}"


def _cold_request(url: str) -> float:
    """The first request of a fresh process whose cache is its own and empty."""
    import json
    import os
    import subprocess
    import sys

    from benchmarks.sections import ROOT

    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "CELERY_BROKER_URL")}
    proc = subprocess.run(
        [sys.executable, "-c", _COLD_CHILD, url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert found["status"] == 200, (url, found)
    return float(found["seconds"])


def cold_start(*, record: Any, manage: Any) -> None:
    """The first trend API call and the first view of each report page after a restart,
    each in a fresh process with an empty cache (DESIGN §5: closed rounds' figures are
    stored, never computed by a reader), against the one-statement limit of the same run."""
    from django.conf import settings

    params: dict[str, Any] = {"q": QUESTIONNAIRE, "target": settings.SCORE_TARGET}

    def bare() -> float:
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(TREND_SQL, params)
            cursor.fetchall()
        return time.perf_counter() - start

    bare()
    for url in [TREND_URL, *REPORT_PAGES]:
        # Three restarts, the one-statement SQL timed between them (the same load).
        colds, limits = [], []
        for _ in range(3):
            colds.append(_cold_request(url))
            limits.append(bare())
        cold, limit = statistics.median(colds), statistics.median(limits)
        ratio = cold / limit if limit else float("inf")
        record(
            f"cold {url.split('?')[0]}, first request / one-statement SQL",
            ratio,
            "×",
            "≤ 1.0",
            ratio <= 1.0,
            f"first request {cold:.3f} s (median of 3 restarts), SQL {limit:.3f} s",
        )
