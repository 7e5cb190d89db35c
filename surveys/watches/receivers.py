"""The watches hear of every evidence post (DESIGN §6.7), in the post's own transaction."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from surveys.evidence.signals import evidence_recorded
from surveys.watches.services import watches_observe


@receiver(evidence_recorded, dispatch_uid="watches-observe")
def evidence_observed(sender: Any, *, posts: Any, now: Any, **kwargs: Any) -> None:
    watches_observe(posts=posts, now=now)
