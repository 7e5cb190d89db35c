"""Read endpoints: products, rounds, and a product's assessments with their stored scores."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView

from scoring.figures import figure
from surveys.api.pagination import Pagination
from surveys.api.params import text_param
from surveys.api.permissions import ApiAccess
from surveys.models import AreaScore, Assessment, Product, Round, RoundStatus
from surveys.organisation.roles import sees_everything
from surveys.organisation.selectors import products_visible_to


class ScoreField(serializers.FloatField):
    def to_representation(self, value: Any) -> Any:
        return figure(value)


class ProductSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.slug")

    class Meta:
        model = Product
        fields = ["slug", "name", "department", "phase", "is_active"]


class RoundSerializer(serializers.ModelSerializer):
    questionnaire = serializers.CharField(source="questionnaire.key")
    version = serializers.CharField(source="version.label")
    evidence_window = serializers.SerializerMethodField()

    class Meta:
        model = Round
        fields = [
            "id",
            "label",
            "questionnaire",
            "version",
            "status",
            "opens_on",
            "closes_on",
            "evidence_window",
        ]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "start": {"type": "string", "format": "date-time"},
                "end": {"type": "string", "format": "date-time"},
            },
        }
    )
    def get_evidence_window(self, obj: Round) -> dict[str, str]:
        start, end = obj.evidence_window
        return {"start": start.isoformat(), "end": end.isoformat()}


class AreaScoreSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area_key")
    score = ScoreField(allow_null=True, help_text="Claimed area score.")
    verified_score = ScoreField(allow_null=True)
    raw = ScoreField()

    class Meta:
        model = AreaScore
        fields = ["area", "n", "applicable", "raw", "score", "verified_score"]


class AssessmentSerializer(serializers.ModelSerializer):
    round = serializers.CharField(source="round.label")
    questionnaire = serializers.CharField(source="round.questionnaire.key")
    version = serializers.CharField(source="round.version.label")
    final_score = ScoreField(allow_null=True, help_text="Claimed final score (stored).")
    verified_score = ScoreField(
        allow_null=True, help_text="Final score counting only evidence-backed automation."
    )
    gap = serializers.SerializerMethodField(help_text="Claimed minus verified.")
    areas = AreaScoreSerializer(source="area_scores", many=True)

    class Meta:
        model = Assessment
        fields = [
            "round",
            "questionnaire",
            "version",
            "status",
            "submitted_at",
            "is_complete",
            "scored_at",
            "final_score",
            "verified_score",
            "gap",
            "band",
            "areas",
        ]

    @extend_schema_field({"type": "number", "format": "double", "nullable": True})
    def get_gap(self, obj: Assessment) -> float | None:
        if obj.final_score is None or obj.verified_score is None:
            return None
        return figure(obj.final_score - obj.verified_score)


def _visible_product(request: Any, slug: str) -> Product:
    return get_object_or_404(products_visible_to(request.user), slug=slug)


@extend_schema(summary="Products visible to the caller", tags=["products"])
class ProductListApi(ListAPIView):
    permission_classes = [ApiAccess]
    token_scope = "read"
    serializer_class = ProductSerializer
    pagination_class = Pagination

    def get_queryset(self) -> Any:
        return products_visible_to(self.request.user).select_related("department").order_by("slug")


@extend_schema(summary="One product", tags=["products"])
class ProductDetailApi(RetrieveAPIView):
    permission_classes = [ApiAccess]
    token_scope = "read"
    serializer_class = ProductSerializer
    lookup_field = "slug"

    def get_queryset(self) -> Any:
        return products_visible_to(self.request.user).select_related("department")


@extend_schema(
    summary="A product's assessments with claimed and verified scores",
    tags=["products"],
)
class ProductAssessmentListApi(ListAPIView):
    """People only: a CI token sees no assessments (DESIGN §7)."""

    permission_classes = [ApiAccess]
    serializer_class = AssessmentSerializer
    pagination_class = Pagination

    def get_queryset(self) -> Any:
        product = _visible_product(self.request, self.kwargs["slug"])
        return (
            Assessment.objects.filter(product=product)
            .select_related("round__questionnaire", "round__version__questionnaire")
            .prefetch_related(Prefetch("area_scores", AreaScore.objects.order_by("id")))
            .order_by("-round__opens_on", "-round_id")
        )


@extend_schema(
    summary="Rounds: all for managers and admins, those of one's products for respondents",
    parameters=[
        OpenApiParameter("questionnaire", OpenApiTypes.STR, description="Questionnaire key."),
        OpenApiParameter("status", OpenApiTypes.STR, enum=list(RoundStatus.values)),
    ],
    tags=["rounds"],
)
class RoundListApi(ListAPIView):
    permission_classes = [ApiAccess]
    serializer_class = RoundSerializer
    pagination_class = Pagination

    def get_queryset(self) -> Any:
        user = self.request.user
        rounds = Round.objects.select_related("questionnaire", "version__questionnaire")
        if not sees_everything(user):
            rounds = rounds.filter(products__in=products_visible_to(user)).distinct()
        questionnaire = text_param(self.request, "questionnaire")
        if questionnaire:
            rounds = rounds.filter(questionnaire__key=questionnaire)
        status = text_param(self.request, "status")
        if status:
            rounds = rounds.filter(status=status)
        return rounds.order_by("opens_on", "id")
