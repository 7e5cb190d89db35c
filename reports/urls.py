from django.urls import path

from reports.pages import bottlenecks, departments, scorecard, views

app_name = "reports"

urlpatterns = [
    path("", views.trend, name="trend"),
    path("departments/", departments.departments, name="departments"),
    path("phases/", views.phases, name="phases"),
    path("items/", views.items, name="items"),
    path("scorecard/", scorecard.scorecard, name="scorecard"),
    path("bottlenecks/", bottlenecks.bottlenecks, name="bottlenecks"),
    path("scorecard.csv", scorecard.scorecard_csv, name="scorecard-csv"),
    path("export.xlsx", views.workbook, name="workbook"),
    path("answers.csv", views.answers_csv, name="answers-csv"),
]
