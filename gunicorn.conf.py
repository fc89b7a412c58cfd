"""gunicorn's settings that the application depends on; gunicorn reads this file from the
directory it starts in, so `gunicorn portal.wsgi:application` and `make serve-prod` share it.

The API's schema bounds its query parameters so that a request line fits this limit even when
every character is percent-encoded from 4 bytes of UTF-8 (tests/portal/test_api_schema_limits.py).
"""

limit_request_line = 8190  # gunicorn's maximum; its default, 4094, refused valid queries (414)
