"""Settings come from the environment; production refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.settings.base import email_settings_from_url

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    # A real deployment has none of these (the browser tests set the last one for themselves).
    unset = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="x" * 30 + "-a-long-random-production-secret-value",
        ALLOWED_HOSTS="support.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_settings_refuse_to_start_without_secret_or_hosts(missing):
    env = {"SECRET_KEY": "s" * 60, "ALLOWED_HOSTS": "support.example.com"}
    del env[missing]
    result = manage("check", **env)
    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_email_url_selects_smtp_with_credentials_and_tls():
    settings = email_settings_from_url("smtp://mailer:p%40ss@mail.example.com:587?tls=1")
    assert settings["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert settings["EMAIL_HOST"] == "mail.example.com"
    assert settings["EMAIL_PORT"] == 587
    assert settings["EMAIL_HOST_USER"] == "mailer"
    assert settings["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert settings["EMAIL_USE_TLS"] is True


def test_email_url_defaults_to_console_and_rejects_unknown_schemes():
    assert email_settings_from_url("console:")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    with pytest.raises(ValueError, match="EMAIL_URL scheme"):
        email_settings_from_url("pigeon://loft")


def test_database_and_redis_urls_switch_backends():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE']);"
        "print(s.CACHES['default']['BACKEND']);"
        "print('redis' in s.Q_CLUSTER, 'orm' in s.Q_CLUSTER)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/deflect",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.split("\n")
    assert out[0] == "django.db.backends.postgresql"
    assert out[1] == "portal.cache.ForgivingRedisCache"
    assert out[2] == "True False"
    env.pop("DATABASE_URL"), env.pop("REDIS_URL")
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.split("\n")
    assert out[0] == "django.db.backends.sqlite3"
    assert out[1] == "django.core.cache.backends.locmem.LocMemCache"
    assert out[2] == "False True"
