"""Writing trust policies and recording the CI identities that used them."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from surveys.core.actors import Actor
from surveys.core.errors import ApplicationError

from .models import CiIdentity, TrustPolicy
from .oidc import TokenRefused, VerifiedToken

MAX_CONDITIONS = 20
_CLAIM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]{0,99}$")


def conditions_parse(texts: Sequence[str]) -> list[list[str]]:
    """``["repository=acme/ads", "ref=refs/heads/*"]`` as ``[[name, value], ...]``."""
    conditions: list[list[str]] = []
    for text in texts:
        name, sep, value = text.strip().partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not _CLAIM_NAME.match(name) or not value or len(value) > 300:
            raise ApplicationError(
                _("“%(text)s” is no condition: write claim=value, e.g. repository=acme/ads-ctr.")
                % {"text": text}
            )
        conditions.append([name, value])
    if not conditions:
        raise ApplicationError(_("Give at least one claim condition, e.g. repository=acme/x."))
    if len(conditions) > MAX_CONDITIONS:
        raise ApplicationError(
            _("A policy holds at most %(n)d conditions.") % {"n": MAX_CONDITIONS}
        )
    if len({name for name, _value in conditions}) != len(conditions):
        raise ApplicationError(_("Each claim may appear only once in a policy."))
    if all(only_wildcards(value) for _name, value in conditions):
        raise ApplicationError(
            _(
                "Every condition of this policy is only a wildcard, so it would admit every "
                "pipeline of the issuer, anyone's on a public platform: name at least one "
                "claim exactly, e.g. repository=acme/ads-ctr."
            )
        )
    return conditions


def only_wildcards(value: str) -> bool:
    """A condition value that names nothing (``*``, ``*/*``, ``**``) matches any claim."""
    return not value.replace("*", "").strip(" /:.-_")


@transaction.atomic(durable=True)
def policy_create(*, product: Any, issuer: str, conditions: Sequence[str], by: Actor = None) -> Any:
    """A new trust policy of ``product``. The issuer must be one the site trusts."""
    issuer = issuer.strip()
    if issuer not in settings.EVIDENCE_OIDC_ISSUERS:
        trusted = ", ".join(settings.EVIDENCE_OIDC_ISSUERS) or _("none (set EVIDENCE_OIDC_ISSUERS)")
        raise ApplicationError(
            _("Issuer %(issuer)s is not trusted by this site; trusted: %(trusted)s.")
            % {"issuer": issuer, "trusted": trusted}
        )
    parsed = conditions_parse(conditions)
    policy = TrustPolicy(product=product, issuer=issuer, conditions=parsed, created_by=by)
    policy.full_clean()
    policy.save()
    return policy


def policy_delete(*, policy: TrustPolicy) -> None:
    policy.delete()


def fitted(text: str, limit: int | None) -> str:
    """``text`` if it fits its column, else a prefix and its SHA-256 (DESIGN §6.6): a long
    ``jti`` stays unique (a replay of it is still refused), a long subject still readable."""
    if limit is None or len(text) <= limit:
        return text
    digest = "…sha256:" + hashlib.sha256(text.encode()).hexdigest()
    return text[: limit - len(digest)] + digest


@dataclass(frozen=True)
class TrustedIdentity:
    """An accepted token: its stored identity and the products its policies admit."""

    identity: CiIdentity
    product_ids: frozenset[int]


def identity_accept(*, token: VerifiedToken) -> TrustedIdentity:
    """Match the token against every policy of its issuer and spend its ``jti``.

    A token that matches no policy is refused (401) without spending its ``jti``.
    """
    matched: dict[str, str] = {}
    product_ids: set[int] = set()
    for policy in TrustPolicy.objects.filter(issuer=token.issuer):
        if all(only_wildcards(value) for _name, value in policy.conditions):
            continue  # stored before such policies were refused: it admits nobody
        claims = policy.matched_claims(token.claims)
        if claims is not None:
            product_ids.add(policy.product_id)
            matched.update(claims)
    if not product_ids:
        raise TokenRefused(f"No trust policy admits this token (sub {token.subject!r}).")
    try:
        with transaction.atomic():
            identity = CiIdentity.objects.create(
                issuer=token.issuer,
                subject=fitted(token.subject, CiIdentity._meta.get_field("subject").max_length),
                jti=fitted(token.jti, CiIdentity._meta.get_field("jti").max_length),
                claims=matched,
            )
    except IntegrityError as exc:
        raise TokenRefused("This token has been used already (replayed jti).") from exc
    return TrustedIdentity(identity=identity, product_ids=frozenset(product_ids))
