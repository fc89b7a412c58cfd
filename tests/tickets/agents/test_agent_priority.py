"""An agent changes a ticket's priority: recorded once in its history, SLA targets follow."""

import pytest
from django.test import Client

from tests.factories import PASSWORD, make_ticket, ticket_change_url, ticket_page_form
from tickets.models import SlaState, Ticket, TicketEvent

pytestmark = pytest.mark.django_db
Priority = Ticket.Priority


@pytest.fixture
def agent_client(agent):
    client = Client()
    client.login(username=agent.email, password=PASSWORD)
    return client


def save_ticket_page(client, ticket, **changes):
    response = client.post(ticket_change_url(ticket), ticket_page_form(ticket, **changes))
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket.refresh_from_db()
    return ticket


def priority_changes(ticket) -> list[tuple[str, str]]:
    events = ticket.events.filter(kind=TicketEvent.Kind.PRIORITY)
    return list(events.values_list("from_value", "to_value"))


def test_raising_the_priority_is_recorded_with_the_agent_and_tightens_the_sla(
    agent_client, agent, customer
):
    ticket = make_ticket(customer, subject="Payroll export broken")
    Ticket.objects.filter(pk=ticket.pk).update(priority=Priority.NORMAL, sla_state=SlaState.OK)
    ticket.refresh_from_db()
    before_due = ticket.resolution_due_at

    save_ticket_page(agent_client, ticket, priority=Priority.URGENT)
    assert ticket.priority == Priority.URGENT
    assert "set by an agent" in ticket.priority_reason
    assert priority_changes(ticket) == [(Priority.NORMAL, Priority.URGENT)]
    assert ticket.events.get(kind=TicketEvent.Kind.PRIORITY).actor == agent
    # Free tier: urgent is resolved within 1 440 business minutes, normal within 4 800.
    assert ticket.resolution_due_at < before_due
    assert ticket.first_response_due_at < ticket.resolution_due_at
    html = agent_client.get(ticket_change_url(ticket)).content.decode()
    assert "set by an agent" in html


def test_saving_the_ticket_page_without_changing_the_priority_records_nothing(
    agent_client, customer
):
    ticket = make_ticket(customer)
    reason, due = ticket.priority_reason, ticket.resolution_due_at
    save_ticket_page(agent_client, ticket)
    save_ticket_page(agent_client, ticket)
    assert priority_changes(ticket) == []
    assert (ticket.priority_reason, ticket.resolution_due_at) == (reason, due)


def test_lowering_then_raising_again_keeps_each_change_in_order(agent_client, customer):
    ticket = make_ticket(customer)
    Ticket.objects.filter(pk=ticket.pk).update(priority=Priority.NORMAL)
    ticket.refresh_from_db()
    save_ticket_page(agent_client, ticket, priority=Priority.LOW)
    save_ticket_page(agent_client, ticket, priority=Priority.HIGH)
    assert priority_changes(ticket) == [
        (Priority.NORMAL, Priority.LOW),
        (Priority.LOW, Priority.HIGH),
    ]
    assert ticket.priority == Priority.HIGH
