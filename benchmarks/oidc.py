"""`make bench`: evidence posted with CI ID tokens (DESIGN §6.6) through gunicorn.

A loopback issuer (tests/oidc_issuer.py) signs one RS256 token per post before the clock
starts (each ``jti`` is spent once); the server fetches the issuer's keys on its first
posts (the warm-up) and verifies every timed post with the keys it cached.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
from typing import Any

from .sections import ROOT, _free_port, _item_keys, _records, _wait_for, drop_bench_evidence

AUDIENCE = "https://mlops.bench"
THREADS = 8
DURATION = 10.0
PER_THREAD = 450


def evidence_gunicorn_oidc(*, record: Any, manage: Any) -> None:
    from surveys.models import CiIdentity, Product, TrustPolicy
    from tests.oidc_issuer import Issuer

    drop_bench_evidence()
    issuer = Issuer()
    product = Product.objects.order_by("id").first()
    assert product is not None
    TrustPolicy.objects.create(
        product=product, issuer=issuer.url, conditions=[["repository", "acme/bench"]]
    )
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "API_TOKEN_THROTTLE": "1000000/min",
        "LOG_LEVEL": "WARNING",
        "EVIDENCE_OIDC_ISSUERS": issuer.url,
        "EVIDENCE_OIDC_AUDIENCE": AUDIENCE,
    }
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "mlopsscore.wsgi", "--workers", "2"),
            *("--worker-class", "gthread", "--threads", "8", "--bind", f"127.0.0.1:{port}"),
            *("--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port)
        keys = _item_keys()

        def signed() -> str:
            return issuer.token(AUDIENCE, repository="acme/bench", sub="repo:acme/bench")

        posts = [
            [
                (json.dumps(body).encode(), signed())
                for body in _records(product, keys, PER_THREAD, f"o{n}-{time.time_ns()}")
            ]
            for n in range(THREADS + 1)
        ]
        counts = [0] * THREADS
        errors: list[str] = []

        def send(conn: http.client.HTTPConnection, body: bytes, token: str) -> int:
            headers = {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Host": "127.0.0.1",
            }
            conn.request("POST", "/api/v1/evidence/", body=body, headers=headers)
            response = conn.getresponse()
            text = response.read()
            if response.status not in (200, 201) and len(errors) < 3:
                errors.append(f"{response.status} {text[:200]!r}")
            return response.status

        # Warm-up: each gunicorn worker fetches the issuer's keys once and keeps them.
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for body, token in posts[THREADS][:20]:
            send(warm, body, token)
        warm.close()
        fetched_before = issuer.fetches

        def worker(n: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            for body, token in posts[n]:
                if time.perf_counter() >= stop:
                    break
                if send(conn, body, token) in (200, 201):
                    counts[n] += 1
            conn.close()

        pool = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
        start = time.perf_counter()
        stop = start + DURATION
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        elapsed = time.perf_counter() - start
        rate = sum(counts) / elapsed
        record(
            "OIDC evidence posts via gunicorn (RS256, cached keys, 2 gthread workers × 8)",
            rate,
            "/s",
            "≥ 200 /s",
            rate >= 200,
            f"{sum(counts):,} posts in {elapsed:.1f} s, {THREADS} clients, "
            f"key fetches while timed: {issuer.fetches - fetched_before}"
            + (f", errors {errors}" if errors else ""),
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
        issuer.close()
        drop_bench_evidence()
        TrustPolicy.objects.filter(issuer=issuer.url).delete()
        CiIdentity.objects.filter(issuer=issuer.url).delete()
