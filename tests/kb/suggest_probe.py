"""A second portal process for freshness tests: reads queries on stdin, prints suggestion ids."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
django.setup()

from kb.selectors import suggest_articles  # noqa: E402

for line in sys.stdin:
    result = suggest_articles(line.strip())
    print(json.dumps([s.key for s in result.suggestions]), flush=True)  # noqa: T201
