"""How ticket text reads on a page: message bodies as safe HTML with live links, times as "ago"."""

from datetime import datetime

import nh3
from django.utils import timezone
from django.utils.html import linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

# What a rendered message may contain: paragraphs, line breaks and links, nothing the
# customer or agent could have typed as markup (that stays text).
MESSAGE_TAGS = {"p", "br", "a"}
MESSAGE_LINK_SCHEMES = {"http", "https", "mailto"}
# An agent's link opens another site; it gets no access to this page or our referrer.
MESSAGE_LINK_REL = "noopener noreferrer nofollow"
MINUTE, HOUR, DAY = 60, 3600, 86400
MINUTES_AGO = ngettext_lazy("%(n)d minute ago", "%(n)d minutes ago", "n")
LARGER_UNITS = (
    (365 * DAY, ngettext_lazy("%(n)d year ago", "%(n)d years ago", "n")),
    (30 * DAY, ngettext_lazy("%(n)d month ago", "%(n)d months ago", "n")),
    (7 * DAY, ngettext_lazy("%(n)d week ago", "%(n)d weeks ago", "n")),
    (DAY, ngettext_lazy("%(n)d day ago", "%(n)d days ago", "n")),
    (HOUR, ngettext_lazy("%(n)d hour ago", "%(n)d hours ago", "n")),
)


def message_html(body: str) -> SafeString:
    """A message typed as plain text, as HTML: paragraphs, line breaks, and its addresses as links.

    Messages are stored as the text people typed. Everything else in them is escaped, and the
    sanitiser runs last so that no step after it can bring markup back.
    """
    linked = urlize(body or "", nofollow=True, autoescape=True)
    # Safe: nh3 has just reduced it to the three tags above.
    return mark_safe(
        nh3.clean(
            linebreaks(linked),
            tags=MESSAGE_TAGS,
            attributes={"a": {"href"}},
            url_schemes=MESSAGE_LINK_SCHEMES,
            link_rel=MESSAGE_LINK_REL,
        )
    )


def time_ago(value: datetime | None, *, now: datetime | None = None) -> str:
    """How long ago, the way people say it: "just now", "5 minutes ago", "2 days ago"."""
    if value is None:
        return ""
    seconds = max(0, int(((now or timezone.now()) - value).total_seconds()))
    if seconds < MINUTE:
        return str(_("just now"))
    for unit, phrase in LARGER_UNITS:
        if seconds >= unit:
            return phrase % {"n": seconds // unit}
    return MINUTES_AGO % {"n": seconds // MINUTE}
