"""Watches over the API (DESIGN §6.7): a product's watches, and the team's settings and
pauses. ``GET /api/v1/products/SLUG/watches/`` accepts a product token, a CI ID token
(DESIGN §6.6) or a member's session."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from surveys.core.api.fields import AwareDateTimeField, Text
from surveys.organisation.access import ApiAccess
from surveys.organisation.selectors import token_of
from surveys.watches import selectors, services, states
from surveys.watches.models import Watch, WatchState

EXAMPLE = {
    "item": "data.schema",
    "state": "down",
    "period_days": 7.0,
    "grace_hours": 24.0,
    "fail_after": 3,
    "last_post_at": "2026-11-20T03:00:00Z",
    "last_outcome": "pass",
    "next_due_at": "2026-12-04T03:00:00Z",
    "paused_until": None,
    "state_since": "2026-11-28T03:00:00Z",
}


class WatchOutSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item_key")
    state = serializers.ChoiceField(choices=WatchState.choices)
    period_days = serializers.SerializerMethodField()
    grace_hours = serializers.SerializerMethodField()
    state_since = serializers.DateTimeField(source="changed_at")
    next_due_at = serializers.SerializerMethodField()

    class Meta:
        model = Watch
        fields = [
            "item",
            "state",
            "period_days",
            "grace_hours",
            "fail_after",
            "last_post_at",
            "last_outcome",
            "next_due_at",
            "paused_until",
            "state_since",
        ]

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_due_at(self, watch: Watch) -> str | None:
        """When the watch goes down (or its pause ends) if nothing else is posted."""
        due = states.next_due(watch)
        return serializers.DateTimeField().to_representation(due) if due else None

    def get_period_days(self, watch: Watch) -> float:
        return round(watch.period / timedelta(days=1), 4)

    def get_grace_hours(self, watch: Watch) -> float:
        return round(watch.grace / timedelta(hours=1), 4)


class WatchCreateSerializer(serializers.Serializer):
    item = Text(max_length=100, help_text="The item key to watch before its first post.")


class WatchSettingsSerializer(serializers.Serializer):
    period_days = serializers.FloatField(
        required=False, min_value=1 / 24, max_value=366, help_text="How often CI posts."
    )
    grace_hours = serializers.FloatField(
        required=False, min_value=1, max_value=30 * 24, help_text="Lateness allowed."
    )
    fail_after = serializers.IntegerField(
        required=False, min_value=1, max_value=100, help_text="Failed posts in a row to fail."
    )
    paused_until = AwareDateTimeField(
        required=False,
        allow_null=True,
        help_text="Pause until then (at most a year); null resumes.",
    )


def _by(request: Request) -> Any:
    return None if token_of(request.user) is not None else request.user


def _source(request: Request) -> str:
    return "api"


class ProductWatchesApi(APIView):
    permission_classes = [ApiAccess]
    token_scope = "read"
    accepts_ci_identity = True

    @extend_schema(
        operation_id="product_watches",
        summary="A product's watches: state, last post and outcome, next due time",
        responses={200: WatchOutSerializer(many=True)},
        examples=[OpenApiExample("A watch gone down", value=[EXAMPLE], response_only=True)],
        tags=["watches"],
    )
    def get(self, request: Request, slug: str) -> Response:
        product = get_object_or_404(selectors.products_watched_by(request.user), slug=slug)
        return Response(WatchOutSerializer(selectors.watches_of(product=product), many=True).data)

    @extend_schema(
        operation_id="product_watch_create",
        summary="Watch an item before its first post (it stays new until then)",
        request=WatchCreateSerializer,
        responses={201: WatchOutSerializer},
        examples=[
            OpenApiExample("Watch an item", value={"item": "data.schema"}, request_only=True)
        ],
        tags=["watches"],
    )
    def post(self, request: Request, slug: str) -> Response:
        if self._ci(request):
            return self._ci_refused()
        product = get_object_or_404(selectors.products_watch_editable_by(request.user), slug=slug)
        data = WatchCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        watch = services.watch_create(
            product=product, item_key=data.validated_data["item"], by=_by(request)
        )
        return Response(WatchOutSerializer(watch).data, status=status.HTTP_201_CREATED)

    def _ci(self, request: Request) -> bool:
        from surveys.trust.authentication import ci_principal_of

        return ci_principal_of(request.user) is not None

    def _ci_refused(self) -> Response:
        from rest_framework.exceptions import PermissionDenied

        raise PermissionDenied("A CI ID token may only read watches.")

    def get_permissions(self) -> Any:
        # Writing needs a token's write scope, reading its read scope.
        self.token_scope = "read" if self.request.method == "GET" else "write"
        return super().get_permissions()


class ProductWatchApi(APIView):
    permission_classes = [ApiAccess]
    token_scope = "write"

    @extend_schema(
        operation_id="product_watch_update",
        summary="Change a watch's period, grace time or N, or pause it until a date",
        request=WatchSettingsSerializer,
        responses={200: WatchOutSerializer},
        examples=[
            OpenApiExample(
                "Pause for a migration",
                value={"paused_until": "2026-12-20T00:00:00Z"},
                request_only=True,
            ),
            OpenApiExample(
                "A daily pipeline", value={"period_days": 1, "grace_hours": 6}, request_only=True
            ),
        ],
        tags=["watches"],
    )
    def patch(self, request: Request, slug: str, item: str) -> Response:
        product = get_object_or_404(selectors.products_watch_editable_by(request.user), slug=slug)
        watch = get_object_or_404(Watch, product=product, item_key=item)
        data = WatchSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if {"period_days", "grace_hours", "fail_after"} & set(values):
            watch = services.watch_update(
                watch=watch,
                by=_by(request),
                period=timedelta(days=values["period_days"]) if "period_days" in values else None,
                grace=timedelta(hours=values["grace_hours"]) if "grace_hours" in values else None,
                fail_after=values.get("fail_after"),
                source=_source(request),
            )
        if "paused_until" in values:
            watch = services.watch_pause(
                watch=watch, until=values["paused_until"], by=_by(request), source=_source(request)
            )
        return Response(WatchOutSerializer(watch).data)
