"""Organisation pages for MLOps admins: departments, products, members, people."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from surveys.confirmations.views import confirm_page, confirmed
from surveys.core.actors import actor_of
from surveys.core.errors import ApplicationError
from surveys.organisation import services
from surveys.organisation.access import admin_required
from surveys.organisation.forms import (
    DepartmentForm,
    InviteForm,
    MemberForm,
    PersonForm,
    ProductForm,
)
from surveys.organisation.models import Department, Product, Profile
from surveys.organisation.selectors import department_descendant_ids

User = get_user_model()
PAGE_SIZE = 50


def department_tree() -> list[dict[str, Any]]:
    """Departments depth-first, each with its products counted with its sub-departments'."""
    departments = list(
        Department.objects.annotate(
            direct=Count("products", filter=Q(products__archived_at__isnull=True))
        ).order_by("name")
    )
    children: dict[int | None, list[Department]] = {}
    for d in departments:
        children.setdefault(d.parent_id, []).append(d)
    rows: list[dict[str, Any]] = []

    def walk(parent: int | None, depth: int) -> int:
        total = 0
        for d in children.get(parent, []):
            row = {"department": d, "depth": depth, "direct": d.direct}  # type: ignore[attr-defined]
            rows.append(row)
            row["total"] = d.direct + walk(d.pk, depth + 1)  # type: ignore[attr-defined]
            total += row["total"]
        return total

    walk(None, 0)
    return rows


