"""The one way the ticket admin writes a moment, as the conversation does: "30 Nov 2026 14:05"."""

from django.utils import timezone
from django.utils.dateformat import format as date_format

DATETIME_FORMAT = "d M Y H:i"


def admin_datetime(value) -> str:
    return date_format(timezone.localtime(value), DATETIME_FORMAT) if value else "—"
