"""The trend report as JSON (DESIGN §6.4): the same document ``export_report`` prints."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.figures.permissions import ReadsReports, report_scope
from reports.figures.trend import trend_document
from reports.serializers import TrendQuerySerializer, TrendSerializer


class TrendApi(APIView):
    # Reports are for people (DESIGN §7): a CI token's bearer header is not even read.
    authentication_classes = [SessionAuthentication]
    permission_classes = [ReadsReports]

    @extend_schema(
        operation_id="reports_trend",
        summary="Trend report of a questionnaire (all products and cohort)",
        description=(
            "Per round in date order: products targeted and scored, mean / median / "
            "quartiles of the final score, mean per area, count per band, number meeting "
            "the target, and the cohort of products scored in the baseline round. "
            "Managers and admins read every product; respondents only the products of "
            "their own departments. Numbers are rounded to 4 decimals."
        ),
        parameters=[
            OpenApiParameter("questionnaire", str, required=True, description="e.g. `mlts`"),
            OpenApiParameter("baseline", str, description="Baseline round label (default: first)"),
            OpenApiParameter("target", float, description="Target score (default 2.0)"),
        ],
        responses={
            200: TrendSerializer,
            400: OpenApiResponse(description="Unknown questionnaire or round, or a bad target"),
            403: OpenApiResponse(
                description="Not logged in, or a CI token: reports are for people"
            ),
        },
    )
    def get(self, request: Request) -> Response:
        query = TrendQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data: dict[str, Any] = query.validated_data
        document = trend_document(
            questionnaire=data["questionnaire"],
            baseline=data.get("baseline") or None,
            target=data.get("target"),
            scope=report_scope(request.user),
        )
        return Response(document)
