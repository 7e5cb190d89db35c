"""Told after the commit that stored new scores, so the concepts above assessments
(badges' cache) follow without assessments importing them."""

from django.dispatch import Signal

# Sent with ``product_ids``: the products whose stored scores changed.
scores_stored = Signal()
