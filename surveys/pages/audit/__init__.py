"""The audit page: every recorded change, of every concept, in one list (DESIGN §4)."""
