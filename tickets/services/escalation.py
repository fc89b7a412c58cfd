"""SLA escalation: the job that marks tickets at risk or breached and raises each breach once."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import groups, notifications
from tickets.models import SlaState, SupportSettings, Ticket, TicketEvent
from tickets.services.lifecycle import event_record, ticket_set_priority
from tickets.triage.sla import at_risk, running_targets


def slas_check(*, now: datetime | None = None) -> dict:
    """Mark tickets at risk or breached; escalate each breach once (safe to run any time)."""
    now = now or timezone.now()
    settings = SupportSettings.current()
    counts = {"at_risk": 0, "breached": 0, "escalated": 0}
    running = Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES).exclude(
        sla_state=SlaState.NONE
    )
    due_soon = running.filter(
        Q(first_response_at__isnull=True, first_response_due_at__lte=now + timedelta(days=30))
        | Q(resolution_due_at__lte=now + timedelta(days=30))
    )
    for pk in due_soon.values_list("pk", flat=True).iterator(2000):
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=pk)
            targets = running_targets(ticket)
            overdue = [name for name, due in targets if due <= now]
            escalated = [name for name in overdue if ticket_escalate(ticket=ticket, target=name)]
            counts["escalated"] += len(escalated)
            if overdue:
                state = SlaState.BREACHED
            elif any(at_risk(ticket, due, now, settings) for _name, due in targets):
                state = SlaState.AT_RISK
            else:
                state = ticket.sla_state if ticket.sla_state == SlaState.BREACHED else SlaState.OK
            if state != ticket.sla_state or escalated:
                ticket.sla_state = state
                ticket.save(update_fields=["sla_state", "updated_at"])
            counts[state] = counts.get(state, 0) + 1
    return counts


@transaction.atomic
def ticket_escalate(*, ticket: Ticket, target: str) -> bool:
    """A target was missed: record it, raise the priority a step as an agent would, and tell
    whoever should act. Once per target; False if it was escalated already."""
    ticket = (
        Ticket.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=ticket.pk)
    )
    if ticket.events.filter(kind=TicketEvent.Kind.ESCALATED, to_value=target).exists():
        return False
    event_record(ticket, TicketEvent.Kind.ESCALATED, from_value=ticket.priority, to_value=target)
    ticket_set_priority(
        ticket=ticket,
        priority=Ticket.Priority.stepped(ticket.priority, 1),
        actor=None,
        reason=_("SLA breached (%(target)s)") % {"target": target.replace("_", " ")},
        replan_sla=False,
    )
    for recipient in _who_acts(ticket):
        notifications.queue(ticket, notifications.Kind.SLA_BREACHED, recipient=recipient)
    return True


def _who_acts(ticket: Ticket) -> list[str]:
    if ticket.assignee_id and ticket.assignee.email:
        return [ticket.assignee.email]
    return list(
        get_user_model()
        .objects.filter(groups__name=groups.AGENTS, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
