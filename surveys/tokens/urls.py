from django.urls import path

from surveys.tokens import views as tokens

app_name = "tokens"

urlpatterns = [
    path("", tokens.index, name="index"),
    path("<slug:slug>/", tokens.product_tokens, name="product"),
    path("<slug:slug>/new/", tokens.token_new, name="create"),
    path("<slug:slug>/<int:pk>/revoke/", tokens.token_revoke_view, name="revoke"),
]
