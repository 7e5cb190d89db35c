"""Read endpoints of initiatives (DESIGN §5): all of them for admins and managers, those
concerning one's products for respondents; machine tokens none (they belong to people)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView

from scoring.figures import figure
from surveys.core.api.pagination import Pagination
from surveys.initiatives.models import Initiative
from surveys.initiatives.selectors import initiative_progress, initiatives_visible_to
from surveys.organisation.access import ApiAccess
from surveys.organisation.roles import sees_everything
from surveys.organisation.selectors import products_visible_to

_PROGRESS_SCHEMA = {
    "type": "object",
    "properties": {
        "in_scope": {"type": "integer", "nullable": True},
        "meeting": {"type": "integer", "nullable": True},
        "products": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "product": {"type": "string"},
                    "meets": {"type": "boolean"},
                    "score": {"type": "number", "nullable": True},
                },
            },
        },
        "burn_up": {
            "type": "array",
            "nullable": True,
            "items": {"type": "array", "items": {}},
            "description": "[day, products meeting the target] per day.",
        },
    },
}


class InitiativeSerializer(serializers.ModelSerializer):
    questionnaire = serializers.CharField(source="questionnaire.key")
    owner = serializers.CharField(source="owner.username", default=None)
    target = serializers.SerializerMethodField()
    scope = serializers.SerializerMethodField()
    frozen = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Initiative
        fields = [
            "id",
            "title",
            "questionnaire",
            "target",
            "scope",
            "starts_on",
            "deadline",
            "owner",
            "reminder_days",
            "frozen",
            "progress",
        ]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "kind": {"type": "string", "enum": ["final", "area", "item"]},
                "key": {"type": "string"},
                "threshold": {"type": "number"},
                "verified": {"type": "boolean"},
            },
        }
    )
    def get_target(self, obj: Initiative) -> dict[str, Any]:
        return {
            "kind": obj.target_kind,
            "key": obj.target_key,
            "threshold": obj.threshold,
            "verified": obj.verified,
        }

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "departments": {"type": "array", "items": {"type": "string"}},
                "phases": {"type": "array", "items": {"type": "string"}},
                "products": {"type": "array", "items": {"type": "string"}},
            },
        }
    )
    def get_scope(self, obj: Initiative) -> dict[str, list[str]]:
        return {
            "departments": sorted(d.slug for d in obj.departments.all()),
            "phases": list(obj.phases),
            "products": sorted(p.slug for p in obj.products.all()),
        }

    @extend_schema_field({"type": "boolean"})
    def get_frozen(self, obj: Initiative) -> bool:
        return obj.frozen_at is not None

    @extend_schema_field(_PROGRESS_SCHEMA)
    def get_progress(self, obj: Initiative) -> dict[str, Any]:
        """Everything for admins and managers; a respondent sees their own products only."""
        user = self.context["request"].user
        everything = sees_everything(user)
        own = set(products_visible_to(user).values_list("pk", flat=True))
        progress = initiative_progress(obj)
        products = [
            {
                "product": row.product.slug,
                "meets": row.standing.meets,
                "score": figure(row.standing.score),
            }
            for row in progress.rows
            if everything or row.product.pk in own
        ]
        return {
            "in_scope": progress.scope_size if everything else None,
            "meeting": len(progress.meeting) if everything else None,
            "products": products,
            "burn_up": [
                [day.isoformat(), count]
                for day, count in zip(progress.days, progress.counts, strict=True)
            ]
            if everything
            else None,
        }


@extend_schema(summary="Initiatives visible to the caller", tags=["initiatives"])
class InitiativeListApi(ListAPIView):
    permission_classes = [ApiAccess]
    serializer_class = InitiativeSerializer
    pagination_class = Pagination

    def get_queryset(self) -> Any:
        return initiatives_visible_to(self.request.user).prefetch_related("departments", "products")


@extend_schema(summary="One initiative with its progress", tags=["initiatives"])
class InitiativeDetailApi(RetrieveAPIView):
    permission_classes = [ApiAccess]
    serializer_class = InitiativeSerializer
    lookup_field = "id"

    def get_queryset(self) -> Any:
        return initiatives_visible_to(self.request.user).prefetch_related("departments", "products")
