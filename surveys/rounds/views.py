"""Round pages for MLOps admins: list, create, follow completion, extend, close early,
re-open and re-score. Everyone else gets 403; anonymous visitors are sent to log in."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from surveys.assessments.models import Assessment, AssessmentStatus
from surveys.core.actors import actor_of
from surveys.core.errors import ApplicationError
from surveys.core.tasks import enqueue
from surveys.organisation.models import Department
from surveys.organisation.roles import is_admin
from surveys.rounds import services
from surveys.rounds.forms import RoundCreateForm, RoundExtendForm, RoundReopenForm
from surveys.rounds.models import Round, RoundStatus
from surveys.rounds.selectors import today_of, unfinished_with_members
from surveys.rounds.tasks import round_close_task, round_open_task

PAGE_SIZE = 100
STATUSES = [
    AssessmentStatus.NOT_STARTED,
    AssessmentStatus.DRAFT,
    AssessmentStatus.SUBMITTED,
    AssessmentStatus.NOT_SUBMITTED,
]


def admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_admin(request.user):
            raise PermissionDenied(_("Only MLOps admins manage rounds."))
        return view(request, *args, **kwargs)

    return wrapped


def _status_counts(prefix: str = "") -> dict[str, Any]:
    return {
        status.value: Count("id", filter=Q(**{f"{prefix}status": status})) for status in STATUSES
    }


@admin_required
def round_list(request: HttpRequest) -> HttpResponse:
    # Two grouped queries, not one join of products × assessments per round.
    rounds = list(
        Round.objects.select_related("version__questionnaire").order_by("-opens_on", "-pk")
    )
    targeted = {
        row["round_id"]: row["n"]
        for row in Round.products.through.objects.values("round_id").annotate(n=Count("id"))
    }
    counts: dict[int, dict[str, int]] = {}
    for round_id, status, n in (
        Assessment.objects.values("round_id", "status")
        .annotate(n=Count("id"))
        .values_list("round_id", "status", "n")
    ):
        counts.setdefault(round_id, {})[status] = n
    rows = [
        {
            "round": round,
            "targeted": targeted.get(round.pk, 0),
            **{s.value: counts.get(round.pk, {}).get(s.value, 0) for s in STATUSES},
        }
        for round in rounds
    ]
    return render(request, "rounds/list.html", {"rows": rows})


def _people(products: Any) -> int:
    """How many people an email to these products' members reaches."""
    return (
        get_user_model()
        .objects.filter(products__in=products, is_active=True)
        .exclude(email="")
        .distinct()
        .count()
    )


