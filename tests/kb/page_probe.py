"""A second portal process for page-cache tests: reads paths on stdin, prints status and body."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
django.setup()

from django.test import Client  # noqa: E402

reader = Client()
for line in sys.stdin:
    response = reader.get(line.strip())
    body = response.content.decode() if response.status_code == 200 else ""
    print(json.dumps([response.status_code, body]), flush=True)  # noqa: T201
