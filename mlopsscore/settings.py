"""One settings module, driven by environment variables.

Development defaults are safe and need nothing: SQLite in ``var/``, Celery tasks run
eagerly in-process, email printed to the console. Production sets ``DEBUG=0`` and
must then give ``SECRET_KEY``; a bad value fails loudly at start.
"""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MLOPSSCORE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "mozilla_django_oidc",
    "health_check",
    "axes",
    "surveys",
    "reports",
]

MIDDLEWARE = [
    "mlopsscore.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "surveys.organisation.timezones.TimeZoneMiddleware",
    # The signed-in person's language, from their profile (DESIGN §2).
    "surveys.languages.middleware.PersonLanguageMiddleware",
    # The app's own 404 page in the demo too, not Django's technical one.
    "surveys.notfound.middleware.FriendlyNotFoundMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Refuses NUL bytes and unpaired surrogates in the path and parameters.
    "surveys.core.guard.BadInputMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the login page's message.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): nothing from outside the site. Scripts only from
# our static files (no inline script, no inline handler); inline styles are allowed
# because Plotly sets them on the charts it draws.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

ROOT_URLCONF = "mlopsscore.urls"
WSGI_APPLICATION = "mlopsscore.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "surveys.organisation.context_processors.roles",
                "surveys.signin.context_processors.signin",
            ],
        },
    },
    # The assessment page's per-item partials (templates/**/*.jinja), included by
    # {% jinja_include %}: the page's hottest markup, in a language that compiles to Python
    # (surveys/pages/jinja.py).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "surveys.pages.jinja.environment"},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'mlopsscore.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
# --- Embedded SQLite under concurrency ---------------------------
# WAL lets readers go on while one writer writes; IMMEDIATE transactions take the write
# lock when they begin, so a second writer waits (up to SQLITE_BUSY_TIMEOUT_MS) instead
# of failing with "database is locked" when its read lock cannot be upgraded.
SQLITE_BUSY_TIMEOUT_MS = env_int("SQLITE_BUSY_TIMEOUT_MS", 20_000)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS};"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Company sign-in with OpenID Connect (DESIGN §7), on when a client id is given.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile groups")
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "your company account")
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
OIDC_ADMIN_GROUPS = env_list("OIDC_ADMIN_GROUPS", [])
OIDC_MANAGER_GROUPS = env_list("OIDC_MANAGER_GROUPS", [])
OIDC_USE_PKCE = env_bool("OIDC_USE_PKCE", True)
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?signin=failed"
if OIDC_RP_CLIENT_ID and not (
    OIDC_OP_AUTHORIZATION_ENDPOINT and OIDC_OP_TOKEN_ENDPOINT and OIDC_OP_JWKS_ENDPOINT
):
    raise ImproperlyConfigured(
        "OIDC_RP_CLIENT_ID is set: also set OIDC_OP_AUTHORIZATION_ENDPOINT, "
        "OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_USER_ENDPOINT and OIDC_OP_JWKS_ENDPOINT"
    )
