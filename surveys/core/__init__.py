"""Plumbing every concept stands on: errors, validators, input guards, bilingual text,
where a change came from, the one after-commit enqueue, and the API's shared parts.

It imports no concept of the product (DESIGN: dependencies point one way)."""
