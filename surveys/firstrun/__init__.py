"""A new deployment's first start: what it loads so people have something to answer (DESIGN §8)."""
