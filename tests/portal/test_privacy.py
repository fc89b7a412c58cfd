"""A customer can take their data away; an admin can erase it, keeping anonymous statistics."""

import json

import pytest
from django.test import Client

from portal.models import User
from tests.factories import make_ticket, make_user, signed_in
from tickets.models import ContactSession, Ticket, TicketMessage
from tickets.services import ticket_reply

pytestmark = pytest.mark.django_db


def test_a_customer_downloads_their_tickets_and_messages_but_not_internal_notes(
    customer, other_customer, agent
):
    mine = make_ticket(customer, subject="My export", description="Mine")
    make_ticket(other_customer, subject="Their export", description="Theirs")
    ticket_reply(ticket=mine, author=agent, body="Public answer")
    ticket_reply(ticket=mine, author=agent, body="Internal remark", internal=True)
    response = signed_in(customer).get("/support/my-data/")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["email"] == customer.email
    assert [t["reference"] for t in data["tickets"]] == [mine.reference]
    bodies = [m["body"] for m in data["tickets"][0]["messages"]]
    assert bodies == ["Public answer"]
    assert Client().get("/support/my-data/").status_code == 302


def test_an_admin_erases_a_customer_and_the_statistics_remain(customer, agent):
    ticket = make_ticket(
        customer, subject="Call me on +44 20 7946 0000", description="I am Jo Bloggs"
    )
    ticket_reply(ticket=ticket, author=customer, body="My address is 1 High Street")
    ticket_reply(ticket=ticket, author=agent, body="Thanks")
    ContactSession.objects.create(user=customer, subject="Jo's question", email=customer.email)
    admin = make_user("root@example.com", is_staff=True, is_superuser=True)
    signed_in(admin).post(
        "/django-admin/portal/user/",
        {"action": "erase_personal_data", "_selected_action": [customer.pk]},
    )
    assert not User.objects.filter(email="customer@example.com").exists()
    ticket.refresh_from_db()
    assert ticket.customer is None and "customer@example.com" not in ticket.customer_email
    assert ticket.subject == ticket.description == "[erased]"
    assert not TicketMessage.objects.filter(body__contains="High Street").exists()
    assert TicketMessage.objects.filter(body="Thanks").exists()  # the agent's words stay
    assert not ContactSession.objects.filter(subject__contains="Jo").exists()
    assert Ticket.objects.count() == 1 and ticket.events.exists()  # statistics survive


def test_staff_accounts_are_not_erased_by_the_customer_action(agent):
    admin = make_user("root@example.com", is_staff=True, is_superuser=True)
    signed_in(admin).post(
        "/django-admin/portal/user/",
        {"action": "erase_personal_data", "_selected_action": [agent.pk]},
    )
    assert User.objects.filter(pk=agent.pk).exists()


def test_a_customers_rating_is_in_their_download_and_its_comment_is_erased_with_them(
    customer, agent
):
    from tickets.services import ticket_rate, ticket_resolve
    from tickets.services.privacy import customer_erase

    ticket = make_ticket(customer)
    ticket_resolve(ticket=ticket, actor=agent, resolution=Ticket.Resolution.NOT_KB)
    ticket_rate(ticket=ticket, rating="bad", comment="Jo Bloggs was kept waiting")
    data = json.loads(signed_in(customer).get("/support/my-data/").content)
    assert data["tickets"][0]["your_rating"]["comment"] == "Jo Bloggs was kept waiting"
    customer_erase(user=customer)
    ticket.refresh_from_db()
    assert (ticket.satisfaction.rating, ticket.satisfaction.comment) == ("bad", "[erased]")
