"""An agent's edit of a ticket page: every change it makes, through the services, in order."""

from dataclasses import dataclass

from django.db import transaction

from kb.models import ArticlePage, CategoryPage
from tickets.models import SavedReply, Team, Ticket
from tickets.services.lifecycle import (
    Resolution,
    Status,
    ticket_assign,
    ticket_close,
    ticket_reply,
    ticket_resolve,
    ticket_set_category,
    ticket_set_priority,
    ticket_set_status,
)
from tickets.services.merging import tickets_merge
from tickets.services.saved_replies import saved_reply_apply
from tickets.services.waiting import ticket_set_waiting_on


@dataclass(frozen=True)
class TicketEdit:
    """What the agent's form says; a field they left alone holds the ticket's value."""

    assignee: object | None  # an agent (a staff user), or nobody
    priority: str
    category: CategoryPage | None
    waiting_on_team: Team | None
    status: str
    resolution: str = ""
    resolution_article: ArticlePage | None = None
    reply: str = ""
    reply_internal: bool = False
    saved_reply: SavedReply | None = None
    # The reply sent this article and the agent says it answered the question: resolve with it.
    answered_by: ArticlePage | None = None
    merge_into: Ticket | None = None


@transaction.atomic
def ticket_edit(*, ticket: Ticket, actor, edit: TicketEdit) -> Ticket:
    """Apply an agent's edit: fields first, then the reply, then where the ticket goes.

    The status is compared with the one the agent saw, not the one the reply leaves (a reply
    waits on the customer): leaving the field alone keeps the reply's status.
    """
    before = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if before.assignee_id != (edit.assignee.pk if edit.assignee else None):
        ticket_assign(ticket=before, assignee=edit.assignee, actor=actor)
    ticket_set_priority(ticket=before, priority=edit.priority, actor=actor)
    ticket_set_category(ticket=before, category=edit.category, actor=actor)
    ticket_set_waiting_on(ticket=before, team=edit.waiting_on_team, actor=actor)
    if edit.reply:
        ticket_reply(ticket=before, author=actor, body=edit.reply, internal=edit.reply_internal)
    if edit.saved_reply is not None:
        saved_reply_apply(ticket=before, reply=edit.saved_reply, agent=actor)
    if edit.answered_by is not None:
        return ticket_resolve(
            ticket=before,
            actor=actor,
            resolution=Resolution.ANSWERED_BY_ARTICLE,
            article=edit.answered_by,
        )
    if edit.merge_into is not None:
        tickets_merge(source=before, target=edit.merge_into, actor=actor)
        return Ticket.objects.get(pk=before.pk)
    if edit.status == Status.RESOLVED:
        if (
            before.status != Status.RESOLVED
            or edit.resolution != before.resolution
            or edit.resolution_article != before.resolved_article
        ):
            return ticket_resolve(
                ticket=before,
                actor=actor,
                resolution=edit.resolution,
                article=edit.resolution_article,
            )
    elif edit.status == Status.CLOSED and before.status != Status.CLOSED:
        return ticket_close(
            ticket=before,
            actor=actor,
            resolution=edit.resolution,
            article=edit.resolution_article,
        )
    elif edit.status != before.status:
        return ticket_set_status(ticket=before, status=edit.status, actor=actor)
    return Ticket.objects.get(pk=before.pk)
