"""What the evidence tells the concepts above it, without importing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the post's transaction with ``posts`` (the records stored, latest per
# product, item and run) and ``now``; the watches count them (DESIGN §6.7).
evidence_recorded = Signal()
