"""Reads of the support flow for customers' pages and the API."""

from django.db.models import QuerySet

from .access import tickets_visible_to
from .models import ContactSession, Ticket, TicketMessage
from .services import browser_key_for


def contact_session_for_visitor(*, session_id, user, browser_session_key) -> ContactSession | None:
    """The contact session with this id if this visitor started it, else None."""
    if not session_id:
        return None
    sessions = ContactSession.objects.filter(pk=session_id)
    if user is not None and user.is_authenticated:
        return sessions.filter(user=user).first()
    key = browser_key_for(browser_session_key)
    return sessions.filter(user__isnull=True, browser_key=key).first() if key else None


def ticket_list_for_customer(*, user, session) -> QuerySet[Ticket]:
    return tickets_visible_to(user=user, session=session).order_by("-created_at")


def ticket_for_customer(*, reference: str, user, session) -> Ticket | None:
    pk = Ticket.pk_from_reference(reference)
    if pk is None:
        return None
    return (
        tickets_visible_to(user=user, session=session)
        .select_related("resolved_article", "category")
        .filter(pk=pk)
        .first()
    )


def public_thread(ticket: Ticket) -> QuerySet[TicketMessage]:
    """What the customer sees of the thread: every message but agents' internal notes."""
    return ticket.messages.filter(internal=False).select_related("author")