# Local passwords stay for the embedded default; an organisation may switch them off.
LOCAL_PASSWORDS = env_bool("LOCAL_PASSWORDS", True)
# (AUTHENTICATION_BACKENDS, below the lockout settings, leaves ModelBackend out when off.)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
# One date and time format for every reader: 2026-12-06 11:20 (surveys/formats).
FORMAT_MODULE_PATH = ["surveys.formats"]
# One Japanese catalogue for the whole application (locale/ja/LC_MESSAGES/django.po).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
# The zone of people who have not chosen one (Profile.time_zone); pages and emails show
# times in the reader's zone.
ORGANISATION_TIME_ZONE = os.environ.get("ORGANISATION_TIME_ZONE", TIME_ZONE)
for _zone_name in (TIME_ZONE, ORGANISATION_TIME_ZONE):
    try:
        zoneinfo.ZoneInfo(_zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as _exc:
        raise ImproperlyConfigured(f"{_zone_name!r} is not a time zone name") from _exc
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # ReDoc without its logo from cdn.redoc.ly (surveys/apidocs).
    "surveys.apidocs.staticfinders.RedocFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True

# Email: printed to the console unless an SMTP host is given.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "mlopsscore <mlopsscore@localhost>")

# Celery: with no broker, tasks run eagerly in the web process (the embedded default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request must not hang when the broker is down: give up publishing quickly.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Rounds (DESIGN §4): half-yearly cadence, configurable.
ROUND_CADENCE_MONTHS = [int(m) for m in env_list("ROUND_CADENCE_MONTHS", ["4", "10"])]
ROUND_OPEN_DAYS = env_int("ROUND_OPEN_DAYS", 30)
ROUND_REMINDER_DAYS = [int(d) for d in env_list("ROUND_REMINDER_DAYS", ["14", "7", "1"])]
EVIDENCE_WINDOW_DAYS = env_int("EVIDENCE_WINDOW_DAYS", 90)
ROUND_WEBHOOK_URL = os.environ.get("ROUND_WEBHOOK_URL", "")
# Watches (DESIGN §6.7): reminders while down or failing; chat webhooks may reach private
# addresses (and plain http there) only where this is on, as for the demo's local catcher.
WATCH_REMIND_DAYS = env_int("WATCH_REMIND_DAYS", 7)
WATCH_WEBHOOK_ALLOW_PRIVATE_IPS = env_bool("WATCH_WEBHOOK_ALLOW_PRIVATE_IPS", False)
for _month in ROUND_CADENCE_MONTHS:
    if not 1 <= _month <= 12:
        raise ImproperlyConfigured(f"ROUND_CADENCE_MONTHS holds {_month}, not a month")

# Reports (DESIGN §5).
SCORE_TARGET = float(os.environ.get("SCORE_TARGET", "2.0"))
# Per-phase targets, e.g. "poc=0.5,validation=1,production=3".
SCORE_TARGETS_BY_PHASE = {
    key.strip(): float(value)
    for key, value in (
        pair.split("=", 1) for pair in env_list("SCORE_TARGETS_BY_PHASE", []) if "=" in pair
    )
}

# Requests per token (and per signed-in person) the API accepts, as DRF rates ("6000/min").
API_TOKEN_THROTTLE = os.environ.get("API_TOKEN_THROTTLE", "6000/min")
API_USER_THROTTLE = os.environ.get("API_USER_THROTTLE", "6000/min")

# Evidence without secrets (DESIGN §6.6): CI ID tokens from these issuers, exactly as written.
EVIDENCE_OIDC_ISSUERS = env_list("EVIDENCE_OIDC_ISSUERS", [])
EVIDENCE_OIDC_AUDIENCE = os.environ.get("EVIDENCE_OIDC_AUDIENCE") or SITE_URL

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "surveys.trust.authentication.OidcAuthentication",
        "surveys.tokens.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "surveys.core.api.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "surveys.tokens.throttling.TokenRateThrottle",
        "surveys.tokens.throttling.PersonRateThrottle",
        "surveys.trust.throttling.CiIdentityRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"token": API_TOKEN_THROTTLE, "user": API_USER_THROTTLE},
    # JSON only, and its parser enforces DATA_UPLOAD_MAX_MEMORY_SIZE (DRF's does not).
    "DEFAULT_PARSER_CLASSES": ["surveys.core.api.parsers.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # ASCII JSON: an error that echoes a lone surrogate from the input still renders.
    "UNICODE_JSON": False,
    "DEFAULT_PAGINATION_CLASS": "surveys.core.api.pagination.Pagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "mlopsscore API",
    "DESCRIPTION": "Evidence from CI pipelines, products, rounds, assessments and trend reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No deep links: each one is a link inside the operation's button (nested interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "surveys.core.api.errors.schema_add_error_responses",
        "surveys.evidence.schema.schema_evidence_batch",
    ],
}
# Evidence batches of 1,000 records stay well under this; larger bodies are refused.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# Answers files (``import_answers``, DESIGN §6.2): a file over any limit is refused whole,
# before its rows are read, with the limit named in the message (docs/operations.md).
IMPORT_MAX_FILE_BYTES = env_int("IMPORT_MAX_FILE_BYTES", 200 * 1024 * 1024)
# The sum of an XLSX's unpacked parts (its zip's declared sizes, checked as it unpacks).
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 1024 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 1_048_576)  # a spreadsheet's own row limit
IMPORT_MAX_CELL_CHARS = env_int("IMPORT_MAX_CELL_CHARS", 32_767)  # what a cell can hold
# A sheet's rows times its widest row: the cells the reader builds (8 columns are used).
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 10 * 1_048_576)
# The answers sheet's XML and its shared strings, unpacked: what the reader parses and holds.
IMPORT_MAX_SHEET_BYTES = env_int("IMPORT_MAX_SHEET_BYTES", 400 * 1024 * 1024)
# A guideline's text in one language (the longest shipped is about 11,000).
GUIDELINE_MAX_CHARS = env_int("GUIDELINE_MAX_CHARS", 50_000)


