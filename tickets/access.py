"""Who may read a ticket: its customer's account, or a browser holding its signed link."""

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet

from .models import Ticket

SALT = "tickets.access-link"
SESSION_KEY = "tickets_opened_by_link"


def access_token(ticket: Ticket) -> str:
    return signing.dumps({"t": ticket.pk, "e": ticket.customer_email}, salt=SALT, compress=True)


def ticket_from_token(token: str) -> Ticket | None:
    """The ticket a signed link opens, or None if the link is forged, altered or expired."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.TICKET_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    return Ticket.objects.filter(pk=data.get("t"), customer_email=data.get("e")).first()


def remember_link(session, ticket: Ticket) -> None:
    opened = set(session.get(SESSION_KEY, []))
    opened.add(ticket.pk)
    session[SESSION_KEY] = sorted(opened)[-50:]


def tickets_visible_to(*, user, session) -> QuerySet[Ticket]:
    """Tickets this visitor may read as a customer (agents use the admin queue)."""
    opened = session.get(SESSION_KEY, []) if session is not None else []
    if user is not None and user.is_authenticated:
        return Ticket.objects.filter(customer=user) | Ticket.objects.filter(pk__in=opened)
    return Ticket.objects.filter(pk__in=opened)
