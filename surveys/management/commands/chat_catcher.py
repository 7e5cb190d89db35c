"""``python manage.py chat_catcher [--port 8025]``: print what chat webhooks receive."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from surveys.watches.catcher import DEMO_PORT, catcher_serve


class Command(BaseCommand):
    help = "Listen on 127.0.0.1 and print every chat-webhook message posted to it (the demo's)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=DEMO_PORT)

    def handle(self, *args: Any, port: int, **options: Any) -> None:
        server = catcher_serve(port=port, out=self.stdout)
        self.stdout.write(f"Chat webhook catcher on http://127.0.0.1:{port}/ (Ctrl-C stops it)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
