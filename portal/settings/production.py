"""Settings for a real deployment: everything secret or site-specific comes from the environment."""

import os

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.core.exceptions import ImproperlyConfigured

from portal.settings.base import *  # noqa: F403
from portal.settings.base import MIDDLEWARE, STORAGES, env_bool, env_list

DEBUG = False


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable for production.")
    return value


SECRET_KEY = _required("SECRET_KEY")
ALLOWED_HOSTS = [host for host in _required("ALLOWED_HOSTS").split(",") if host.strip()]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Wagtail's admin: no update check calling home (no Gravatar either: see base.py).
WAGTAIL_ENABLE_UPDATE_CHECK = False

# Content Security Policy (django-csp). Our pages, Django's admin and the API need nothing
# inline: same-origin files only. Two places get more, by path (see PathCSPMiddleware):
# - Wagtail's admin (/admin/) writes per-widget inline scripts (choosers, inline panels) and its
#   editor's libraries insert <style> elements, so it runs with 'unsafe-inline' for both;
# - Swagger UI (/api/docs/) has one inline script, which embeds the CSRF token (so no fixed
#   hash can allow it), and one fixed inline style block, allowed by its hash
#   (tests/portal/test_production.py checks it).
# No frame-ancestors: X-Frame-Options DENY applies, and still lets Wagtail's preview override it
# with SAMEORIGIN for its own iframe (frame-ancestors would override that everywhere).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
    },
}
SWAGGER_UI_STYLE_SHA256 = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"
CSP_PATH_REPLACEMENTS = [
    (
        "/admin/",
        {
            "script-src": [SELF, UNSAFE_INLINE],
            "style-src": [SELF, UNSAFE_INLINE],
            "img-src": [SELF, "data:", "blob:"],
        },
    ),
    (
        "/api/docs/",
        {
            "script-src": [SELF, UNSAFE_INLINE],
            "style-src": [SELF, SWAGGER_UI_STYLE_SHA256],
        },
    ),
]


class PathCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the directives above replaced under those paths."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.replace is None:
            for prefix, replace in CSP_PATH_REPLACEMENTS:
                if request.path_info.startswith(prefix):
                    parts.replace = replace
                    break
        return parts


_after_static = MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1
MIDDLEWARE = [
    *MIDDLEWARE[:_after_static],
    "portal.settings.production.PathCSPMiddleware",
    *MIDDLEWARE[_after_static:],
]
