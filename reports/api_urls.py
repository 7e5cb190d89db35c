from django.urls import path

from reports.apis import TrendApi

urlpatterns = [
    path("trend/", TrendApi.as_view(), name="reports-trend"),
]
