"""Initiatives: goals the MLOps team sets for a set of products by a date (DESIGN §2, §5)."""
