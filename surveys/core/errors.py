"""One project-wide error: a rule of the product was broken, with a message for the user."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A rule of the product was broken; ``message`` is written for the user."""

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
