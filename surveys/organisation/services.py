"""Changing the organisation: departments, products, members, people and their roles.

Every change is recorded in the audit trail in the same transaction; invitation emails
are sent after the commit.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext

from surveys.audit.models import AuditCategory
from surveys.audit.services import audit_record, changes_of
from surveys.core.actors import Actor
from surveys.core.errors import ApplicationError
from surveys.core.tasks import enqueue
from surveys.organisation.models import Department, Language, Phase, Product, Profile
from surveys.organisation.roles import ADMIN_GROUP, MANAGER_GROUP
from surveys.organisation.selectors import department_descendant_ids

User = get_user_model()
ROLES = ("respondent", "manager", "admin")


def _record(by: Actor, action: str, subject: Any, **data: Any) -> None:
    audit_record(by=by, category=AuditCategory.ORGANISATION, action=action, subject=subject, **data)


def _refuse_a_sibling_of_the_same_name(department: Department) -> None:
    """Two departments of one name under one parent cannot be told apart in any list."""
    twin = Department.objects.filter(
        parent=department.parent, name__iexact=department.name, archived_at__isnull=True
    ).exclude(pk=department.pk)
    if twin.exists():
        where = department.parent.name if department.parent else gettext("the top level")
        raise ApplicationError(
            gettext("There is already a department %(name)s in %(where)s.")
            % {"name": department.name, "where": where}
        )


def _clean(obj: Any) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        ) from exc


# --- departments ------------------------------------------------------------------------


@transaction.atomic
def department_create(
    *, name: str, slug: str = "", parent: Department | None = None, by: Actor
) -> Department:
    name = (name or "").strip()
    department = Department(name=name, slug=slug.strip() or slugify(name)[:100], parent=parent)
    _refuse_a_sibling_of_the_same_name(department)
    if Department.objects.filter(slug=department.slug).exists():
        raise ApplicationError(
            gettext("A department with the slug %(slug)r exists already.")
            % {"slug": department.slug}
        )
    _clean(department)
    department.save()
    _record(by, "department.created", department, parent=parent.name if parent else None)
    return department


@transaction.atomic(durable=True)
def department_update(
    *, department: Department, name: str, parent: Department | None, by: Actor
) -> Department:
    """Rename or move a department; it never moves under itself or its own sub-department."""
    department = Department.objects.select_for_update().get(pk=department.pk)
    if parent is not None and parent.pk in department_descendant_ids({department.pk}):
        raise ApplicationError(
            gettext("%(department)s cannot move under %(parent)s: that is inside it.")
            % {"department": department.name, "parent": parent.name}
        )
    before = {"name": department.name, "parent": department.parent_id}
    department.name, department.parent = (name or "").strip(), parent
    _refuse_a_sibling_of_the_same_name(department)
    _clean(department)
    department.save()
    after = {"name": department.name, "parent": department.parent_id}
    _record(by, "department.changed", department, changes=changes_of(before, after))
    return department


@transaction.atomic(durable=True)
def department_archive(*, department: Department, by: Actor) -> Department:
    """Archive (or restore) a department; one with active products stays."""
    if department.archived_at is None:
        inside = department_descendant_ids({department.pk})
        active = Product.objects.filter(department_id__in=inside, archived_at__isnull=True)
        if active.exists():
            raise ApplicationError(
                gettext(
                    "%(name)s still has %(count)s product(s) that are not archived: "
                    "move or archive them first."
                )
                % {"name": department.name, "count": active.count()}
            )
    department.archived_at = None if department.archived_at else timezone.now()
    department.save(update_fields=["archived_at"])
    action = "department.archived" if department.archived_at else "department.restored"
    _record(by, action, department)
    return department


# --- products ---------------------------------------------------------------------------

PRODUCT_FIELDS = ("slug", "name", "department", "phase", "is_active")


def _product_state(product: Product) -> dict[str, Any]:
    return {
        "slug": product.slug,
        "name": product.name,
        "department": product.department.slug if product.department_id else None,
        "phase": product.phase,
        "is_active": product.is_active,
    }


@transaction.atomic
def product_create(
    *,
    slug: str,
    name: str,
    department: Department,
    phase: str = Phase.PRODUCTION,
    is_active: bool = True,
    by: Actor,
    source: str = "web",
) -> Product:
    if Product.objects.filter(slug=slug).exists():
        raise ApplicationError(
            gettext("A product with the slug %(slug)r exists already.") % {"slug": slug}
        )
    product = Product(slug=slug, name=name, department=department, phase=phase, is_active=is_active)
    _clean(product)
    product.save()
    _record(by, "product.created", product, source=source, state=_product_state(product))
    return product


@transaction.atomic
def product_update(*, product: Product, by: Actor, source: str = "web", **fields: Any) -> Product:
    product = Product.objects.select_for_update().get(pk=product.pk)
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise ApplicationError(
            gettext("Unknown product fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    if "slug" in fields and Product.objects.filter(slug=fields["slug"]).exclude(pk=product.pk):
        raise ApplicationError(
            gettext("A product with the slug %(slug)r exists already.") % {"slug": fields["slug"]}
        )
    before = _product_state(product)
    for name, value in fields.items():
        setattr(product, name, value)
    _clean(product)
    product.save()
    changes = changes_of(before, _product_state(product))
    if changes:
        _record(by, "product.changed", product, source=source, changes=changes)
    return product


@transaction.atomic(durable=True)
def product_archive(*, product: Product, by: Actor) -> Product:
    """Archive (inactive, kept with its history) or restore a product."""
    if product.archived_at is None:
        product.archived_at, product.is_active = timezone.now(), False
    else:
        product.archived_at, product.is_active = None, True
    product.save(update_fields=["archived_at", "is_active"])
    action = "product.archived" if product.archived_at else "product.restored"
    _record(by, action, product)
    return product


@transaction.atomic(durable=True)
def product_delete(*, product: Product, by: Actor) -> None:
    """Only a product nobody ever answered for is deleted; the others are archived."""
    if product.assessments.exists():
        raise ApplicationError(
            gettext("%(name)s has assessments: archive it instead, its history is kept.")
            % {"name": product.name}
        )
    _record(by, "product.deleted", product, state=_product_state(product))
    product.delete()


# --- members and people -----------------------------------------------------------------


@transaction.atomic
def member_add(*, product: Product, user: Any, by: Actor, source: str = "web") -> bool:
    if product.members.filter(pk=user.pk).exists():
        return False
    product.members.add(user)
    _record(by, "member.added", product, source=source, user=user.username)
    return True


@transaction.atomic(durable=True)
def member_remove(*, product: Product, user: Any, by: Actor) -> None:
    product.members.remove(user)
    _record(by, "member.removed", product, user=user.username)


@transaction.atomic
def user_invite(*, email: str, by: Actor, source: str = "web") -> tuple[Any, bool]:
    """The person with this email address, created and sent a set-password link if new."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ApplicationError(
            gettext("%(email)r is not an email address.") % {"email": email}
        ) from exc
    existing = User.objects.filter(email__iexact=email).order_by("pk").first()
    if existing is not None:
        return existing, False
    username = (
        email
        if not User.objects.filter(username=email).exists()
        else f"{email}.{User.objects.count()}"
    )
    user = User(username=username[:150], email=email)
    user.set_unusable_password()
    user.save()
    Profile.objects.get_or_create(user=user)
    audit_record(
        by=by, category=AuditCategory.ORGANISATION, action="person.invited", subject=user,
        target=email, source=source,
    )  # fmt: skip
    enqueue("surveys.invitation_send", user.pk)
    return user, True


