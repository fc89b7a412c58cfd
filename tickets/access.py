"""Who may read a ticket: its customer's account, or a browser holding one of its live links.

A link is a random token; only its hash is stored, so the database cannot mail it again, and
revoking a ticket's links also shuts out every browser that opened one.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from tickets.models import Ticket, TicketLink

SESSION_KEY = "tickets_opened_links"  # ids of TicketLink rows this browser opened
TOKEN_MAX_LENGTH = 100


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _link_create(ticket: Ticket) -> tuple[TicketLink, str]:
    token = secrets.token_urlsafe(32)
    return TicketLink.objects.create(ticket=ticket, token_hash=_hash(token)), token


def link_issue(ticket: Ticket) -> str:
    """A new personal link token for the ticket (to e-mail; it cannot be read back later)."""
    return _link_create(ticket)[1]


def link_from_token(token: str) -> TicketLink | None:
    """The live link this token is, or None if it is unknown, revoked or expired."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    oldest = timezone.now() - timedelta(seconds=settings.TICKET_LINK_MAX_AGE)
    return (
        TicketLink.objects.select_related("ticket")
        .filter(token_hash=_hash(token), revoked_at__isnull=True, created_at__gte=oldest)
        .first()
    )


def links_revoke(ticket: Ticket) -> int:
    """Every link of the ticket stops working, in mailboxes and in browsers that opened one."""
    return TicketLink.objects.filter(ticket=ticket, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def remember_link(session, link: TicketLink) -> None:
    opened = set(session.get(SESSION_KEY, []))
    opened.add(link.pk)
    session[SESSION_KEY] = sorted(opened)[-50:]


def remember_ticket(session, ticket: Ticket) -> None:
    """A browser that proved it may follow the ticket (it filed it without an account, or came
    by a signed link from the customer's mailbox) follows it as if it had opened its link."""
    remember_link(session, _link_create(ticket)[0])


def tickets_visible_to(*, user, session) -> QuerySet[Ticket]:
    """Tickets this visitor may read as a customer (agents use the admin queue)."""
    opened = session.get(SESSION_KEY, []) if session is not None else []
    by_link = Ticket.objects.filter(
        pk__in=TicketLink.objects.filter(pk__in=opened, revoked_at__isnull=True).values("ticket")
    )
    if user is not None and user.is_authenticated:
        return Ticket.objects.filter(customer=user) | by_link
    return by_link
