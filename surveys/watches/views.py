"""Watches' pages (DESIGN §6.7): a team's settings, pauses and mute on the product page;
the admins' list of watches down or failing, and their chat channels."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from surveys.core.errors import ApplicationError
from surveys.core.i18n import tr
from surveys.organisation.access import admin_required
from surveys.organisation.models import Department, Product
from surveys.organisation.roles import sees_everything
from surveys.organisation.selectors import products_visible_to, token_of
from surveys.rounds.models import Round
from surveys.watches import notifications, selectors, services
from surveys.watches.chat import ChatError
from surveys.watches.coverage import coverage
from surveys.watches.forms import ChatChannelForm, WatchPauseForm, WatchSettingsForm
from surveys.watches.models import ChatChannel, Watch, WatchState
from surveys.watches.notifications import item_titles


def _product_url(product: Product) -> str:
    return f"/products/{product.slug}/#watches"


@login_required
@require_POST
def watch_change(request: HttpRequest, slug: str, item: str) -> HttpResponse:
    """The team's (or an admin's) settings, pause or resume of one watch."""
    product = get_object_or_404(selectors.products_watch_editable_by(request.user), slug=slug)
    watch = get_object_or_404(Watch, product=product, item_key=item)
    action = request.POST.get("action", "")
    try:
        if action == "settings":
            form = WatchSettingsForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(
                    _("Check the period, grace and N: %(errors)s")
                    % {"errors": "; ".join(str(e) for errs in form.errors.values() for e in errs)}
                )
            services.watch_update(
                watch=watch,
                by=request.user,
                period=timedelta(days=form.cleaned_data["period_days"]),
                grace=timedelta(hours=form.cleaned_data["grace_hours"]),
                fail_after=form.cleaned_data["fail_after"],
            )
        elif action == "pause":
            pause = WatchPauseForm(request.POST)
            if not pause.is_valid():
                raise ApplicationError(_("Give the date the pause ends."))
            until = timezone.make_aware(datetime.combine(pause.cleaned_data["until"], time.min))
            services.watch_pause(watch=watch, until=until, by=request.user)
        elif action == "resume":
            services.watch_pause(watch=watch, until=None, by=request.user)
        else:
            raise ApplicationError(_("Unknown action."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The watch of %(item)s is saved.") % {"item": item})
    return redirect(_product_url(product))


@login_required
@require_POST
def watch_add(request: HttpRequest, slug: str) -> HttpResponse:
    """The team watches an item before CI's first post for it (DESIGN §6.7)."""
    product = get_object_or_404(selectors.products_watch_editable_by(request.user), slug=slug)
    item = request.POST.get("item", "").strip()[:100]
    try:
        services.watch_create(product=product, item_key=item, by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The watch of %(item)s is saved.") % {"item": item})
    return redirect(_product_url(product))


@login_required
@require_POST
def watch_mute(request: HttpRequest, slug: str) -> HttpResponse:
    """A member mutes or unmutes a product's watch notifications for themselves."""
    if token_of(request.user) is not None:
        raise PermissionDenied
    product = get_object_or_404(products_visible_to(request.user), slug=slug)
    muted = request.POST.get("muted") == "1"
    services.watch_mute_set(user=request.user, product=product, muted=muted)
    messages.success(
        request,
        _("You will hear nothing of this product's checks.")
        if muted
        else _("You will hear of this product's checks again."),
    )
    return redirect(_product_url(product))


@admin_required
def alarms(request: HttpRequest) -> HttpResponse:
    """Every watch down or failing across the organisation, by department, oldest first."""
    department_id = request.GET.get("department") or None
    state = request.GET.get("state") or None
    if state not in (None, WatchState.DOWN, WatchState.FAILING):
        state = None
    department = None
    if department_id is not None:
        department = Department.objects.filter(
            pk=department_id if department_id.isdigit() else 0
        ).first()
    rows = list(
        selectors.watches_alarming(
            department_id=department.pk if department else None, state=state
        )[:1000]
    )
    titles = item_titles([w.item_key for w in rows])
    return render(
        request,
        "watches/alarms.html",
        {
            "rows": [
                (w, " ".join([titles[w.item_key][0], tr(titles[w.item_key][1])]))
                if w.item_key in titles
                else (w, w.item_key)
                for w in rows
            ],
            "departments": Department.objects.order_by("name"),
            "department": department,
            "state": state or "",
            "now": timezone.now(),
        },
    )


@login_required
def coverage_report(request: HttpRequest) -> HttpResponse:
    """Reports: the share of items at 1 with a live check, per round and department
    (managers and admins: the whole organisation)."""
    if token_of(request.user) is not None or not sees_everything(request.user):
        raise PermissionDenied(_("Only managers and MLOps admins may open this page."))
    rounds = list(Round.objects.select_related("questionnaire").order_by("-opens_on")[:6])
    rows = coverage(rounds=list(reversed(rounds)))
    departments = list(Department.objects.order_by("name"))
    return render(
        request,
        "watches/coverage.html",
        {
            "rows": rows,
            "departments": departments,
            "table": [(d, [row.departments.get(d.pk) for row in rows]) for d in departments],
        },
    )


@admin_required
@require_http_methods(["GET", "POST"])
def channels(request: HttpRequest) -> HttpResponse:
    """Chat channels of products and departments: add, test, remove."""
    form = ChatChannelForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action", "add")
        if action == "add":
            if form.is_valid():
                try:
                    services.chat_channel_create(
                        kind=form.cleaned_data["kind"],
                        url=form.cleaned_data["url"],
                        product=form.cleaned_data["product"],
                        department=form.cleaned_data["department"],
                        by=request.user,
                    )
                except ApplicationError as exc:
                    form.add_error("url", exc.message)
                else:
                    messages.success(request, _("The chat channel is added."))
                    return redirect("watches:channels")
        else:
            raw = request.POST.get("channel", "")
            channel = get_object_or_404(ChatChannel, pk=int(raw) if raw.isdigit() else 0)
            if action == "test":
                try:
                    notifications.chat_test(channel=channel)
                except ChatError as exc:
                    messages.error(
                        request, _("The test message failed: %(error)s") % {"error": exc}
                    )
                else:
                    messages.success(request, _("A test message was sent."))
            elif action == "delete":
                services.chat_channel_delete(channel=channel, by=request.user)
                messages.success(request, _("The chat channel is removed."))
            return redirect("watches:channels")
    return render(
        request,
        "watches/channels.html",
        {
            "form": form,
            "channels": ChatChannel.objects.select_related("product", "department").order_by(
                "department__name", "product__name", "pk"
            ),
        },
    )
