"""The login page's lockout message, and the MLOps admins' page of current lockouts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from surveys.core.actors import actor_of
from surveys.lockouts.accounts import account_locked_until
from surveys.lockouts.selectors import lockout_retry_at, lockouts_current
from surveys.lockouts.services import lockout_clear
from surveys.organisation.roles import is_admin


def lockout_message(*, now: Any, retry_at: Any = None) -> str:
    """What the login page says: when the person may try again."""
    retry_at = retry_at or lockout_retry_at(now=now)
    minutes = max(1, round((retry_at - now).total_seconds() / 60))
    return ngettext(
        "Too many failed sign-ins. Sign-in is locked for %(minutes)d minute: "
        "try again after %(time)s, or ask an MLOps admin to unlock it.",
        "Too many failed sign-ins. Sign-in is locked for %(minutes)d minutes: "
        "try again after %(time)s, or ask an MLOps admin to unlock it.",
        minutes,
    ) % {
        "minutes": minutes,
        "time": formats.date_format(timezone.localtime(retry_at), "DATETIME_FORMAT"),
    }


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE: the login page again, saying when to retry."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    now = timezone.now()
    # Locked across addresses, the lockout ends when its failures leave the window.
    everywhere = account_locked_until(username=username, now=now)
    context = {
        "form": form,
        "lockout_message": lockout_message(now=now, retry_at=everywhere),
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    return render(request, "registration/login.html", context, status=429)


class UnlockForm(forms.Form):
    """An account at an address, an account at every address, or an address."""

    ip_address = forms.GenericIPAddressField(required=False)
    username = forms.CharField(max_length=255, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("ip_address") and not data.get("username"):
            raise forms.ValidationError(_("Choose a lockout to clear."))
        return data


@login_required
def lockouts_page(request: HttpRequest) -> HttpResponse:
    """MLOps admins see who is locked out of signing in, and unlock them."""
    if not is_admin(request.user):
        raise PermissionDenied
    if request.method == "POST":
        form = UnlockForm(request.POST)
        if form.is_valid():
            username = form.cleaned_data["username"] or None
            ip_address = form.cleaned_data["ip_address"] or None
            lockout_clear(ip_address=ip_address, username=username, by=actor_of(request))
            if username and not ip_address:
                messages.success(
                    request,
                    _("%(username)s may sign in from every address again.")
                    % {"username": username},
                )
            elif username:
                messages.success(
                    request,
                    _("%(username)s may sign in from %(address)s again.")
                    % {"username": username, "address": ip_address},
                )
            else:
                messages.success(
                    request, _("%(address)s may sign in again.") % {"address": ip_address}
                )
        else:
            messages.error(request, _("Choose a lockout to clear."))
        return redirect("lockouts")
    return render(request, "lockouts/index.html", {"lockouts": lockouts_current()})
