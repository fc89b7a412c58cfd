"""Who a ticket waits on besides the customer: another team, named, with its history kept."""

from django.db import transaction

from tickets.models import Team, Ticket, TicketEvent
from tickets.services.lifecycle import event_record, touch


@transaction.atomic
def ticket_set_waiting_on(*, ticket: Ticket, team: Team | None, actor) -> Ticket:
    """Hand the ticket to another team (or take it back); the change is a handoff in history."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.waiting_on_team_id == (team.pk if team else None):
        return ticket
    previous = ticket.waiting_on_team.name if ticket.waiting_on_team_id else ""
    event_record(
        ticket,
        TicketEvent.Kind.WAITING_ON,
        actor=actor,
        from_value=previous[:64],
        to_value=(team.name if team else "")[:64],
    )
    ticket.waiting_on_team = team
    touch(ticket, "waiting_on_team")
    return ticket
