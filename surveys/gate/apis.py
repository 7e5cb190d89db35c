"""``GET /api/v1/products/SLUG/gate/``: may this product be released now? (DESIGN §6.8)"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from surveys.gate.selectors import gate_of
from surveys.organisation.access import ApiAccess
from surveys.organisation.models import Product
from surveys.organisation.selectors import products_visible_to
from surveys.trust.authentication import ci_principal_of


def gate_product(user: Any, slug: str) -> Product:
    """The product, or 404 for a caller who may not read it: a CI ID token reads the
    products its trust policies admit; a product token its product; a person those
    they may see (members, managers, admins)."""
    principal = ci_principal_of(user)
    products = (
        Product.objects.filter(pk__in=principal.ci_product_ids)
        if principal is not None
        else products_visible_to(user)
    )
    product = products.filter(slug=slug).first()
    if product is None:
        raise Http404
    return product


class GateFailureSerializer(serializers.Serializer):
    area = serializers.CharField(required=False, help_text="An area below the target.")
    item = serializers.CharField(required=False, help_text="A required item below 1.")
    score = serializers.FloatField(allow_null=True)
    needs = serializers.FloatField()


class GateSerializer(serializers.Serializer):
    product = serializers.CharField()
    phase = serializers.CharField()
    target = serializers.FloatField()
    final = serializers.FloatField(allow_null=True, help_text="Claimed final score.")
    verified = serializers.FloatField(allow_null=True, help_text="Verified final score.")
    passes = serializers.BooleanField()
    failing = GateFailureSerializer(many=True)
    basis = serializers.ChoiceField(
        choices=["claimed", "verified"], help_text="The score the phase's gate reads."
    )
    round = serializers.CharField(
        allow_null=True, help_text="The round of the latest submitted assessment."
    )


class ProductGateApi(APIView):
    permission_classes = [ApiAccess]
    token_scope = "read"
    # A pipeline holds a release with the same ID token it posts evidence with (§6.6).
    accepts_ci_identity = True

    @extend_schema(
        operation_id="product_gate",
        summary="Release gate: does the product meet its phase's target now?",
        responses={200: GateSerializer},
        tags=["products"],
    )
    def get(self, request: Request, slug: str) -> Response:
        return Response(gate_of(gate_product(request.user, slug)).as_json())
