"""Template filters for the backlog figures."""

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def short_duration(value: timedelta | None) -> str:
    """A duration the way people say it: "45 min", "5.2 h", "3.1 days"."""
    if value is None:
        return "—"
    seconds = value.total_seconds()
    if seconds < 3600:
        return _("%(n)d min") % {"n": round(seconds / 60)}
    if seconds < 2 * 86400:
        return _("%(n).1f h") % {"n": seconds / 3600}
    return _("%(n).1f days") % {"n": seconds / 86400}
