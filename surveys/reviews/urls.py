from django.urls import path

from surveys.reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="list"),
    path("assessments/<int:pk>/", views.review_detail, name="detail"),
    path("assessments/<int:pk>/query/", views.review_query_view, name="query"),
    path("assessments/<int:pk>/accept/", views.review_accept_view, name="accept"),
    path("queries/<int:pk>/resolve/", views.query_resolve_view, name="resolve"),
    path("queries/<int:pk>/reply/", views.query_reply_view, name="reply"),
]
