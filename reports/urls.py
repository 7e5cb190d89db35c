from django.urls import path

from . import views, views_bottlenecks, views_departments, views_scorecard

app_name = "reports"

urlpatterns = [
    path("", views.trend, name="trend"),
    path("departments/", views_departments.departments, name="departments"),
    path("phases/", views.phases, name="phases"),
    path("items/", views.items, name="items"),
    path("scorecard/", views_scorecard.scorecard, name="scorecard"),
    path("bottlenecks/", views_bottlenecks.bottlenecks, name="bottlenecks"),
    path("scorecard.csv", views_scorecard.scorecard_csv, name="scorecard-csv"),
    path("export.xlsx", views.workbook, name="workbook"),
    path("answers.csv", views.answers_csv, name="answers-csv"),
]
