from django.urls import path

from surveys.reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_index, name="index"),
    path("rounds/<int:pk>/", views.round_review, name="round"),
    path("rounds/<int:pk>/sample/", views.sample_draw, name="sample"),
    path("assessments/<int:pk>/", views.assessment_review, name="assessment"),
    path("assessments/<int:pk>/query/", views.query_create, name="query"),
    path("assessments/<int:pk>/accept/", views.review_accept, name="accept"),
    path("queries/<int:pk>/reply/", views.query_reply, name="reply"),
    path("queries/<int:pk>/resolve/", views.query_resolve, name="resolve"),
    path("queries/<int:pk>/requery/", views.query_requery, name="requery"),
    path("answers/<int:pk>/na/", views.na_decide, name="na"),
]
