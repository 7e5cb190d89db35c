"""The badge's cache (DESIGN §6.9): READMEs are rendered often, so a badge request reads
the shared cache only. Two entries: which product a key hash opens (forgotten when the
key is revoked), and each product's drawn badge per language (forgotten when the
product's stored scores change, see ``receivers``). Both also expire, as a safety net."""

from __future__ import annotations

from django.core.cache import cache

KEY_TTL = 3600
UNKNOWN_TTL = 60  # a wrong key is looked up again at most once a minute
SVG_TTL = 600
LANGS = ("en", "ja")
UNKNOWN = 0


def key_entry(key_hash: str) -> str:
    return f"badge:key:{key_hash}"


def svg_entry(product_id: int, lang: str) -> str:
    return f"badge:svg:{product_id}:{lang}"


def key_forget(key_hash: str) -> None:
    cache.delete(key_entry(key_hash))


def product_forget(product_ids: set[int]) -> None:
    cache.delete_many([svg_entry(pk, lang) for pk in product_ids for lang in LANGS])