def set_password_path(user: Any) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/accounts/reset/{uid}/{default_token_generator.make_token(user)}/"


@transaction.atomic(durable=True)
def member_invite(*, product: Product, email: str, by: Actor) -> tuple[Any, bool]:
    user, created = user_invite(email=email, by=by)
    member_add(product=product, user=user, by=by)
    return user, created


def role_of(user: Any) -> str:
    names = set(user.groups.values_list("name", flat=True))
    if ADMIN_GROUP in names:
        return "admin"
    return "manager" if MANAGER_GROUP in names else "respondent"


@transaction.atomic(durable=True)
def person_update(*, user: Any, role: str, language: str, time_zone: str, by: Actor) -> Any:
    if role not in ROLES:
        raise ApplicationError(
            gettext("Role %(role)r must be one of %(choices)s.")
            % {"role": role, "choices": ", ".join(ROLES)}
        )
    if language not in Language.values:
        raise ApplicationError(
            gettext("Language %(language)r must be one of %(choices)s.")
            % {"language": language, "choices": ", ".join(Language.values)}
        )
    if time_zone and time_zone not in zoneinfo.available_timezones():
        raise ApplicationError(
            gettext("%(time_zone)r is not a time zone (for example Asia/Tokyo).")
            % {"time_zone": time_zone}
        )
    if user.pk == getattr(by, "pk", None) and role != "admin" and role_of(user) == "admin":
        raise ApplicationError(gettext("You cannot take away your own MLOps admin role."))
    profile, _ = Profile.objects.get_or_create(user=user)
    before = {"role": role_of(user), "language": profile.language, "time_zone": profile.time_zone}
    admins, managers = (
        Group.objects.get_or_create(name=n)[0] for n in (ADMIN_GROUP, MANAGER_GROUP)
    )
    user.groups.remove(admins, managers)
    if role == "admin":
        user.groups.add(admins)
    elif role == "manager":
        user.groups.add(managers)
    user.__dict__.pop("_mlopsscore_groups", None)
    profile.language, profile.time_zone = language, time_zone
    profile.save()
    after = {"role": role, "language": language, "time_zone": time_zone}
    audit_record(
        by=by, category=AuditCategory.ORGANISATION, action="person.changed", subject=user,
        target=user.username, changes=changes_of(before, after),
    )  # fmt: skip
    return user
