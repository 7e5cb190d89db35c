"""One guard for input no page can store or compare.

``BadInputMiddleware`` answers 400 to a request whose path, query or form fields hold a NUL
byte or an unpaired surrogate: PostgreSQL refuses such text, so every view would
otherwise fail on it with a 500. ``json_body`` is the one way JSON bodies are read, by the
page's JSON views and by the API's parser: it refuses what ``json.loads`` accepts but
nothing can use (nesting deep enough to exhaust the stack, ``1e400``, ``NaN``) and, unless
the caller validates text field by field itself, NUL bytes and unpaired surrogates.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

# Deep enough for any document the app reads (an evidence batch nests 3 levels).
MAX_JSON_DEPTH = 64
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Strings (skipped whole) and brackets: enough to measure nesting without recursion.
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


class BadInput(ValueError):
    """Input refused before any view ran; ``message`` is written for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def unstorable(text: str) -> bool:
    """NUL bytes and unpaired surrogates: text PostgreSQL cannot store or compare."""
    return _UNSTORABLE.search(text) is not None


def _strings(value: Any) -> Iterator[str]:
    """Every key and string in a parsed JSON document, without recursion."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            yield from node.keys()
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _depth(text: str) -> int:
    depth = deepest = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


def _finite(literal: str) -> float:
    number = float(literal)
    if not math.isfinite(number):
        raise BadInput(_("The number %(number)s is too large.") % {"number": literal[:40]})
    return number


def _refuse_constant(name: str) -> None:
    raise BadInput(_("%(name)s is not a number JSON allows.") % {"name": name})


def json_body(raw: bytes, *, encoding: str = "utf-8", check_text: bool = True) -> Any:
    """The parsed body, or BadInput saying what is wrong with it.

    ``check_text=False`` leaves NUL bytes and surrogates to the caller's own field
    validation (the API names the field that holds them).
    """
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise BadInput(_("The body is not UTF-8 encoded JSON.")) from exc
    if _depth(text) > MAX_JSON_DEPTH:
        raise BadInput(
            _("The JSON is nested more than %(depth)d levels deep.") % {"depth": MAX_JSON_DEPTH}
        )
    try:
        data = json.loads(text, parse_float=_finite, parse_constant=_refuse_constant)
    except BadInput:
        raise
    except (ValueError, RecursionError) as exc:
        raise BadInput(_("The request is not valid JSON: %(error)s") % {"error": exc}) from exc
    if check_text and any(unstorable(s) for s in _strings(data)):
        raise BadInput(_("The text holds a NUL character or an invalid Unicode character."))
    return data


def _params(request: HttpRequest) -> Iterable[str]:
    yield request.path
    for key, values in request.GET.lists():
        yield key
        yield from values
    is_form = request.content_type in _FORM_TYPES
    if request.method == "POST" and is_form and not request.path.startswith("/api/"):
        for key, values in request.POST.lists():
            yield key
            yield from values
        for key in request.FILES:
            yield key


def _wants_json(request: HttpRequest) -> bool:
    return (
        request.path.startswith("/api/")
        or request.content_type == "application/json"
        or "application/json" in request.headers.get("Accept", "")
    )


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """A 400 in the shape the caller reads: the API's error JSON, a page's JSON, or HTML."""
    if request.path.startswith("/api/"):
        from surveys.core.api.errors import error_body  # the API's one error shape

        return JsonResponse(error_body("invalid", message), status=400)
    if _wants_json(request):
        return JsonResponse({"error": message}, status=400)
    html = render_to_string("400.html", {"message": message}, request)
    return HttpResponse(html, status=400)


class BadInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any(unstorable(value) for value in _params(request)):
            return bad_request(
                request,
                _(
                    "The address or the form holds a NUL character or an invalid Unicode "
                    "character; nothing was done."
                ),
            )
        return self.get_response(request)


def request_json(request: HttpRequest) -> Any:
    """The JSON body of a page's JSON view (an empty body is an empty object)."""
    return json_body(request.body or b"{}", encoding=request.encoding or settings.DEFAULT_CHARSET)
