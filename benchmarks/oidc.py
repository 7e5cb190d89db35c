"""`make bench`: evidence posted with CI ID tokens (DESIGN §6.6) through gunicorn.

A loopback issuer (tests/oidc_issuer.py) signs one RS256 token per post before the clock
starts (each ``jti`` is spent once); the server fetches the issuer's keys on its first
posts (the warm-up) and verifies every timed post with the keys it cached.
"""

from __future__ import annotations

import time
from typing import Any

from .load import MODEL, evidence_bodies, post_timed, serve, warm_up
from .sections import _item_keys, _records, drop_bench_evidence

AUDIENCE = "https://mlops.bench"
POSTS = 6_000  # more than 10 s at the target allows, each signed once


def evidence_gunicorn_oidc(*, record: Any, manage: Any) -> None:
    from surveys.models import Product, TrustPolicy
    from tests.oidc_issuer import Issuer

    drop_bench_evidence()
    issuer = Issuer()
    product = Product.objects.order_by("id").first()
    assert product is not None
    policy = TrustPolicy.objects.create(
        product=product, issuer=issuer.url, conditions=[["repository", "acme/bench"]]
    )
    try:
        bodies = evidence_bodies(_records(product, _item_keys(), POSTS, f"o-{time.time_ns()}"))
        prepared = [
            (issuer.token(AUDIENCE, repository="acme/bench", sub="repo:acme/bench"), body)
            for body in bodies
        ]
        extra = {"EVIDENCE_OIDC_ISSUERS": issuer.url, "EVIDENCE_OIDC_AUDIENCE": AUDIENCE}
        with serve(extra) as port:
            # The warm-up makes each worker fetch the issuer's keys once and keep them.
            warm_up(port, prepared[:40])
            fetched_before = issuer.fetches
            load = post_timed(port, prepared[40:], seconds=10.0)
        record(
            f"OIDC evidence posts via gunicorn (RS256, cached keys, {MODEL})",
            load.rate,
            "/s",
            "≥ 200 /s",
            load.rate >= 200 and not load.errors,
            f"{load.detail()}, key fetches while timed: {issuer.fetches - fetched_before}",
        )
    finally:
        issuer.close()
        policy.delete()
        drop_bench_evidence()
