from django.urls import path

from surveys.cihelp import views

urlpatterns = [
    path("help/evidence/", views.evidence_help_index, name="help-evidence"),
    path("help/evidence/<slug:slug>/", views.evidence_help_product, name="help-evidence-product"),
]
