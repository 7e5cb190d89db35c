from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.trend, name="trend"),
    path("departments/", views.departments, name="departments"),
    path("phases/", views.phases, name="phases"),
    path("items/", views.items, name="items"),
    path("export.xlsx", views.workbook, name="workbook"),
    path("answers.csv", views.answers_csv, name="answers-csv"),
]
