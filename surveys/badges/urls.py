from django.urls import path

from surveys.badges import views

app_name = "badges"

urlpatterns = [
    path("<slug:slug>.svg", views.badge, name="badge"),
    path("<slug:slug>/keys/", views.badge_keys, name="keys"),
    path("<slug:slug>/keys/new/", views.badge_key_new, name="create"),
    path("<slug:slug>/keys/<int:pk>/revoke/", views.badge_key_revoke_view, name="revoke"),
]
