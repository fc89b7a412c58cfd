"""The placeholders of saved replies: which exist, checking them at save time, filling them in.

`{customer_name}`, `{reference}`, `{subject}`, `{agent_name}` and `{article:<id>}`. Parsed with
a pattern, never with `str.format`, whose `{x.attr}` would let a reply read any attribute.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Anything word-like in braces is meant as a placeholder, so a typo is refused rather than
# sent to a customer; other braces ("{ }", JSON) are left as typed.
PLACEHOLDER = re.compile(r"\{\s*([A-Za-z_]\w*)\s*(?::\s*([^{}]*?)\s*)?\}")
SIMPLE = ("customer_name", "reference", "subject", "agent_name")
ARTICLE = "article"
KNOWN = (*SIMPLE, f"{ARTICLE}:<id>")


@dataclass(frozen=True)
class Values:
    """What a reply is filled in with; empty strings are the missing values."""

    customer_name: str
    reference: str
    subject: str
    agent_name: str


def article_ids(body: str) -> set[int]:
    return {
        int(arg) for name, arg in PLACEHOLDER.findall(body) if name == ARTICLE and arg.isdigit()
    }


def check_placeholders(body: str) -> None:
    """Refuse unknown placeholders and links to articles that are not published."""
    from kb.selectors import live_articles

    errors = []
    for match in PLACEHOLDER.finditer(body):
        name, arg = match.group(1), match.group(2)
        if name == ARTICLE:
            if not (arg and arg.isascii() and arg.isdigit() and len(arg) < 12):
                errors.append(
                    _("%(placeholder)s needs an article id, as in {article:42}.")
                    % {"placeholder": match.group()}
                )
        elif name not in SIMPLE or arg is not None:
            errors.append(
                _("%(placeholder)s is not a placeholder. Use one of: %(known)s.")
                % {"placeholder": match.group(), "known": ", ".join(f"{{{k}}}" for k in KNOWN)}
            )
    wanted = article_ids(body) if not errors else set()
    missing = wanted - set(live_articles().filter(pk__in=wanted).values_list("pk", flat=True))
    for pk in sorted(missing):
        errors.append(_("{article:%(id)s}: no published article has that id.") % {"id": pk})
    if errors:
        raise ValidationError(errors)


def fill_placeholders(body: str, values: Values) -> str:
    """The reply as the customer reads it; a missing value reads naturally, never "None"."""
    from kb.selectors import kb_root, live_articles

    base_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    articles = {a.pk: a for a in live_articles().filter(pk__in=article_ids(body))}
    simple = {
        # "Hi {customer_name}," reads "Hi there," for a guest: the usual helpdesk fallback.
        "customer_name": values.customer_name or gettext("there"),
        "reference": values.reference,
        "subject": values.subject,
        # An agent without a name on their account signs as the team.
        "agent_name": values.agent_name
        or gettext("%(site)s support") % {"site": settings.WAGTAIL_SITE_NAME},
    }

    def fill(match: re.Match) -> str:
        name, arg = match.group(1), match.group(2)
        if name == ARTICLE:
            article = articles.get(int(arg)) if arg and arg.isdigit() else None
            if article is None:
                # Unpublished since the reply was saved: point at the help centre instead.
                root = kb_root()
                return f"{base_url}{root.url if root and root.url else '/'}"
            return f"{article.title}: {base_url}{article.url}"
        return simple.get(name, match.group())

    return PLACEHOLDER.sub(fill, body)
