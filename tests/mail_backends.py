"""Email backends for tests: a mail server that is down."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend


class DownBackend(BaseEmailBackend):
    """Refuses every message, as a mail server that does not answer."""

    attempts = 0

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        DownBackend.attempts += 1
        raise ConnectionRefusedError("the mail server is down")
