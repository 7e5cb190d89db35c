"""With DEBUG on, Django answers an unknown address with its technical 404 page, which
lists the URL patterns: a person trying the demo sees the app's own 404 page instead.
Programs (``/api/``) keep their JSON answers."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.defaults import page_not_found


class FriendlyNotFoundMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and not request.path.startswith("/api/")
            and response.get("Content-Type", "").startswith("text/html")
            and b"DEBUG = True" in getattr(response, "content", b"")
        ):
            return page_not_found(request, Http404())
        return response
