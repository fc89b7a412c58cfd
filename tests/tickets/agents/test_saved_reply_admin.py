"""Agents send saved replies from the ticket page and manage them in the Django admin."""

import pytest
from django.contrib.auth.models import Permission

from tests.factories import (
    make_agent,
    make_ticket,
    make_user,
    signed_in,
    ticket_change_url,
    ticket_page_form,
)
from tickets import groups
from tickets.models import SavedReply, Ticket
from tickets.services import saved_reply_apply, ticket_resolve

pytestmark = pytest.mark.django_db
REPLIES = "/django-admin/tickets/savedreply/"


def test_an_agent_sends_a_saved_reply_from_the_ticket_page_and_the_customer_reads_it(agent):
    customer = make_user("jane@example.com", first_name="Jane")
    reply = SavedReply.objects.create(
        title="Export steps",
        body="Hi {customer_name}, for {reference}: open Reports, Export.",
        set_priority="high",
    )
    ticket = make_ticket(customer)
    client = signed_in(agent)
    page = client.get(ticket_change_url(ticket)).content.decode()
    assert "Send a saved reply" in page and "Export steps (used 0 times)" in page
    response = client.post(
        ticket_change_url(ticket), ticket_page_form(ticket, saved_reply=reply.pk)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket.refresh_from_db()
    assert ticket.priority == "high" and reply.uses.count() == 1
    seen = signed_in(customer).get(f"/support/tickets/{ticket.reference}/").content.decode()
    assert f"Hi Jane, for {ticket.reference}: open Reports, Export." in seen
    assert "{customer_name}" not in seen


def test_the_ticket_page_offers_first_what_solved_similar_tickets(agent):
    export = SavedReply.objects.create(title="Export steps", body="Open Reports, then Export.")
    popular = SavedReply.objects.create(title="Thanks for waiting", body="We are on it.")
    for n in range(2):
        saved_reply_apply(
            ticket=make_ticket(None, subject=f"Invoice {n}"), reply=popular, agent=agent
        )
    solved = make_ticket(None, subject="Cannot export timesheets to CSV")
    saved_reply_apply(ticket=solved, reply=export, agent=agent)
    ticket_resolve(ticket=solved, actor=agent, resolution=Ticket.Resolution.NOT_KB)
    new = make_ticket(None, subject="Exporting timesheets to CSV fails")
    page = signed_in(agent).get(ticket_change_url(new)).content.decode()
    first = "Export steps (solved 1 similar ticket · used 1 time)"
    assert first in page and page.index(first) < page.index("Thanks for waiting (used 2 times)")


def test_a_saved_reply_and_a_typed_reply_together_are_refused(agent, customer):
    reply = SavedReply.objects.create(title="Export steps", body="Open Reports, then Export.")
    ticket = make_ticket(customer)
    response = signed_in(agent).post(
        ticket_change_url(ticket),
        ticket_page_form(ticket, saved_reply=reply.pk, reply="My own words"),
    )
    assert "Send a saved reply or type one, not both at once." in response.content.decode()
    assert not ticket.messages.exists()


def test_agents_manage_saved_replies_and_unknown_placeholders_are_refused(agent):
    client = signed_in(agent)
    response = client.post(
        f"{REPLIES}add/", {"title": "Greeting", "body": "Hi {name}", "active": "on"}
    )
    assert "{name} is not a placeholder" in response.content.decode()
    response = client.post(
        f"{REPLIES}add/", {"title": "Greeting", "body": "Hi {customer_name}", "active": "on"}
    )
    assert response.status_code == 302 and SavedReply.objects.get().title == "Greeting"
    assert "Greeting" in client.get(REPLIES).content.decode()


def test_users_without_the_agent_permission_cannot_manage_saved_replies(customer):
    reply = SavedReply.objects.create(title="Export steps", body="Open Reports, then Export.")
    staff = make_user("staff@example.com", is_staff=True)
    # Even handed the model's permissions, someone who does not work the queue is refused.
    staff.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "view_savedreply",
                "add_savedreply",
                "change_savedreply",
                "delete_savedreply",
            ]
        )
    )
    manager = make_user("manager@example.com", groups=[groups.MANAGERS], is_staff=True)
    for user in (staff, manager):
        client = signed_in(user)
        assert client.get(REPLIES).status_code == 200  # may read them
        assert client.get(f"{REPLIES}add/").status_code == 403
        assert client.get(f"{REPLIES}{reply.pk}/delete/").status_code == 403
        client.post(f"{REPLIES}{reply.pk}/change/", {"title": "Changed", "body": "Changed"})
    assert SavedReply.objects.get().title == "Export steps"
    assert signed_in(customer).get(REPLIES).status_code == 302  # not staff: the admin login
    nobody = signed_in(make_user("nobody@example.com", is_staff=True))
    assert nobody.get(REPLIES).status_code == 403
    assert signed_in(make_agent("a2@example.com")).get(f"{REPLIES}add/").status_code == 200
