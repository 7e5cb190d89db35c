"""A trusted issuer on loopback, and the cast's products trusting tokens of its repositories."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from surveys.trust.oidc import keys_forget
from surveys.trust.services import policy_create
from tests.oidc_issuer import Issuer

AUDIENCE = "https://mlops.example"


@pytest.fixture
def issuer(settings: Any) -> Iterator[Issuer]:
    served = Issuer()
    settings.EVIDENCE_OIDC_ISSUERS = [served.url]
    settings.EVIDENCE_OIDC_AUDIENCE = AUDIENCE
    keys_forget()
    cache.clear()
    yield served
    served.close()
    keys_forget()


@pytest.fixture
def policies(cast: Any, issuer: Issuer, version: Any) -> None:
    """``ads-ctr`` trusts acme/ads-ctr on any branch; ``search-rank`` trusts acme/search."""
    policy_create(
        product=cast.product,
        issuer=issuer.url,
        conditions=["repository=acme/ads-ctr", "ref=refs/heads/*"],
    )
    policy_create(
        product=cast.other_product, issuer=issuer.url, conditions=["repository=acme/search"]
    )
