"""The production shape: health check, HTTPS redirect exemption and security headers."""

import base64
import hashlib
import importlib
import os
import re
import sys
from unittest import mock

import pytest
from django.test import override_settings

from portal import healthz

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused
SECURE = {"HTTP_X_FORWARDED_PROTO": "https"}  # as the TLS-terminating proxy sends it


@pytest.fixture(scope="module")
def production():
    """portal.settings.production as a deployment loads it (it needs these two variables)."""
    env = {"SECRET_KEY": "p" * 60, "ALLOWED_HOSTS": "testserver"}
    with mock.patch.dict(os.environ, env):
        sys.modules.pop("portal.settings.production", None)
        return importlib.import_module("portal.settings.production")


@pytest.fixture
def production_security(production):
    """Run the test client with production's middleware and security settings."""
    names = [
        "MIDDLEWARE",
        "CONTENT_SECURITY_POLICY",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_SSL_REDIRECT",
        "SECURE_REDIRECT_EXEMPT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "SECURE_REFERRER_POLICY",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "X_FRAME_OPTIONS",
        "WAGTAIL_GRAVATAR_PROVIDER_URL",
        "WAGTAIL_ENABLE_UPDATE_CHECK",
    ]
    with override_settings(**{name: getattr(production, name) for name in names}):
        yield production


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


# --- health check ------------------------------------------------------------------------


def test_healthz_reports_database_and_broker_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_pings_the_redis_broker(client, db, monkeypatch):
    pinged = []

    class Answering:
        def ping(self):
            pinged.append(True)
            return True

    monkeypatch.setattr(healthz, "_redis_client", lambda url: Answering())
    with override_settings(Q_CLUSTER={"name": "t", "redis": "redis://127.0.0.1:6379/0"}):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert pinged == [True]


def test_healthz_names_an_unreachable_broker_without_leaking_where_it_is(client, db):
    with override_settings(Q_CLUSTER={"name": "t", "redis": CLOSED_PORT_REDIS}):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "database": "ok", "broker": "failing"}
    body = response.content.decode()
    assert "127.0.0.1" not in body and "redis" not in body and "refused" not in body.lower()


def test_healthz_accepts_redis_connection_settings_as_a_dict(client, db):
    closed = {"host": "127.0.0.1", "port": 1, "db": 0}
    with override_settings(Q_CLUSTER={"name": "t", "redis": closed}):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "failing"


def test_healthz_fails_database_and_orm_broker_together(client, db, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise OSError("connection to server at 10.0.0.5 failed: password authentication")

    monkeypatch.setattr(healthz, "connection", Unreachable())
    with override_settings(Q_CLUSTER={"name": "t", "orm": "default"}):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "database": "failing", "broker": "failing"}
    assert "10.0.0.5" not in response.content.decode()


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis server (REDIS_URL)")
def test_healthz_reaches_the_real_redis_broker(client, db):
    with override_settings(Q_CLUSTER={"name": "t", "redis": os.environ["REDIS_URL"]}):
        response = client.get("/healthz")
    assert response.status_code == 200, response.content


def test_healthz_answers_post_with_405(client, db):
    assert client.post("/healthz").status_code == 405


# --- HTTPS and security headers ----------------------------------------------------------


def test_plain_http_is_redirected_to_https_but_healthz_is_exempt(
    client, kb_root, production_security
):
    home = client.get("/")
    assert home.status_code == 301
    assert home["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200


def test_portal_pages_carry_strict_security_headers(client, kb_root, production_security):
    response = client.get("/support/new/", **SECURE)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response.cookies["csrftoken"]["secure"]


def test_session_cookie_is_secure_and_http_only(client, kb_root, production_security):
    form = client.get("/support/new/", **SECURE)  # the form's keys are bound to the session
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/contact-sessions/7b0c8a66-3c1e-4a55-9a57-7f0e1d0f4a11/suggestions",
        {"subject": "password"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
        **SECURE,
    )
    assert response.status_code == 200
    assert form.cookies["sessionid"]["secure"]
    assert form.cookies["sessionid"]["httponly"]


def test_django_admin_needs_nothing_inline(client, db, production_security):
    response = client.get("/django-admin/login/", **SECURE)
    assert response.status_code == 200
    assert directives(response)["script-src"] == ["'self'"]
    assert directives(response)["style-src"] == ["'self'"]


def test_wagtail_admin_alone_may_run_inline_scripts_and_styles(client, db, production_security):
    response = client.get("/admin/login/", **SECURE)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_swagger_ui_may_run_its_inline_script_and_only_its_own_inline_style(
    client, db, production_security
):
    """Its script carries the CSRF token (no fixed hash); its style block is fixed."""
    response = client.get("/api/docs/", **SECURE)
    assert response.status_code == 200
    styles = re.findall(r"<style>(.*?)</style>", response.content.decode(), re.S)
    assert len(styles) == 1
    policy = directives(response)
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    # If drf-spectacular's page changes, the hash must follow or Swagger UI loses its style.
    assert policy["style-src"] == ["'self'", _sha256(styles[0])]
    assert policy["object-src"] == ["'none'"]


# --- Redis outage -------------------------------------------------------------------------

UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "portal.cache.ForgivingRedisCache",
        "LOCATION": CLOSED_PORT_REDIS,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def test_an_unreachable_redis_cache_reads_as_misses_and_drops_writes():
    from django.core.cache import caches

    with override_settings(CACHES=UNREACHABLE_CACHE):
        cache = caches["default"]
        cache.set("k", "v")
        assert cache.get("k", "fallback") == "fallback"
        assert cache.add("k", "v") is True  # go ahead: debounces and counters fail open
        assert cache.get_many(["k"]) == {} and cache.has_key("k") is False
        assert cache.get_or_set("k", "computed") == "computed"
        assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]  # neither was stored
        assert cache.touch("k") is False and cache.delete("k") is False
        cache.delete_many(["a", "b"])


def test_customers_are_served_while_the_redis_cache_is_down(client, demo_articles):
    with override_settings(CACHES=UNREACHABLE_CACHE):
        suggest = client.get("/api/v1/suggest", {"q": "reset my password"})  # throttled by cache
        contact = client.get("/support/new/")  # rate-limited by cache
    assert suggest.status_code == 200
    assert suggest.json()["results"][0]["title"] == "Reset your password"
    assert contact.status_code == 200
