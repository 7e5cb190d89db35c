from django.urls import path

from surveys.gate import views

app_name = "gate"

urlpatterns = [
    path("", views.gate_settings, name="settings"),
    path("phases/<str:phase>/", views.gate_phase_save, name="phase"),
    path("guidelines/<slug:slug>/", views.guideline_requirements, name="guideline"),
]
