"""Read endpoint: the rounds a caller may see."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from surveys.core.api.pagination import Pagination
from surveys.core.api.params import text_param
from surveys.organisation.access import ApiAccess
from surveys.organisation.roles import sees_everything
from surveys.organisation.selectors import products_visible_to
from surveys.rounds.models import Round, RoundStatus


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
