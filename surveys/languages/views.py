"""The header's language switch: Django's ``set_language`` (the cookie, for visitors)
plus, for a signed-in person, their profile, so the choice holds on every device."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from surveys.languages.services import person_language_set


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    response = set_language(request)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and getattr(user, "pk", None):
        person_language_set(
            user=user, code=str(request.POST.get("language", "")), session=request.session
        )
    return response
