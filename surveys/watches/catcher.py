"""A local chat-webhook catcher for the demo: it prints what a Slack or Teams webhook
would receive, so a newcomer sees flips told without any chat account."""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEMO_PORT = 8025
DEMO_URL = f"http://127.0.0.1:{DEMO_PORT}/demo"
MAX_BODY = 1024 * 1024


def _handler(out: Any) -> type[BaseHTTPRequestHandler]:
    class Catcher(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
            raw = self.rfile.read(length)
            try:
                shown = json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
            except ValueError:
                shown = raw.decode("utf-8", "replace")
            print(f"--- chat webhook {self.path} ---\n{shown}", file=out, flush=True)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Catcher


def catcher_serve(*, port: int = DEMO_PORT, out: Any = sys.stdout) -> ThreadingHTTPServer:
    """A server on 127.0.0.1 (never another interface); the caller runs ``serve_forever``."""
    return ThreadingHTTPServer(("127.0.0.1", port), _handler(out))
