from django.urls import path

from surveys.watches import views

app_name = "watches"

urlpatterns = [
    path("", views.alarms, name="alarms"),
    path("channels/", views.channels, name="channels"),
    path("coverage/", views.coverage_report, name="coverage"),
    path("products/<slug:slug>/mute/", views.watch_mute, name="mute"),
    path("products/<slug:slug>/add/", views.watch_add, name="add"),
    path("products/<slug:slug>/<str:item>/", views.watch_change, name="change"),
]