@admin_required
@require_http_methods(["GET", "POST"])
def departments(request: HttpRequest) -> HttpResponse:
    form = DepartmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            d = services.department_create(
                name=form.cleaned_data["name"],
                parent=form.cleaned_data["parent"],
                by=actor_of(request),
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Department %(name)s created.") % {"name": d.name})
            return redirect("organisation:departments")
    return render(
        request,
        "organisation/departments.html",
        {
            "rows": department_tree(),
            "form": form,
            "parents": Department.objects.filter(archived_at__isnull=True),
        },
    )


def _confirm_department_archive(request: HttpRequest, department: Department) -> HttpResponse:
    inside = department_descendant_ids({department.pk})
    products = Product.objects.filter(department_id__in=inside).count()
    return confirm_page(
        request,
        title=_("Archive %(name)s?") % {"name": department.name},
        consequences=[
            _("%(name)s and its %(count)s sub-department(s) leave the lists of departments.")
            % {"name": department.name, "count": len(inside) - 1},
            _("Its %(count)s archived product(s) keep their answers and scores.")
            % {"count": products},
            _("You can restore it later."),
        ],
        button=_("Archive"),
        back=reverse("organisation:departments"),
    )


@admin_required
@require_POST
def department_edit(request: HttpRequest, pk: int) -> HttpResponse:
    department = get_object_or_404(Department, pk=pk)
    archiving = request.POST.get("action") == "archive"
    if archiving and department.archived_at is None and not confirmed(request):
        return _confirm_department_archive(request, department)
    try:
        if archiving:
            services.department_archive(department=department, by=actor_of(request))
            done = (
                _("%(name)s is archived.") if department.archived_at else _("%(name)s is restored.")
            )
            messages.success(request, done % {"name": department.name})
        else:
            form = DepartmentForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(
                    " ".join(str(e) for errors in form.errors.values() for e in errors)
                )
            services.department_update(
                department=department,
                name=form.cleaned_data["name"],
                parent=form.cleaned_data["parent"],
                by=actor_of(request),
            )
            messages.success(request, _("Saved."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("organisation:departments")


@admin_required
@require_http_methods(["GET", "POST"])
def products(request: HttpRequest) -> HttpResponse:
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(**form.cleaned_data, by=actor_of(request))
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Product %(name)s created.") % {"name": product.name})
            return redirect("organisation:product", slug=product.slug)
    rows = Product.objects.select_related("department").annotate(n_members=Count("members"))
    query = request.GET.get("q", "").strip()
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(slug__icontains=query))
    if request.GET.get("archived") != "1":
        rows = rows.filter(archived_at__isnull=True)
    page = Paginator(rows.order_by("name"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "organisation/products.html",
        {"page": page, "form": form, "q": query, "archived": request.GET.get("archived") == "1"},
    )


@admin_required
@require_http_methods(["GET", "POST"])
def product(request: HttpRequest, slug: str) -> HttpResponse:
    product = get_object_or_404(Product.objects.select_related("department"), slug=slug)
    initial = {
        "slug": product.slug,
        "name": product.name,
        "department": product.department,
        "phase": product.phase,
        "is_active": product.is_active,
    }
    form = ProductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_update(
                product=product, by=actor_of(request), **form.cleaned_data
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("organisation:product", slug=product.slug)
    return render(
        request,
        "organisation/product.html",
        {
            "product": product,
            "form": form,
            "members": product.members.order_by("username"),
            "member_form": MemberForm(),
            "has_assessments": product.assessments.exists(),
        },
    )


def _confirm_product(request: HttpRequest, product: Product, action: str) -> HttpResponse:
    back = reverse("organisation:product", args=[product.slug])
    if action == "delete":
        return confirm_page(
            request,
            title=_("Delete %(name)s?") % {"name": product.name},
            consequences=[_("The product and its list of members are deleted for good.")],
            button=_("Delete"),
            back=back,
        )
    return confirm_page(
        request,
        title=_("Archive %(name)s?") % {"name": product.name},
        consequences=[
            _("It is left out of new rounds and of the lists of products."),
            _("Its answers and scores of past rounds are kept."),
            _("You can restore it later."),
        ],
        button=_("Archive"),
        back=back,
    )


@admin_required
@require_POST
def product_action(request: HttpRequest, slug: str) -> HttpResponse:
    product = get_object_or_404(Product, slug=slug)
    action = request.POST.get("action")
    asks = action == "delete" or (action == "archive" and product.archived_at is None)
    if asks and not confirmed(request):
        return _confirm_product(request, product, action or "")
    try:
        if action == "archive":
            services.product_archive(product=product, by=actor_of(request))
            done = _("%(name)s is archived.") if product.archived_at else _("%(name)s is restored.")
            messages.success(request, done % {"name": product.name})
        elif action == "delete":
            services.product_delete(product=product, by=actor_of(request))
            messages.success(request, _("Product %(name)s deleted.") % {"name": product.name})
            return redirect("organisation:products")
        elif action == "remove-member":
            user = get_object_or_404(User, pk=request.POST.get("user"))
            services.member_remove(product=product, user=user, by=actor_of(request))
        elif action == "add-member":
            _add_member(request, product)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("organisation:product", slug=product.slug)


def _add_member(request: HttpRequest, product: Product) -> None:
    form = MemberForm(request.POST)
    if not form.is_valid():
        raise ApplicationError(_("Give a username or an email address."))
    person = form.cleaned_data["person"].strip()
    user = User.objects.filter(Q(username=person) | Q(email__iexact=person)).order_by("pk").first()
    if user is None and "@" not in person:
        raise ApplicationError(_("Nobody has the username %(name)s.") % {"name": person})
    if user is None:
        user, _created = services.member_invite(product=product, email=person, by=actor_of(request))
        messages.success(request, _("%(email)s was invited by email.") % {"email": user.email})
    elif services.member_add(product=product, user=user, by=actor_of(request)):
        messages.success(request, _("%(name)s is now a member.") % {"name": user.username})


@admin_required
@require_http_methods(["GET", "POST"])
def people(request: HttpRequest) -> HttpResponse:
    invite = InviteForm(request.POST or None)
    if request.method == "POST" and invite.is_valid():
        try:
            user, created = services.user_invite(
                email=invite.cleaned_data["email"], by=actor_of(request)
            )
            profile = Profile.objects.filter(user=user).first()
            services.person_update(
                user=user,
                role=invite.cleaned_data["role"],
                language=profile.language if profile else "en",
                time_zone=profile.time_zone if profile else "",
                by=actor_of(request),
            )
        except ApplicationError as exc:
            invite.add_error(None, exc.message)
        else:
            text = (
                _("%(email)s was invited by email.")
                if created
                else _("%(email)s has an account already; role saved.")
            )
            messages.success(request, text % {"email": user.email})
            return redirect("organisation:people")
    rows = User.objects.select_related("profile").prefetch_related("groups", "products")
    query = request.GET.get("q", "").strip()
    if query:
        rows = rows.filter(
            Q(username__icontains=query) | Q(email__icontains=query) | Q(last_name__icontains=query)
        )
    page = Paginator(rows.order_by("username"), PAGE_SIZE).get_page(request.GET.get("page"))
    people_rows = []
    for user in page:
        profile = getattr(user, "profile", None)
        initial = {
            "role": services.role_of(user),
            "language": profile.language if profile else "en",
            "time_zone": profile.time_zone if profile else "",
        }
        people_rows.append(
            {"user": user, "form": PersonForm(initial=initial, prefix=f"p{user.pk}")}
        )
    return render(
        request,
        "organisation/people.html",
        {"page": page, "rows": people_rows, "invite": invite, "q": query},
    )


@admin_required
@require_POST
def person(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    form = PersonForm(request.POST, prefix=f"p{user.pk}")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{user.username}: {error}")
        return redirect("organisation:people")
    try:
        services.person_update(user=user, **form.cleaned_data, by=actor_of(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s saved.") % {"name": user.username})
    return redirect("organisation:people")
