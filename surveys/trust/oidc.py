"""Verifying a CI platform's ID token (DESIGN §6.6).

Keys come from the issuer's ``/.well-known/openid-configuration`` → ``jwks_uri`` and are
kept in this process. A token naming a key id we do not hold fetches the keys again, at
most once a minute per issuer, so a flood of forged key ids cannot hammer the issuer.
Only RS256 and ES256 are accepted: ``none`` and HMAC (where the public key would become
the shared secret) are refused before any key is looked at.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
import requests
from django.conf import settings

ALGORITHMS = ("RS256", "ES256")
LEEWAY_SECONDS = 60
REFETCH_SECONDS = 60
# Keys are re-read now and then even when every kid is known, so a revoked key goes away.
KEYS_MAX_AGE_SECONDS = 3600
FETCH_TIMEOUT_SECONDS = 5


class TokenRefused(Exception):
    """The token is not acceptable; the message says why (for a 401)."""


@dataclass(frozen=True)
class VerifiedToken:
    issuer: str
    subject: str
    jti: str
    claims: dict[str, Any]


@dataclass
class _IssuerKeys:
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    fetched_at: float = float("-inf")


_cache: dict[str, _IssuerKeys] = {}
_lock = threading.Lock()


def clock() -> float:
    """Wall time in seconds; a function so tests can travel in time."""
    return time.time()


def keys_forget() -> None:
    """Drop every cached key (tests; a deploy that rotates issuers)."""
    with _lock:
        _cache.clear()


def _fetch_keys(issuer: str) -> dict[str, dict[str, Any]]:
    discovery_url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        discovery = requests.get(discovery_url, timeout=FETCH_TIMEOUT_SECONDS)
        discovery.raise_for_status()
        jwks_uri = discovery.json()["jwks_uri"]
        jwks = requests.get(jwks_uri, timeout=FETCH_TIMEOUT_SECONDS)
        jwks.raise_for_status()
        listed = jwks.json()["keys"]
    except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
        raise TokenRefused(f"The keys of issuer {issuer} could not be fetched.") from exc
    return {str(key.get("kid", "")): key for key in listed if isinstance(key, dict)}


def _key_for(issuer: str, kid: str | None) -> dict[str, Any]:
    with _lock:
        entry = _cache.setdefault(issuer, _IssuerKeys())
        now = clock()
        known = kid in entry.keys if kid is not None else len(entry.keys) == 1
        stale = now - entry.fetched_at > KEYS_MAX_AGE_SECONDS
        if (not known or stale) and now - entry.fetched_at >= REFETCH_SECONDS:
            # Record the attempt first: a failing issuer is asked once a minute, no more.
            entry.fetched_at = now
            entry.keys = _fetch_keys(issuer)
        if kid is None:
            if len(entry.keys) != 1:
                raise TokenRefused("The token names no key id (kid).")
            return next(iter(entry.keys.values()))
        if kid not in entry.keys:
            raise TokenRefused(f"Issuer {issuer} has no key {kid!r}.")
        return entry.keys[kid]


def _unverified(raw: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        header = jwt.get_unverified_header(raw)
        claims = jwt.decode(raw, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise TokenRefused("The bearer value is not a well-formed JWT.") from exc
    return header, claims


def token_verify(raw: str) -> VerifiedToken:
    """The token's identity when it is acceptable; raises ``TokenRefused`` otherwise."""
    header, unverified = _unverified(raw)
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise TokenRefused(f"Algorithm {alg!r} is refused; sign with RS256 or ES256.")
    issuer = unverified.get("iss")
    if not isinstance(issuer, str) or issuer not in settings.EVIDENCE_OIDC_ISSUERS:
        raise TokenRefused(f"Issuer {issuer!r} is not trusted.")
    jwk = _key_for(issuer, header.get("kid"))
    if jwk.get("alg") not in (None, alg):
        raise TokenRefused(f"Key {header.get('kid')!r} is for {jwk.get('alg')}, not {alg}.")
    try:
        key = jwt.PyJWK(jwk, algorithm=alg).key
        claims = jwt.decode(
            raw,
            key=key,
            algorithms=[alg],
            audience=settings.EVIDENCE_OIDC_AUDIENCE,
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "sub", "jti"]},
        )
    except jwt.PyJWTError as exc:
        raise TokenRefused(f"The token is not valid: {exc}.") from exc
    return VerifiedToken(
        issuer=issuer, subject=str(claims["sub"]), jti=str(claims["jti"]), claims=claims
    )
