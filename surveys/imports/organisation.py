"""Products and members from a CSV or XLSX file: a plan (the dry run), then all or nothing.

Columns (header row, any case, any order): ``product`` (slug, required), ``name``,
``department`` (slug; created when missing, named by ``department_name`` or the slug),
``phase`` (poc, validation, production), ``active`` (yes/no), ``members`` (usernames or
email addresses separated by ``;``, ``,`` or spaces; unknown addresses are invited).
Members listed are added; nobody is removed by a file.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.utils.translation import gettext

from surveys.core.actors import Actor
from surveys.core.errors import ApplicationError
from surveys.imports.reading import cell_text, numbered_rows
from surveys.organisation import services
from surveys.organisation.models import Department, Phase, Product

COLUMNS = ("product", "name", "department", "department_name", "phase", "active", "members")
TRUE, FALSE = {"yes", "true", "1", "y", "はい"}, {"no", "false", "0", "n", "いいえ"}


@dataclass
class Change:
    row: int
    text: str


@dataclass
class _Row:
    number: int
    slug: str
    fields: dict[str, Any]
    department: tuple[str, str] | None  # (slug, name) to create
    members: list[str]


@dataclass
class Plan:
    rows: list[_Row] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for change in self.changes:
            kind = change.text.split(":")[0]
            out[kind] = out.get(kind, 0) + 1
        return out


def _header(cells: Any) -> dict[str, int]:
    names = [cell_text(c).strip().lower() for c in cells]
    return {name: names.index(name) for name in COLUMNS if name in names}


def bulk_plan(content: bytes) -> Plan:
    """What the file would change, or every problem by row number. Writes nothing."""
    plan = Plan()
    rows = numbered_rows(io.BytesIO(content))
    try:
        _, header_cells = next(rows)
    except StopIteration:
        raise ApplicationError(gettext("The file is empty.")) from None
    columns = _header(header_cells)
    if "product" not in columns:
        raise ApplicationError(gettext("The header row has no 'product' column."))
    products = {p.slug: p for p in Product.objects.select_related("department")}
    departments = {d.slug: d for d in Department.objects.all()}
    users = get_user_model().objects
    new_departments: set[str] = set()
    seen: dict[str, int] = {}
    for number, cells in rows:
        value = {k: cell_text(cells[i]) if i < len(cells) else "" for k, i in columns.items()}
        if not any(value.values()):
            continue
        _plan_row(plan, number, value, products, departments, new_departments, seen, users)
    return plan


def _plan_row(
    plan: Plan,
    number: int,
    value: dict[str, str],
    products: dict[str, Product],
    departments: dict[str, Department],
    new_departments: set[str],
    seen: dict[str, int],
    users: Any,
) -> None:
    where = f"row {number}"
    problems: list[str] = []
    slug = value.get("product", "")
    try:
        validate_slug(slug)
    except ValidationError:
        problems.append(f"{where}: product {slug!r} must be a slug (letters, digits, '-', '_')")
    if slug in seen:
        problems.append(f"{where}: product {slug!r} is also on row {seen[slug]}")
    seen.setdefault(slug, number)
    existing = products.get(slug)
    fields: dict[str, Any] = {}
    department = None
    if value.get("name"):
        fields["name"] = value["name"]
    if dept := value.get("department"):
        if dept in departments:
            fields["department"] = departments[dept]
        else:
            try:
                validate_slug(dept)
                department = (dept, value.get("department_name") or dept)
            except ValidationError:
                problems.append(f"{where}: department {dept!r} must be a slug")
    if phase := value.get("phase", "").lower():
        if phase not in Phase.values:
            problems.append(f"{where}: phase {phase!r} must be one of {', '.join(Phase.values)}")
        fields["phase"] = phase
    if active := value.get("active", "").lower():
        if active not in TRUE | FALSE:
            problems.append(f"{where}: active {active!r} must be yes or no")
        fields["is_active"] = active in TRUE
    if existing is None and not fields.get("name"):
        problems.append(f"{where}: a new product needs a name")
    if existing is None and "department" not in fields and department is None:
        problems.append(f"{where}: a new product needs a department")
    members = [m for m in re.split(r"[;,\s]+", value.get("members", "")) if m]
    for member in members:
        if "@" in member:
            try:
                validate_email(member)
            except ValidationError:
                problems.append(f"{where}: {member!r} is not an email address")
        elif not users.filter(username=member).exists():
            problems.append(f"{where}: nobody has the username {member!r}")
    if problems:
        plan.problems.extend(problems)
        return
    plan.rows.append(_Row(number, slug, fields, department, members))
    if department is not None and department[0] not in new_departments:
        new_departments.add(department[0])
        plan.changes.append(Change(number, f"create department: {department[1]} ({department[0]})"))
    if existing is None:
        plan.changes.append(Change(number, f"create product: {fields['name']} ({slug})"))
    else:
        diff = _product_diff(existing, fields, department)
        if diff:
            plan.changes.append(Change(number, f"update product: {slug}: {diff}"))
    current = set(existing.members.values_list("username", "email")) if existing else set()
    known = {name for pair in current for name in pair}
    for member in members:
        if member in known or member.lower() in known:
            continue
        found = users.filter(email__iexact=member).exists() if "@" in member else True
        verb = "add member" if found else "invite and add member"
        plan.changes.append(Change(number, f"{verb}: {member} → {slug}"))


def _product_diff(product: Product, fields: dict[str, Any], department: Any) -> str:
    parts = []
    for name, new in fields.items():
        old = getattr(product, name)
        if old != new:
            parts.append(f"{name} {_show(old)} → {_show(new)}")
    if department is not None:
        parts.append(f"department {product.department.slug} → {department[0]}")
    return ", ".join(parts)


def _show(value: Any) -> str:
    return getattr(value, "slug", None) or str(value)


@transaction.atomic
def bulk_apply(*, content: bytes, by: Actor) -> Plan:
    """Apply the file, all or nothing; the same plan as the dry run, or its problems."""
    plan = bulk_plan(content)
    if plan.problems:
        raise ApplicationError(
            gettext("The file has %(count)s problem(s); nothing was changed.")
            % {"count": len(plan.problems)},
            details=plan.problems,
        )
    created: dict[str, Department] = {}
    for row in plan.rows:
        fields = dict(row.fields)
        if row.department is not None:
            slug, name = row.department
            if slug not in created:
                created[slug] = services.department_create(name=name, slug=slug, by=by)
            fields["department"] = created[slug]
        product = Product.objects.filter(slug=row.slug).first()
        if product is None:
            product = services.product_create(slug=row.slug, by=by, source="import", **fields)
        elif fields:
            product = services.product_update(product=product, by=by, source="import", **fields)
        for member in row.members:
            if "@" in member:
                user, _ = services.user_invite(email=member, by=by, source="import")
            else:
                user = get_user_model().objects.get(username=member)
            services.member_add(product=product, user=user, by=by, source="import")
    return plan
