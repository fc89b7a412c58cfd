"""Saved replies on a ticket: filled in, sent as an agent reply, actions applied, counted."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tickets.models import SavedReply, SavedReplyUse, Ticket, TicketMessage
from tickets.placeholders import Values, fill_placeholders
from tickets.services.lifecycle import (
    ticket_reply,
    ticket_set_category,
    ticket_set_priority,
    ticket_set_status,
)


def saved_reply_render(*, ticket: Ticket, reply: SavedReply, agent) -> str:
    """The reply's text as this ticket's customer will read it."""
    customer = ticket.customer
    return fill_placeholders(
        reply.body,
        Values(
            customer_name=(customer.get_full_name() if customer else "").strip(),
            reference=ticket.reference,
            subject=ticket.subject,
            agent_name=(agent.first_name or agent.get_full_name()).strip() if agent else "",
        ),
    )


@transaction.atomic
def saved_reply_apply(*, ticket: Ticket, reply: SavedReply, agent) -> TicketMessage:
    """Send the reply through `ticket_reply` (so the customer is e-mailed), then its actions."""
    if agent is None or not agent.is_staff:
        raise ValidationError(_("Only agents can send saved replies."))
    if not reply.active:
        raise ValidationError(_("That saved reply has been retired."))
    message = ticket_reply(
        ticket=ticket,
        author=agent,
        body=saved_reply_render(ticket=ticket, reply=reply, agent=agent),
    )
    # After the reply, which would otherwise leave the ticket waiting on the customer.
    if reply.set_status:
        ticket_set_status(ticket=ticket, status=reply.set_status, actor=agent)
    if reply.set_category_id:
        ticket_set_category(ticket=ticket, category=reply.set_category, actor=agent)
    if reply.set_priority:
        ticket_set_priority(ticket=ticket, priority=reply.set_priority, actor=agent)
    SavedReplyUse.objects.create(reply=reply, ticket=ticket, agent=agent, message=message)
    return message
