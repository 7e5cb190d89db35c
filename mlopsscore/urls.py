from typing import Any

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from mlopsscore.health import health_view
from mlopsscore.observability import metrics_view
from surveys.lockouts.resets import password_reset
from surveys.lockouts.views import lockouts_page


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico; the icon is a static file (its hashed name is only
    known once static files are collected, so it is looked up per request)."""

    permanent = False

    def get_redirect_url(self, *args: Any, **kwargs: Any) -> str:
        return static("favicon.svg")


urlpatterns = [
    path("health/", health_view, name="health"),
    path("metrics", metrics_view, name="metrics"),
    path("favicon.ico", FaviconView.as_view()),
    path("admin/", admin.site.urls),
    # Before Django's own: the switch also changes a signed-in person's language (DESIGN §2).
    path("i18n/", include("surveys.languages.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before Django's own, so reset mails are rate-limited (DESIGN §7).
    path("accounts/password_reset/", password_reset, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("lockouts/", lockouts_page, name="lockouts"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("api/v1/reports/", include("reports.api_urls")),
    path("api/v1/", include("surveys.api_urls")),
    path("rounds/", include("surveys.rounds.urls")),
    path("questionnaires/", include("surveys.studio.urls")),
    path("organisation/", include("surveys.organisation.urls")),
    path("guidelines/", include("surveys.guidelines.urls")),
    path("imports/", include("surveys.imports.urls")),
    path("audit/", include("surveys.pages.audit.urls")),
    path("tokens/", include("surveys.tokens.urls")),
    path("trust/", include("surveys.trust.urls")),
    path("reports/", include("reports.urls")),
    path("reviews/", include("surveys.reviews.urls")),
    path("badges/", include("surveys.badges.urls")),
    path("feedback/", include("surveys.feedback.urls")),
    path("gate/", include("surveys.gate.urls")),
    path("initiatives/", include("surveys.initiatives.urls")),
    path("watches/", include("surveys.watches.urls")),
    path("", include("surveys.urls")),
]

# The database or the cache down answers 503 (surveys/core/outages.py), any other error 500.
handler500 = "surveys.core.outages.server_error"
