from django.urls import path

from surveys.organisation import admin_views as views

app_name = "organisation"

urlpatterns = [
    path("", views.departments, name="departments"),
    path("departments/<int:pk>/", views.department_edit, name="department"),
    path("products/", views.products, name="products"),
    path("products/<slug:slug>/", views.product, name="product"),
    path("products/<slug:slug>/do/", views.product_action, name="product-action"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person, name="person"),
]
