"""Activates the signed-in person's language for the request (after Django's
LocaleMiddleware, which only knows the cookie and the browser's Accept-Language)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from surveys.languages.selectors import person_language


class PersonLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        code = person_language(request)
        if code and code != translation.get_language():
            translation.activate(code)
            request.LANGUAGE_CODE = code
        return self.get_response(request)
