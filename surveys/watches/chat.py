"""Chat messages of flips: Slack blocks and a Microsoft Teams adaptive card (DESIGN §6.7),
posted to incoming-webhook URLs that must be https and may not reach inside the network.

As healthchecks' ``INTEGRATIONS_ALLOW_PRIVATE_IPS``: a webhook URL that resolves to a
private, loopback, link-local or otherwise reserved address is refused when saved and
again when sent (DNS may have changed), unless ``WATCH_WEBHOOK_ALLOW_PRIVATE_IPS`` is
on (the demo's local catcher); then plain http is allowed too, for such addresses only.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext

TIMEOUT_SECONDS = 5


class ChatError(Exception):
    """A post that did not reach the channel (the message says why)."""


def _addresses(host: str, port: int) -> list[Any]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return []
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def _is_public(address: Any) -> bool:
    return bool(address.is_global) and not address.is_multicast


def url_problem(url: str) -> str | None:
    """Why ``url`` may not be used as a webhook, or None."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return gettext("This is not a valid URL.")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return gettext("A webhook URL starts with https:// and names a host.")
    addresses = _addresses(parts.hostname, port)
    if not addresses:
        return gettext("The host %(host)s cannot be found.") % {"host": parts.hostname}
    private = [a for a in addresses if not _is_public(a)]
    allow_private = settings.WATCH_WEBHOOK_ALLOW_PRIVATE_IPS
    if private and not allow_private:
        return gettext(
            "The host %(host)s resolves to a private or local address (%(address)s); "
            "webhooks may only reach public addresses."
        ) % {"host": parts.hostname, "address": private[0]}
    if parts.scheme != "https" and not (allow_private and len(private) == len(addresses)):
        return gettext("A webhook URL must use https.")
    return None


def slack_payload(message: dict[str, Any]) -> dict[str, Any]:
    """Slack's Block Kit: a header line, the details, and a button to the product."""
    lines = "\n".join(f"*{label}:* {value}" for label, value in message["facts"])
    return {
        "text": message["title"],
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{message['title']}*"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": lines}},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": message["link_text"]},
                        "url": message["url"],
                    }
                ],
            },
        ],
    }


def teams_payload(message: dict[str, Any]) -> dict[str, Any]:
    """A Teams incoming-webhook message carrying one Adaptive Card."""
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        {
                            "type": "TextBlock",
                            "text": message["title"],
                            "weight": "Bolder",
                            "size": "Medium",
                            "wrap": True,
                        },
                        {
                            "type": "FactSet",
                            "facts": [
                                {"title": label, "value": str(value)}
                                for label, value in message["facts"]
                            ],
                        },
                    ],
                    "actions": [
                        {
                            "type": "Action.OpenUrl",
                            "title": message["link_text"],
                            "url": message["url"],
                        }
                    ],
                },
            }
        ],
    }


PAYLOADS = {"slack": slack_payload, "teams": teams_payload}


def chat_post(*, kind: str, url: str, message: dict[str, Any]) -> None:
    """Post ``message`` in the channel's own format; raises ``ChatError`` on any failure."""
    problem = url_problem(url)
    if problem:
        raise ChatError(problem)
    try:
        response = requests.post(
            url, json=PAYLOADS[kind](message), timeout=TIMEOUT_SECONDS, allow_redirects=False
        )
    except requests.RequestException as exc:
        raise ChatError(str(exc)[:300]) from exc
    if response.status_code >= 300:
        raise ChatError(f"HTTP {response.status_code}: {response.text[:200]}")
