"""Evidence from CI pipelines: ``POST /api/v1/evidence/`` and a product's evidence list."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from surveys.core.api.fields import AwareDateTimeField, Text
from surveys.core.api.pagination import Pagination
from surveys.core.api.params import text_param
from surveys.core.errors import ApplicationError
from surveys.core.validators import web_url
from surveys.evidence.models import Evidence, Outcome
from surveys.evidence.selectors import evidence_of_product
from surveys.evidence.services import MAX_BATCH, EvidenceIn, evidence_unknown_items, evidence_upsert
from surveys.organisation.access import ApiAccess, EvidenceWriter
from surveys.organisation.models import Product
from surveys.organisation.selectors import products_visible_to, token_of
from surveys.trust.authentication import ci_principal_of
from surveys.trust.scoping import refuse_unadmitted_products

# A CI runner's clock may run a little ahead of ours.
CLOCK_SKEW = timedelta(minutes=5)
MAX_SUMMARY = 10_000


class EvidenceInSerializer(serializers.Serializer):
    product = serializers.SlugField(max_length=100, help_text="The product's slug.")
    item = Text(max_length=100, help_text="An item key, e.g. `data.schema`.")
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    observed_at = AwareDateTimeField(help_text="When the check ran: ISO 8601 with a timezone.")
    url = Text(
        max_length=500,
        required=False,
        allow_blank=True,
        validators=[web_url],
        help_text="A link to the run.",
    )
    run_id = Text(max_length=200, help_text="The CI run; re-posting the same run replaces.")
    summary = Text(max_length=MAX_SUMMARY, required=False, allow_blank=True)

    def validate_observed_at(self, value: datetime) -> datetime:
        if value > timezone.now() + CLOCK_SKEW:
            raise serializers.ValidationError("observed_at lies in the future.")
        return value


class EvidencePostedSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="Records in the request.")
    created = serializers.IntegerField(help_text="Records stored for the first time.")
    replaced = serializers.IntegerField(help_text="Records that replaced one of the same run.")


class EvidenceOriginSerializer(serializers.Serializer):
    issuer = serializers.CharField()
    subject = serializers.CharField()
    claims = serializers.DictField(
        child=serializers.CharField(), help_text="Claims the policy matched."
    )


class EvidenceOutSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="product.slug")
    item = serializers.CharField(source="item_key")
    origin = EvidenceOriginSerializer(
        allow_null=True, read_only=True, help_text="The CI ID token that posted it (DESIGN §6.6)."
    )

    class Meta:
        model = Evidence
        fields = [
            "product",
            "item",
            "outcome",
            "observed_at",
            "url",
            "run_id",
            "summary",
            "received_at",
            "origin",
        ]


def _records_of(data: Any) -> tuple[list[Any], bool]:
    """The records of a body that is one object or a list of them; and whether it was a list."""
    if isinstance(data, dict):
        return [data], False
    if isinstance(data, list):
        if not data:
            raise ApplicationError(gettext("Send at least one evidence record."))
        if len(data) > MAX_BATCH:
            raise ApplicationError(
                gettext("A batch holds at most %(max)s records; this one has %(count)s.")
                % {"max": f"{MAX_BATCH:,}", "count": f"{len(data):,}"}
            )
        return data, True
    raise ApplicationError(gettext("Send one evidence object, or a list of them (a batch)."))


def _refused(problems: dict[int, Any], *, total: int, many: bool) -> ApplicationError:
    if not many:
        return ApplicationError(
            gettext("The record is invalid; nothing was stored."), details=problems[0]
        )
    return ApplicationError(
        gettext("%(count)s of %(total)s records are invalid; nothing was stored.")
        % {"count": len(problems), "total": total},
        details={str(i): p for i, p in sorted(problems.items())},
    )


def _refuse_other_products(records: list[Any], token: Any) -> None:
    slugs = {
        r["product"] for r in records if isinstance(r, dict) and isinstance(r.get("product"), str)
    }
    others = sorted(slugs - {token.product.slug})
    if others:
        raise PermissionDenied(
            f"This token belongs to product {token.product.slug!r}; it cannot post evidence "
            f"for {', '.join(repr(s) for s in others[:5])}."
        )


class EvidencePostApi(APIView):
    permission_classes = [ApiAccess, EvidenceWriter]
    token_scope = "write"
    # A CI ID token (DESIGN §6.6) may call this endpoint and no other.
    accepts_ci_identity = True

    @extend_schema(
        operation_id="evidence_post",
        summary="Post evidence (one record or a batch of up to 1,000)",
        # One object or a list of them: see schema.schema_evidence_batch.
        request=EvidenceInSerializer,
        responses={201: EvidencePostedSerializer},
        tags=["evidence"],
    )
    def post(self, request: Request) -> Response:
        records, many = _records_of(request.data)
        token = token_of(request.user)
        if token is not None:
            _refuse_other_products(records, token)
        principal = ci_principal_of(request.user)
        if principal is not None:
            refuse_unadmitted_products(records, principal)
        valid, problems = self._validate(records)
        if not problems:
            try:
                counts = evidence_upsert(
                    records=valid,
                    token=token,
                    origin=principal.ci_identity if principal is not None else None,
                )
            except ApplicationError as exc:
                # Unknown items, found by the service: with no field errors, the service's
                # indexes are the request's.
                if not isinstance(exc.details, dict):
                    raise
                problems = exc.details
        if problems:
            raise _refused(problems, total=len(records), many=many)
        return Response(EvidencePostedSerializer(counts).data, status=status.HTTP_201_CREATED)

    def _validate(self, records: list[Any]) -> tuple[list[EvidenceIn], dict[int, dict[str, Any]]]:
        child = EvidenceInSerializer()
        cleaned: list[dict[str, Any] | None] = []
        problems: dict[int, dict[str, Any]] = {}
        for index, record in enumerate(records):
            try:
                cleaned.append(child.run_validation(record))
            except ValidationError as exc:
                cleaned.append(None)
                detail = exc.detail
                problems[index] = detail if isinstance(detail, dict) else {"record": detail}
        products = self._products(c["product"] for c in cleaned if c)
        for index, c in enumerate(cleaned):
            if c and c["product"] not in products:
                problems.setdefault(index, {})["product"] = [f"Unknown product {c['product']!r}."]
        if problems:
            # Unknown items beside the other problems: every problem at once. (Without any,
            # the service checks the items, so the fast path asks the database only once.)
            items = [c["item"] if c else None for c in cleaned]
            for index, found in evidence_unknown_items(items).items():
                problems.setdefault(index, {}).update(found)
        if problems:
            return [], problems
        return [
            EvidenceIn(
                product_id=products[c["product"]].pk,
                item_key=c["item"],
                outcome=c["outcome"],
                observed_at=c["observed_at"],
                run_id=c["run_id"],
                url=c.get("url", ""),
                summary=c.get("summary", ""),
            )
            for c in cleaned
            if c
        ], {}

    def _products(self, slugs: Any) -> dict[str, Product]:
        token = token_of(self.request.user)
        if token is not None:
            return {token.product.slug: token.product}
        products = Product.objects.filter(slug__in=set(slugs))
        principal = ci_principal_of(self.request.user)
        if principal is not None:
            products = products.filter(pk__in=principal.ci_product_ids)
        return {p.slug: p for p in products}


def _since(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        moment = parse_datetime(raw)
        day = None if moment else parse_date(raw)
    except ValueError:
        moment = day = None
    if day is not None:
        moment = datetime.combine(day, time.min)
    if moment is None:
        raise ValidationError({"since": ["Give a date or an ISO 8601 time, e.g. 2026-11-01."]})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@extend_schema(
    summary="A product's evidence, newest first",
    parameters=[
        OpenApiParameter("item", OpenApiTypes.STR, description="Only this item key."),
        OpenApiParameter(
            "since", OpenApiTypes.STR, description="Observed at or after (date or ISO 8601)."
        ),
    ],
    responses={200: EvidenceOutSerializer(many=True)},
    tags=["evidence"],
)
class ProductEvidenceListApi(ListAPIView):
    permission_classes = [ApiAccess]
    token_scope = "read"
    serializer_class = EvidenceOutSerializer
    pagination_class = Pagination

    def get_queryset(self) -> Any:
        product = get_object_or_404(
            products_visible_to(self.request.user), slug=self.kwargs["slug"]
        )
        return evidence_of_product(
            product=product,
            item=text_param(self.request, "item"),
            since=_since(text_param(self.request, "since")),
        )
