"""Settings for the test suite: fast hashing, synchronous tasks, mail kept in memory."""

import os
from pathlib import Path

from portal.settings.base import *  # noqa: F403
from portal.settings.base import DATABASES, Q_CLUSTER, VAR_DIR

DEBUG = False
SECRET_KEY = "test-only-insecure-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Tasks run in the calling process, so a test sees their effect at once.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file rather than memory, so that the tests which start a second process share it.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("TEST_SQLITE_NAME", str(VAR_DIR / "test.sqlite3"))
    }

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILADMIN_BASE_URL = "http://testserver"
# Every suggestion call checks for a newer index, so tests see changes at once.
SUGGEST_INDEX_LOAD_IN_BACKGROUND = os.environ.get("SUGGEST_INDEX_LOAD_IN_BACKGROUND") == "1"
SUGGEST_INDEX_CHECK_SECONDS = float(os.environ.get("SUGGEST_INDEX_CHECK_SECONDS", "0"))
# Index files of the test database's snapshots, apart from those of the development server.
DEFLECT_INDEX_DIR = Path(os.environ.get("DEFLECT_INDEX_DIR", VAR_DIR / "test-index"))
