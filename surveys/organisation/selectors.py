"""Who may see what (DESIGN §7), in one place: every view scopes its querysets here."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from surveys.organisation.models import Department, Product
from surveys.organisation.roles import sees_everything


def token_of(user: Any) -> Any:
    """The API token behind a machine request, or None for a person."""
    return getattr(user, "token", None)


def ci_identity_of(user: Any) -> Any:
    """The CI ID token behind a pipeline's request (DESIGN §6.6), or None."""
    return getattr(user, "ci_identity", None)


def products_visible_to(user: Any) -> QuerySet[Product]:
    """Products whose assessments and history ``user`` may see."""
    if not user.is_authenticated:
        return Product.objects.none()
    token = token_of(user)
    if token is not None:
        return Product.objects.filter(pk=token.product_id)
    if sees_everything(user):
        return Product.objects.all()
    return Product.objects.filter(members=user)


def products_editable_by(user: Any) -> QuerySet[Product]:
    """Products whose open assessments ``user`` may edit and submit (members and admins)."""
    from surveys.organisation.roles import is_admin

    if not user.is_authenticated or token_of(user) is not None:
        return Product.objects.none()
    if is_admin(user):
        return Product.objects.all()
    return Product.objects.filter(members=user)


def product_editable_by(user: Any, product_id: int) -> bool:
    """Whether ``user`` may edit ``product_id``'s open assessments; remembered per request."""
    known = user.__dict__.setdefault("_mlopsscore_editable", {})
    if product_id not in known:
        known[product_id] = products_editable_by(user).filter(pk=product_id).exists()
    return bool(known[product_id])


def product_editable_remember(user: Any, product_id: int, editable: bool) -> None:
    """Keep what a query already decided (``assessment_seen_by``) for the request."""
    user.__dict__.setdefault("_mlopsscore_editable", {})[product_id] = editable


def department_descendant_ids(root_ids: set[int]) -> set[int]:
    """The departments and all their sub-departments (the tree is small: one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Department.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, stack = set(), list(root_ids)
    while stack:
        pk = stack.pop()
        if pk in found:
            continue
        found.add(pk)
        stack.extend(children.get(pk, []))
    return found


def department_ids_visible_to(user: Any) -> set[int] | None:
    """Departments whose aggregates ``user`` may read; None means all of them.

    Respondents see reports of their own departments (those of their products), with
    their sub-departments.
    """
    if not user.is_authenticated or token_of(user) is not None:
        return set()
    if sees_everything(user):
        return None
    own = set(
        Product.objects.filter(members=user).values_list("department_id", flat=True).distinct()
    )
    return department_descendant_ids(own)
