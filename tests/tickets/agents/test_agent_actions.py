"""Agent actions are services: the ticket page, SLA escalation and any other caller share them."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD, make_ticket, ticket_change_url, ticket_page_form
from tickets import services
from tickets.models import Notification, Ticket, TicketEvent

pytestmark = pytest.mark.django_db
Status, Resolution, Priority = Ticket.Status, Ticket.Resolution, Ticket.Priority


def statuses(ticket) -> list[tuple[str, str]]:
    return list(
        ticket.events.filter(kind=TicketEvent.Kind.STATUS)
        .order_by("pk")
        .values_list("from_value", "to_value")
    )


def close_on_the_ticket_page(ticket, agent):
    client = Client()
    client.login(username=agent.email, password=PASSWORD)
    response = client.post(
        ticket_change_url(ticket),
        ticket_page_form(ticket, status=Status.CLOSED, resolution=Resolution.NOT_KB),
    )
    assert response.status_code == 302


def close_through_the_service(ticket, agent):
    services.ticket_close(ticket=ticket, actor=agent, resolution=Resolution.NOT_KB)


# --- closing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("close", [close_on_the_ticket_page, close_through_the_service])
def test_closing_an_unresolved_ticket_resolves_it_first(close, customer, agent):
    ticket = make_ticket(customer)
    services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)  # new -> open
    close(ticket, agent)
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.resolution == Resolution.NOT_KB
    assert ticket.resolved_at is not None
    assert statuses(ticket) == [("new", "open"), ("open", "resolved"), ("resolved", "closed")]
    # The customer hears it was resolved, as with any resolution.
    assert Notification.objects.filter(ticket=ticket, kind="ticket_resolved").exists()


def test_closing_a_reopened_ticket_resolves_it_again_as_it_was_resolved(customer, agent):
    ticket = make_ticket(customer)
    services.ticket_resolve(ticket=ticket, actor=agent, resolution=Resolution.KB_GAP)
    services.ticket_reply(ticket=ticket, author=customer, body="It's back.")  # reopens it
    services.ticket_close(ticket=ticket, actor=agent)
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.resolution == Resolution.KB_GAP
    assert statuses(ticket)[-2:] == [("open", "resolved"), ("resolved", "closed")]


def test_closing_in_bulk_follows_the_same_rule(customer, agent):
    ticket = make_ticket(customer)
    services.ticket_resolve(ticket=ticket, actor=agent, resolution=Resolution.KB_GAP)
    services.ticket_reply(ticket=ticket, author=customer, body="It's back.")  # reopens it
    client = Client()
    client.login(username=agent.email, password=PASSWORD)
    client.post(
        "/django-admin/tickets/ticket/?queue=all",
        {"action": "close_tickets", "_selected_action": [str(ticket.pk)]},
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert statuses(ticket)[-2:] == [("open", "resolved"), ("resolved", "closed")]


def test_a_ticket_never_resolved_cannot_be_closed_without_saying_what_resolved_it(customer, agent):
    ticket = make_ticket(customer)
    with pytest.raises(ValidationError):
        services.ticket_close(ticket=ticket, actor=agent)
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and not statuses(ticket)


def test_closing_a_closed_ticket_changes_nothing(customer, agent):
    ticket = make_ticket(customer)
    services.ticket_close(ticket=ticket, actor=agent, resolution=Resolution.NOT_KB)
    before = ticket.events.count()
    services.ticket_close(ticket=ticket, actor=agent, resolution=Resolution.KB_GAP)
    ticket.refresh_from_db()
    assert ticket.resolution == Resolution.NOT_KB and ticket.events.count() == before


# --- priorities ----------------------------------------------------------------------------------


def test_priorities_step_along_one_order_and_stop_at_the_ends():
    assert list(Priority) == [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]
    assert Priority.stepped(Priority.NORMAL, 1) == Priority.HIGH
    assert Priority.stepped(Priority.HIGH, 5) == Priority.URGENT
    assert Priority.stepped(Priority.NORMAL, -3) == Priority.LOW
    assert Priority.stepped("unheard of", 1) == Priority.HIGH  # counts as normal


def priority_history(ticket) -> list[tuple]:
    return list(
        ticket.events.filter(kind=TicketEvent.Kind.PRIORITY).values_list(
            "kind", "from_value", "to_value"
        )
    )


def test_sla_escalation_writes_the_same_history_as_an_agents_priority_change(customer, agent):
    by_agent, by_sla = make_ticket(customer), make_ticket(customer, subject="Invoice missing")
    Ticket.objects.filter(pk__in=[by_agent.pk, by_sla.pk]).update(priority=Priority.NORMAL)
    services.ticket_set_priority(ticket=by_agent, priority=Priority.HIGH, actor=agent)
    Ticket.objects.filter(pk=by_sla.pk).update(
        first_response_due_at=timezone.now() - timedelta(minutes=1)
    )
    assert services.slas_check()["escalated"] == 1
    by_agent.refresh_from_db(), by_sla.refresh_from_db()
    assert (
        priority_history(by_sla) == priority_history(by_agent) == [("priority", "normal", "high")]
    )
    assert by_sla.priority == by_agent.priority == Priority.HIGH
    assert by_sla.priority_reason == "high: SLA breached (first response)"
    assert by_agent.priority_reason == "high: set by an agent"
    # Only the agent's change counts as an agent touching the ticket (zombie figures).
    assert by_sla.last_agent_activity_at is None and by_agent.last_agent_activity_at is not None


def test_an_escalation_keeps_the_due_times_so_one_breach_does_not_cause_the_next(customer):
    ticket = make_ticket(customer)
    resolution_due = timezone.now() + timedelta(hours=2)
    Ticket.objects.filter(pk=ticket.pk).update(
        priority=Priority.NORMAL,
        first_response_due_at=timezone.now() - timedelta(minutes=1),
        resolution_due_at=resolution_due,
    )
    services.slas_check()
    again = services.slas_check()
    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH and ticket.resolution_due_at == resolution_due
    assert again["escalated"] == 0
