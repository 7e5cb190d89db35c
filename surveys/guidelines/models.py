"""Guideline pages that items and reports link to."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from surveys.i18n import tr


class Guideline(models.Model):
    """An internal page (Markdown) on how to reach a practice."""

    slug = models.SlugField(max_length=100, unique=True)
    title = models.JSONField(default=dict)
    body = models.JSONField(default=dict, help_text='Markdown per language: {"en": ..., "ja": ...}')
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return tr(self.title) or self.slug
