"""One confirmation page for every archive and delete of the admin pages.

The first post of an archive or delete button renders this page, which posts the same
fields again with ``confirmed=1``; only that second post changes anything.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def confirmed(request: HttpRequest) -> bool:
    return request.POST.get("confirmed") == "1"


def confirm_page(
    request: HttpRequest, *, title: str, consequences: list[str], button: str, back: str
) -> HttpResponse:
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        for value in values
        if name not in {"csrfmiddlewaretoken", "confirmed"}
    ]
    return render(
        request,
        "rounds/confirm.html",
        {
            "title": title,
            "round": None,
            "consequences": consequences,
            "button": button,
            "back": back,
            "fields": fields,
        },
    )
