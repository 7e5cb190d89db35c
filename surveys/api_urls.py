"""API v1 (mounted at /api/v1/). URLs matching nothing answer a JSON 404."""

from django.urls import path, re_path

from surveys.assessments import apis as assessments
from surveys.core.api.errors import api_not_found
from surveys.evidence import apis as evidence
from surveys.gate import apis as gate
from surveys.initiatives import apis as initiatives
from surveys.organisation import apis as products
from surveys.rounds import apis as rounds
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
        assessments.ProductAssessmentListApi.as_view(),
        name="api-product-assessments",
    ),
    path("products/<slug:slug>/gate/", gate.ProductGateApi.as_view(), name="api-product-gate"),
    path("rounds/", rounds.RoundListApi.as_view(), name="api-rounds"),
    path("initiatives/", initiatives.InitiativeListApi.as_view(), name="api-initiatives"),
    path(
        "initiatives/<int:id>/",
        initiatives.InitiativeDetailApi.as_view(),
        name="api-initiative",
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
    re_path(r"", api_not_found),  # matches any rest, even one holding a newline
]
