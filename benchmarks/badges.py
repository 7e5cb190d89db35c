"""README badges through gunicorn (DESIGN §6.9): at least 1,000 a second, since READMEs
are rendered often. One product's badge, fetched again and again with its key, as image
proxies do; each gunicorn worker draws it once and then serves it from the cache."""

from __future__ import annotations

import http.client
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from .load import CONNECTIONS, MODEL, WORKERS, Load, serve

TARGET = 1000.0


def _python(port: int, path: str, seconds: float) -> Load:
    counts = [0] * CONNECTIONS
    errors: list[str] = []
    stop = time.perf_counter() + seconds

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.perf_counter() < stop:
            conn.request("GET", path, headers={"Host": "127.0.0.1"})
            response = conn.getresponse()
            body = response.read()
            if response.status == 200 and body.startswith(b"<svg"):
                counts[n] += 1
            elif len(errors) < 3:
                errors.append(f"{response.status} {body[:160]!r}")
        conn.close()

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(CONNECTIONS)]
    start = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return Load(sum(counts), time.perf_counter() - start, errors, "Python client threads")


_WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.3f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read,
    summary.duration / 1e6))
end
"""


def _wrk(port: int, path: str, seconds: float) -> Load:
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder, "done.lua")
        script.write_text(_WRK_SCRIPT, encoding="utf-8")
        out = subprocess.run(
            [
                *("wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds:.0f}s", "-s", str(script)),
                f"http://127.0.0.1:{port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    _, total, failed, duration = line.split(" ")
    errors = [f"{failed} failed"] if int(failed) else []
    return Load(int(total) - int(failed), float(duration), errors, "wrk client")


def badges_gunicorn(*, record: Any, manage: Any) -> None:
    from surveys.assessments.models import Assessment
    from surveys.badges.models import BadgeKey
    from surveys.badges.services import badge_key_create

    latest = Assessment.objects.filter(submitted_at__isnull=False).order_by("-id").first()
    if latest is None:
        record("badges via gunicorn", None, "", "runs", False, "no submitted assessment")
        return
    BadgeKey.objects.filter(name="bench").delete()
    product = latest.product
    _, raw = badge_key_create(product=product, name="bench")
    path = f"/badges/{product.slug}.svg?key={raw}"
    try:
        with serve({}) as port:
            for _ in range(2 * WORKERS):  # each worker draws it once before the clock starts
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", path, headers={"Host": "127.0.0.1"})
                conn.getresponse().read()
                conn.close()
            fetch = _wrk if shutil.which("wrk") else _python
            load = fetch(port, path, 10.0)
        record(
            f"badges via gunicorn ({MODEL})",
            load.rate,
            "/s",
            f"≥ {TARGET:,.0f} /s",
            load.rate >= TARGET and not load.errors,
            load.detail().replace("posts", "badges"),
        )
    finally:
        BadgeKey.objects.filter(name="bench").delete()
