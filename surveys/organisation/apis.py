"""Read endpoints of the organisation: the products a caller may see."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView

from surveys.core.api.pagination import Pagination
from surveys.organisation.access import ApiAccess
from surveys.organisation.models import Product
from surveys.organisation.selectors import products_visible_to


class ProductSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.slug")

    class Meta:
        model = Product
        fields = ["slug", "name", "department", "phase", "is_active"]


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