# --- Shared cache and sign-in lockout -------------------------
def caches_from_env(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """The cache every process shares: API throttles count there.

    ``CACHE_URL`` first, else the Redis broker of Celery; process memory only for the
    embedded default, where there is one process.
    """
    url = environ.get("CACHE_URL") or ""
    broker = environ.get("CELERY_BROKER_URL") or ""
    if not url and broker.startswith(("redis://", "rediss://")):
        url = broker
    if not url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"CACHE_URL={url!r} is not a redis:// URL")
    return {
        "default": {
            "BACKEND": "surveys.core.cache.SharedRedisCache",
            "LOCATION": url,
            # The broker's database may be shared: keep our keys apart.
            "KEY_PREFIX": "mlopsscore",
        }
    }


CACHES = caches_from_env(os.environ)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes counts failed sign-ins in the database (shared by every process) and locks
# out an account tried from one address, and an address trying many accounts.
AUTHENTICATION_BACKENDS = [
    "surveys.lockouts.backends.LockoutBackend",
    # Company sign-in (DESIGN §7); it only answers the provider's callback.
    "surveys.signin.backend.CompanyOidcBackend",
]
if LOCAL_PASSWORDS:
    AUTHENTICATION_BACKENDS.append("django.contrib.auth.backends.ModelBackend")
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
# DESIGN §7: an account is locked at one address, never an address for every account (a
# shared proxy would lock out the organisation); many failures for one account from any
# addresses lock that account (surveys.lockouts.accounts, from axes' failure log).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_ENABLE_ACCESS_FAILURE_LOG = True
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("LOGIN_ACCOUNT_FAILURE_LIMIT", 20)
LOGIN_ACCOUNT_WINDOW = timedelta(minutes=env_int("LOGIN_ACCOUNT_WINDOW_MINUTES", 60))
# Password-reset mails per hour for one email address, and from one client address.
PASSWORD_RESET_MAILS_PER_EMAIL = env_int("PASSWORD_RESET_MAILS_PER_EMAIL", 3)
PASSWORD_RESET_MAILS_PER_ADDRESS = env_int("PASSWORD_RESET_MAILS_PER_ADDRESS", 10)
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "surveys.lockouts.views.locked_out"
AXES_HANDLER = "surveys.lockouts.handler.LockoutHandler"
# Behind N reverse proxies, the client's address is the N-th from the right of
# X-Forwarded-For (what the outermost trusted proxy saw); 0 trusts REMOTE_ADDR only.
LOGIN_PROXY_COUNT = env_int("LOGIN_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "surveys.lockouts.backends.client_address"
if AXES_FAILURE_LIMIT < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT must be at least 1")
if LOGIN_ACCOUNT_FAILURE_LIMIT < 1:
    raise ImproperlyConfigured("LOGIN_ACCOUNT_FAILURE_LIMIT must be at least 1")
# --- end of shared cache and sign-in lockout -------------------------------------------

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Off only for a plain-HTTP loopback run (the CI smoke test of the production set).
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

# Logs: one JSON object per line in production (LOG_FORMAT=json), readable text in
# development; every line written during a request carries its request id.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use json or text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "mlopsscore.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "mlopsscore.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
