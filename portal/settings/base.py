"""Settings shared by every environment; deployment-specific values come from the environment."""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent
VAR_DIR = Path(os.environ.get("DEFLECT_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


INSTALLED_APPS = [
    "portal",
    "tickets",
    "kb",
    "wagtail.contrib.redirects",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "corsheaders",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost after security: it refuses the widget's API to unlisted sites (preflights
    # too) and strips any cookie from its responses.
    "tickets.widget.access.WidgetOriginMiddleware",
    # CORS for the widget's API, for the origins listed in the admin (tickets/widget/access.py).
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Inside CSRF (a stored page's reader still gets their own token and cookie), before the
    # rest: a stored page skips authentication, messages and Wagtail's routing altogether.
    "kb.pagecache.AnonymousPageCacheMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "portal.ratelimit.RateLimitMiddleware",
    "portal.admin_ids.AdminIdMiddleware",
]

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

# Database: an SQLite file under var/ unless DATABASE_URL names a real server.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'deflect.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web and q2 worker processes share the file: wait for a lock instead of failing,
    # and let readers proceed while one writer writes.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and task broker: local memory and the database unless REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # An outage is a cache miss, and a Redis that hangs rather than refuses must fail
            # fast instead of holding every worker.
            "BACKEND": "portal.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "deflect",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

Q_CLUSTER = {
    "name": "deflect",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": 300,
    "retry": 360,  # must exceed timeout, or a slow task is started twice
    "max_attempts": 5,
    "queue_limit": 50,
    "bulk": 10,
    "catch_up": False,
    "label": _("Background tasks"),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 0.5


def email_settings_from_url(url: str) -> dict:
    """Turn EMAIL_URL (smtp://user:pass@host:port?tls=1, or console:, or locmem:) into settings."""
    parts = urlsplit(url)
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
    }
    if parts.scheme not in backends:
        raise ValueError(
            f"EMAIL_URL scheme must be one of {sorted(backends)}, not {parts.scheme!r}"
        )
    result = {"EMAIL_BACKEND": backends[parts.scheme]}
    if parts.scheme.startswith("smtp"):
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        result.update(
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=parts.port or (465 if parts.scheme == "smtps" else 25),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=parts.scheme == "smtps" or query.get("ssl") in {"1", "true"},
            EMAIL_USE_TLS=query.get("tls") in {"1", "true"},
            EMAIL_TIMEOUT=int(query.get("timeout", "10")),
        )
    return result


globals().update(email_settings_from_url(os.environ.get("EMAIL_URL", "console:")))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Deflect support <support@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTH_USER_MODEL = "portal.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_URL = "/static/"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Wagtail's page editor posts many fields for pages with long StreamFields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

WAGTAIL_SITE_NAME = os.environ.get("SITE_NAME", "Deflect")
WAGTAILADMIN_BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# Avatars are the user's initials, not images from gravatar.com: that would fail offline and
# hand every editor's hashed e-mail address to another site.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# How long the link e-mailed to a customer without an account opens their ticket (seconds).
TICKET_LINK_MAX_AGE = int(os.environ.get("TICKET_LINK_MAX_AGE", str(60 * 60 * 24 * 30)))
# How long the "how did we do?" links in a resolution e-mail work (seconds).
RATING_LINK_MAX_AGE = int(os.environ.get("RATING_LINK_MAX_AGE", str(60 * 60 * 24 * 30)))
# Answer after filing (tickets/services/answer_offers.py): a new ticket is offered an article's
# answer only when the engine is *confident*: its relative score reaches this. Suggestions are
# worth showing from 0.2 (EngineParams.threshold; with meaning, plausibility 0.32); offering to
# close a ticket already filed needs more. 0.4 is plausibility 0.64. On the demo help centre
# (`answer_offer_report`), tickets an article answers scored 0.43-0.62, and the best article
# for questions none answers ("Pay with bitcoin", "Error 500 on save") 0.17-0.30, with loosely
# related ones ("the app is slow" -> a blank-screen article) up to 0.37.
ANSWER_OFFER_MIN_RELATIVE = float(os.environ.get("ANSWER_OFFER_MIN_RELATIVE", "0.4"))
# How long "This solved it — close my request" works from the confirmation e-mail (seconds):
# a week; after that an agent has usually answered and the link shows a clear page instead.
ANSWER_OFFER_LINK_MAX_AGE = int(os.environ.get("ANSWER_OFFER_LINK_MAX_AGE", str(60 * 60 * 24 * 7)))

# Posts per client address and per account, by URL name (see portal/ratelimit.py).
RATE_LIMITS = {
    "tickets:new": os.environ.get("RATE_LIMIT_CONTACT", "20/hour"),
    "tickets:deflect": os.environ.get("RATE_LIMIT_DEFLECT", "30/min"),
    "tickets:detail": os.environ.get("RATE_LIMIT_REPLY", "30/hour"),
    "tickets:new-link": os.environ.get("RATE_LIMIT_NEW_LINK", "10/hour"),
    "login": os.environ.get("RATE_LIMIT_SIGN_IN", "10/min"),
    "wagtailadmin_login": os.environ.get("RATE_LIMIT_SIGN_IN", "10/min"),
    "admin:login": os.environ.get("RATE_LIMIT_SIGN_IN", "10/min"),
    "signup": os.environ.get("RATE_LIMIT_SIGN_UP", "10/hour"),
    "password_reset": os.environ.get("RATE_LIMIT_PASSWORD_RESET", "5/hour"),
    "kb:feedback": os.environ.get("RATE_LIMIT_FEEDBACK", "30/min"),
    "tickets:rate": os.environ.get("RATE_LIMIT_RATING", "30/hour"),
    "tickets:rate-link": os.environ.get("RATE_LIMIT_RATING", "30/hour"),
    "tickets:unsubscribe": os.environ.get("RATE_LIMIT_UNSUBSCRIBE", "30/hour"),
    "tickets:answer-link": os.environ.get("RATE_LIMIT_ANSWER_LINK", "30/hour"),
}
# Sign-in attempts per account (the typed username), on every sign-in page together.
RATE_LIMIT_SIGN_IN_ACCOUNT = os.environ.get("RATE_LIMIT_SIGN_IN_ACCOUNT", "20/hour")
# "We received your ticket" e-mails per recipient address; tickets beyond it are still filed.
RATE_LIMIT_CONFIRMATION_EMAILS = os.environ.get("RATE_LIMIT_CONFIRMATION_EMAILS", "5/hour")
# Behind a proxy that sets X-Forwarded-For (and strips any the client sent), trust it.
RATE_LIMIT_TRUST_X_FORWARDED_FOR = env_bool("RATE_LIMIT_TRUST_X_FORWARDED_FOR")

# How often a contact session's draft text is written while the customer types (seconds).
# Keystrokes arrive several a second, but the text is only needed to resume the form, to mine
# abandoned requests hours later and for the ticket (whose form carries the full text anyway):
# writing it on every keystroke made the database the bottleneck of typing. Articles shown
# and a better match are still written at once; 0 writes every keystroke.
CONTACT_DRAFT_SAVE_SECONDS = float(os.environ.get("CONTACT_DRAFT_SAVE_SECONDS", "2"))
# How often each process looks for a newer suggestion index (seconds).
# How long an anonymous reader's copy of a help-centre page may be kept (0: never). Changes to
# content expire it at once; this bounds only what drifts with traffic (popular articles).
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))
SUGGEST_INDEX_CHECK_SECONDS = float(os.environ.get("SUGGEST_INDEX_CHECK_SECONDS", "2"))
# A newer index loads in a thread while requests keep using the current one.
SUGGEST_INDEX_LOAD_IN_BACKGROUND = True
# Where each snapshot of the index is written once per machine, as a file every process maps
# (kb/engine/index_file.py): the processes share its pages. Local disk; the database stays
# the source.
DEFLECT_INDEX_DIR = Path(os.environ.get("DEFLECT_INDEX_DIR", VAR_DIR / "index"))
# The semantic layer (kb/engine): suggestions, silence, categories and gaps by meaning as well
# as by words. 0 turns it off; without its packages it is off anyway (said once in the log).
SUGGEST_SEMANTIC = os.environ.get("SUGGEST_SEMANTIC", "1") != "0"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # JSON only: one body format to validate strictly (a form post's "7" is not the number 7).
    # Nesting is bounded: a body nested 1,000 levels deep is a 400, not a RecursionError.
    "DEFAULT_PARSER_CLASSES": ["portal.parsers.BoundedJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Every API view with a `throttle_scope` is limited by it (the form limiter's counter).
    "DEFAULT_THROTTLE_CLASSES": ["portal.throttling.AtomicScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "suggest": os.environ.get("THROTTLE_SUGGEST", "120/min"),
        "deflect": os.environ.get("THROTTLE_DEFLECT", "30/min"),
        "tickets": os.environ.get("THROTTLE_TICKETS", "60/hour"),
        "widget": os.environ.get("THROTTLE_WIDGET", "240/min"),
    },
    "EXCEPTION_HANDLER": "rest_framework.views.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Deflect API",
    "DESCRIPTION": "Article suggestions, tickets and contact sessions.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["portal.api.public_endpoints_only"],
    # Swagger UI's assets are served from our own static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# CORS (django-cors-headers) for the help widget's API only; no origin is allowed here: the
# admins' list of widget origins is consulted per request
# (tickets.widget.access.cors_for_listed_origins).
CORS_URLS_REGEX = r"^/api/v1/widget/"
CORS_ALLOWED_ORIGINS: list[str] = []
CORS_ALLOW_METHODS = ("GET", "POST", "OPTIONS")
CORS_ALLOW_HEADERS = ("content-type",)
CORS_PREFLIGHT_MAX_AGE = 600

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Per-page publish and per-task lines drown what commands print.
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}
