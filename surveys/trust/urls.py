from django.urls import path

from . import views

app_name = "trust"

urlpatterns = [
    path("<slug:slug>/", views.product_policies, name="product"),
    path("<slug:slug>/new/", views.policy_new, name="create"),
    path("<slug:slug>/<int:pk>/delete/", views.policy_delete_view, name="delete"),
]
