from django.urls import path

from surveys.imports import views

app_name = "imports"

urlpatterns = [
    path("answers/", views.answers_import_page, name="answers"),
    path("organisation/", views.organisation_bulk_page, name="organisation"),
]
