from django.urls import path

from surveys.guidelines import admin_views as views

app_name = "guidelines"

urlpatterns = [
    path("", views.guideline_list, name="list"),
    path("new/", views.guideline_edit, name="new"),
    path("preview/", views.guideline_preview, name="preview"),
    path("<slug:slug>/edit/", views.guideline_edit, name="edit"),
    path("<slug:slug>/history/", views.guideline_history, name="history"),
]
