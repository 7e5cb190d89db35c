"""A badge is drawn again once its product's stored scores change (DESIGN §6.9)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from surveys.assessments.signals import scores_stored
from surveys.badges.cache import product_forget


@receiver(scores_stored)
def _forget_badges(sender: Any, product_ids: set[int], **kwargs: Any) -> None:
    product_forget(product_ids)
