"""API v1 (mounted at /api/v1/). URLs matching nothing answer a JSON 404."""

from django.urls import path, re_path

from surveys.api.errors import api_not_found
from surveys.evidence import apis as evidence
from surveys.organisation import apis as products
from surveys.watches import apis as watches

urlpatterns = [
    path("evidence/", evidence.EvidencePostApi.as_view(), name="api-evidence-post"),
    path("products/", products.ProductListApi.as_view(), name="api-products"),
    path("products/<slug:slug>/", products.ProductDetailApi.as_view(), name="api-product"),
    path(
        "products/<slug:slug>/evidence/",
        evidence.ProductEvidenceListApi.as_view(),
        name="api-product-evidence",
    ),
    path(
        "products/<slug:slug>/assessments/",
        products.ProductAssessmentListApi.as_view(),
        name="api-product-assessments",
    ),
    path(
        # Any text reaches the view (a JSON 404 for no such product), so a write to a
        # malformed slug never falls to the non-API CSRF check.
        "products/<str:slug>/watches/",
        watches.ProductWatchesApi.as_view(),
        name="api-product-watches",
    ),
    path(
        "products/<str:slug>/watches/<str:item>/",
        watches.ProductWatchApi.as_view(),
        name="api-product-watch",
    ),
    path("rounds/", products.RoundListApi.as_view(), name="api-rounds"),
    re_path(r"", api_not_found),  # matches any rest, even one holding a newline
]
