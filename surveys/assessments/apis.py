"""Read endpoint: a product's assessments with their stored claimed and verified scores."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from scoring.figures import figure
from scoring.verified import claimed_gap
from surveys.assessments.models import AreaScore, Assessment
from surveys.core.api.fields import ScoreField
from surveys.core.api.pagination import Pagination
from surveys.organisation.access import ApiAccess
from surveys.organisation.models import Product
from surveys.organisation.selectors import products_visible_to


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
        return figure(claimed_gap(obj.final_score, obj.verified_score))


def _visible_product(request: Any, slug: str) -> Product:
    return get_object_or_404(products_visible_to(request.user), slug=slug)


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
