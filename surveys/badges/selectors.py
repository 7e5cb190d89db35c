"""Reading a badge: the key's product from the cache or one query, the drawing from the
cache or the product's latest submitted scores (DESIGN §6.9)."""

from __future__ import annotations

import hashlib

from django.core.cache import cache

from surveys.assessments.models import Assessment
from surveys.badges import cache as entries
from surveys.badges.models import BadgeKey
from surveys.badges.svg import BadgeFigures, badge_svg

MAX_KEY = 100


def key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def key_product(raw: str) -> tuple[int, str] | None:
    """The product (id, slug) a live key opens, or None."""
    if not raw or len(raw) > MAX_KEY:
        return None
    entry = entries.key_entry(key_hash(raw))
    found = cache.get(entry)
    if found is None:
        row = (
            BadgeKey.objects.filter(key_hash=key_hash(raw), revoked_at=None)
            .values_list("product_id", "product__slug")
            .first()
        )
        found = tuple(row) if row else entries.UNKNOWN
        cache.set(entry, found, entries.KEY_TTL if row else entries.UNKNOWN_TTL)
    return None if found == entries.UNKNOWN else found


def badge_figures(product_id: int) -> BadgeFigures:
    """The latest submission standing: its claimed and verified final scores and band."""
    row = (
        Assessment.objects.filter(product_id=product_id, submitted_at__isnull=False)
        .order_by("-round__opens_on", "-round_id")
        .values_list("final_score", "verified_score", "band")
        .first()
    )
    return BadgeFigures(*row) if row else BadgeFigures(None, None, "")


def badge_of(product_id: int, lang: str) -> bytes:
    lang = lang if lang in entries.LANGS else "en"
    entry = entries.svg_entry(product_id, lang)
    svg = cache.get(entry)
    if svg is None:
        svg = badge_svg(badge_figures(product_id), lang).encode()
        cache.set(entry, svg, entries.SVG_TTL)
    return svg


def badge_cached(slug: str, raw: str, lang: str) -> bytes | None:
    """The badge when both the key and the drawing are in the cache; else None (the
    view then reads the database). Lets the WSGI fast path skip Django's request."""
    if not raw or len(raw) > MAX_KEY:
        return None
    found = cache.get(entries.key_entry(key_hash(raw)))
    if not found or found == entries.UNKNOWN or found[1] != slug:
        return None
    return cache.get(entries.svg_entry(found[0], lang if lang in entries.LANGS else "en"))
