from django.urls import path

from surveys.feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.feedback_report_view, name="report"),
    path(
        "assessments/<int:pk>/items/<int:item_id>/",
        views.feedback_new,
        name="new",
    ),
    path("<int:pk>/resolve/", views.feedback_resolve_view, name="resolve"),
]