def _confirm(
    request: HttpRequest,
    *,
    title: str,
    round: Round | None,
    consequences: list[str],
    button: str,
    back: str,
    repost: bool = False,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """A page that says what an action will do before it is done."""
    fields = (
        [(k, v) for k, values in request.POST.lists() for v in values if k != "csrfmiddlewaretoken"]
        if repost
        else []
    )
    return render(
        request,
        "rounds/confirm.html",
        {
            "title": title,
            "round": round,
            "consequences": consequences,
            "button": button,
            "back": back,
            "fields": fields,
            **(extra or {}),
        },
    )


@admin_required
def round_create(request: HttpRequest) -> HttpResponse:
    form = RoundCreateForm(request.POST or None)
    running = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["opens_on"] <= today_of(timezone.now()) and request.POST.get("confirmed") != "1":
            products = form.targeted_products()
            count = products.count()
            return _confirm(
                request,
                title=_("Open round %(label)s now?") % {"label": data["label"]},
                round=None,
                consequences=[
                    _(
                        "The round opens today, not on a later date: %(count)d assessments "
                        "will be created at once, carried forward from each product's last "
                        "submission."
                    )
                    % {"count": count},
                    ngettext(
                        "%(people)d person will be emailed that the round is open.",
                        "%(people)d people will be emailed that the round is open.",
                        _people(products),
                    )
                    % {"people": _people(products)},
                    _("It closes on %(date)s.") % {"date": f"{data['closes_on']:%Y-%m-%d}"},
                ],
                button=_("Create and open the round"),
                back=reverse("rounds:create"),
                repost=True,
            )
        try:
            round = services.round_create(
                version=data["version"],
                label=data["label"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                products=form.targeted_products(),
                reminder_days=data["reminder_days"],
                by=actor_of(request),
            )
            if round.opens_on <= today_of(timezone.now()):
                enqueue(round_open_task, round.pk, request.user.pk)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Round %(label)s created.") % {"label": round.label})
            return redirect("rounds:detail", pk=round.pk)
    in_the_way = form.has_error("opens_on") or form.non_field_errors()
    if in_the_way and (version := form.cleaned_data.get("version")) is not None:
        # The round in the way is often the running one: offer to close it early here.
        running = Round.objects.filter(
            questionnaire_id=version.questionnaire_id, status=RoundStatus.OPEN
        ).first()
    return render(request, "rounds/create.html", {"form": form, "running": running})


def _completion(round: Round, request: HttpRequest) -> dict[str, Any]:
    assessments = Assessment.objects.filter(round=round)
    by_department = list(
        assessments.values("product__department_id", "product__department__name")
        .annotate(total=Count("id"), last_activity=Max("updated_at"), **_status_counts())
        .order_by("product__department__name")
    )
    totals = assessments.aggregate(total=Count("id"), **_status_counts())
    rows = assessments.select_related("product__department").order_by(
        "product__department__name", "product__name"
    )
    department = request.GET.get("department")
    if department and department.isdigit():
        rows = rows.filter(product__department_id=int(department))
    status = request.GET.get("status")
    if status in {s.value for s in STATUSES}:
        rows = rows.filter(status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "by_department": by_department,
        "totals": totals,
        "page": page,
        "filter_department": department or "",
        "filter_status": status or "",
        "statuses": [(s.value, s.label) for s in STATUSES],
        "departments": Department.objects.filter(
            pk__in=[row["product__department_id"] for row in by_department]
        ),
    }


@admin_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round = get_object_or_404(Round.objects.select_related("version__questionnaire"), pk=pk)
    context = {
        "round": round,
        "targeted": round.products.count(),
        "events": round.events.select_related("by").order_by("-at", "-pk")[:50],
        "extend_form": RoundExtendForm(round=round),
        "reopen_form": RoundReopenForm(),
        **_completion(round, request),
    }
    return render(request, "rounds/detail.html", context)


def _invalid(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@require_POST
@admin_required
def round_extend(request: HttpRequest, pk: int) -> HttpResponse:
    round = get_object_or_404(Round, pk=pk)
    form = RoundExtendForm(request.POST, round=round)
    if not form.is_valid():
        _invalid(request, form)
        return redirect("rounds:detail", pk=pk)
    try:
        services.round_extend(
            round=round, closes_on=form.cleaned_data["closes_on"], by=actor_of(request)
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The round now closes on %(date)s.") % {"date": round.closes_on.isoformat()}
        )
    return redirect("rounds:detail", pk=pk)


def _unsubmitted_consequence(round: Round) -> list[str]:
    """DESIGN §2: at the close the last submission counts; say how many changes will not."""
    changed = Assessment.objects.filter(
        round=round, status=AssessmentStatus.SUBMITTED, unsubmitted_changes__gt=0
    ).aggregate(products=Count("id"), answers=Sum("unsubmitted_changes"))
    if not changed["products"]:
        return []
    return [
        ngettext(
            "%(products)d submitted assessment has changes made after its submission "
            "(%(answers)d answers): its last submission counts, and the changes stay in its "
            "history, unscored.",
            "%(products)d submitted assessments have changes made after their submission "
            "(%(answers)d answers): their last submission counts, and the changes stay in "
            "their history, unscored.",
            changed["products"],
        )
        % changed
    ]


@require_http_methods(["GET", "POST"])
@admin_required
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    round = get_object_or_404(Round, pk=pk)
    if request.method == "GET":
        counts = Assessment.objects.filter(round=round).aggregate(**_status_counts())
        unfinished = counts["draft"] + counts["not_started"]
        return _confirm(
            request,
            title=_("Close round %(label)s now?") % {"label": round.label},
            round=round,
            consequences=[
                ngettext(
                    "%(count)d assessment not submitted (%(drafts)d drafts, %(new)d not "
                    "started) will be recorded as not submitted: no response, not scored.",
                    "%(count)d assessments not submitted (%(drafts)d drafts, %(new)d not "
                    "started) will be recorded as not submitted: no response, not scored.",
                    unfinished,
                )
                % {
                    "count": unfinished,
                    "drafts": counts["draft"],
                    "new": counts["not_started"],
                }
                if unfinished
                else _("Every targeted product has submitted."),
                ngettext(
                    "%(count)d submitted assessment will be scored and frozen.",
                    "%(count)d submitted assessments will be scored and frozen.",
                    counts["submitted"],
                )
                % {"count": counts["submitted"]},
                *_unsubmitted_consequence(round),
                _(
                    "The members of products whose score fell since their previous round "
                    "will be emailed; nobody else is."
                ),
                _("Closes today instead of %(date)s; no answer can change afterwards.")
                % {"date": f"{round.closes_on:%Y-%m-%d}"},
            ],
            button=_("Close the round now"),
            back=reverse("rounds:detail", args=[round.pk]),
        )
    try:
        services.round_close_early(round=round, by=actor_of(request))
        enqueue(round_close_task, round.pk, request.user.pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Round %(label)s is closing: scores and the report are being stored.")
            % {"label": round.label},
        )
    return redirect("rounds:detail", pk=pk)


@require_POST
@admin_required
def round_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    round = get_object_or_404(Round, pk=pk)
    form = RoundReopenForm(request.POST)
    if not form.is_valid():
        _invalid(request, form)
        return redirect("rounds:detail", pk=pk)
    try:
        services.round_reopen(
            round=round,
            closes_on=form.cleaned_data["closes_on"],
            reason=form.cleaned_data["reason"],
            by=actor_of(request),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Round %(label)s is open again until %(date)s.")
            % {"label": round.label, "date": round.closes_on.isoformat()},
        )
    return redirect("rounds:detail", pk=pk)


@require_http_methods(["GET", "POST"])
@admin_required
def round_rescore(request: HttpRequest, pk: int) -> HttpResponse:
    round = get_object_or_404(Round, pk=pk)
    if request.method == "GET":
        submitted = Assessment.objects.filter(
            round=round, status=AssessmentStatus.SUBMITTED
        ).count()
        return _confirm(
            request,
            title=_("Re-score round %(label)s?") % {"label": round.label},
            round=round,
            consequences=[
                ngettext(
                    "The stored scores of %(count)d submitted assessment will be computed "
                    "again from its answers; scores that differ change.",
                    "The stored scores of %(count)d submitted assessments will be computed "
                    "again from their answers; scores that differ change.",
                    submitted,
                )
                % {"count": submitted},
                _("The round's report is built again. The re-score is recorded with your name."),
            ],
            button=_("Re-score the round"),
            back=reverse("rounds:detail", args=[round.pk]),
        )
    try:
        scored = services.round_rescore(round=round, by=actor_of(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(count)d assessments re-scored.") % {"count": scored})
    return redirect("rounds:detail", pk=pk)


@require_http_methods(["GET", "POST"])
@admin_required
def round_remind(request: HttpRequest, pk: int) -> HttpResponse:
    """Remind now: who has not submitted, and a confirmation before anyone is emailed."""
    round = get_object_or_404(Round, pk=pk)
    if request.method == "POST":
        try:
            count = services.round_remind_now(round=round, by=actor_of(request))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                ngettext(
                    "Reminder sent to the members of %(count)d product.",
                    "Reminder sent to the members of %(count)d products.",
                    count,
                )
                % {"count": count},
            )
        return redirect("rounds:detail", pk=pk)
    pending = unfinished_with_members(round)
    people = {user.pk for row in pending for user in row.members}
    return _confirm(
        request,
        title=_("Remind round %(label)s now?") % {"label": round.label},
        round=round,
        consequences=[
            ngettext(
                "%(people)d person will be emailed, the members of the products below that "
                "have not submitted.",
                "%(people)d people will be emailed, the members of the products below that "
                "have not submitted.",
                len(people),
            )
            % {"people": len(people)}
        ]
        if pending
        else [_("Every targeted product has submitted: nobody to remind.")],
        button=_("Send the reminder now") if pending and people else "",
        back=reverse("rounds:detail", args=[round.pk]),
        extra={"pending": pending},
    )
