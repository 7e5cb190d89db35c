from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=False)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("api/v1/reports/", include("reports.api_urls")),
    path("api/v1/", include("surveys.api_urls")),
    path("rounds/", include("surveys.rounds.urls")),
    path("questionnaires/", include("surveys.questionnaires.urls")),
    path("tokens/", include("surveys.tokens.urls")),
    path("reports/", include("reports.urls")),
    path("", include("surveys.urls")),
]
