"""The REST API v1 (DESIGN §6.5, §7): one DRF view per operation, grouped by topic."""

from surveys.api import schema as _schema  # noqa: F401  (registers the bearer scheme with drf-spectacular)
