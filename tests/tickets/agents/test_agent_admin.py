"""Agents work the queue in the Django admin: filter, assign, reply, resolve with a resolution."""

import re

import pytest
from django.core import mail
from django.test import Client

from tests.factories import PASSWORD, make_ticket, ticket_change_url, ticket_page_form
from tickets.models import Ticket, TicketEvent
from tickets.services import ticket_reply

pytestmark = pytest.mark.django_db
QUEUE = "/django-admin/tickets/ticket/"
Status, Resolution = Ticket.Status, Ticket.Resolution


@pytest.fixture
def agent_client(agent):
    client = Client()
    client.login(username=agent.email, password=PASSWORD)
    return client


def test_the_queue_shows_open_tickets_oldest_first_and_all_tickets_on_request(
    agent_client, customer
):
    older = make_ticket(customer, subject="Older problem")
    newer = make_ticket(customer, subject="Newer problem")
    done = make_ticket(customer, subject="Solved one")
    Ticket.objects.filter(pk=done.pk).update(status=Status.CLOSED, resolution=Resolution.NOT_KB)
    html = agent_client.get(QUEUE).content.decode()
    assert html.index(older.reference) < html.index(newer.reference)
    assert done.reference not in html
    assert 'href="?queue=all"' in html  # the "All tickets" link
    html = agent_client.get(QUEUE, {"queue": "all"}).content.decode()
    assert html.index(older.reference) < html.index(newer.reference) < html.index(done.reference)


def test_asking_for_a_status_or_searching_looks_beyond_the_open_tickets(agent_client, customer):
    done = make_ticket(customer, subject="Solved one")
    Ticket.objects.filter(pk=done.pk).update(status=Status.CLOSED, resolution=Resolution.NOT_KB)
    for query in [{"status__exact": "closed"}, {"q": done.reference}, {"q": "Solved"}]:
        assert done.reference in agent_client.get(QUEUE, query).content.decode(), query


def test_the_admin_names_the_site_and_the_queue(agent_client, customer):
    make_ticket(customer)
    html = agent_client.get(QUEUE).content.decode()
    assert "<title>Tickets | Deflect support</title>" in html
    assert "<h1>Tickets</h1>" in html
    assert "Django administration" not in html and "Select ticket to change" not in html
    home = agent_client.get("/django-admin/").content.decode()
    assert "Support desk | Deflect support" in home


def test_the_ticket_page_writes_every_moment_one_way(agent_client, agent, customer):
    ticket = make_ticket(customer)
    Ticket.objects.filter(pk=ticket.pk).update(sla_state="on_track")
    ticket_reply(ticket=ticket, author=agent, body="On it.")
    html = agent_client.get(ticket_change_url(ticket)).content.decode()
    text = re.sub(r"<[^>]+>", " ", html)
    one_way = re.findall(r"\b\d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}\b", text)
    assert len(one_way) >= 4  # created, first response, the thread's two messages (+ SLA)
    django_default = r"[A-Z][a-z]{2}\.? \d{1,2}, \d{4}|\d{1,2}:\d{2} [ap]\.m\."
    assert not re.findall(django_default, text)
    assert not re.findall(r"\b\d{2} [A-Z][a-z]{2} \d{2}:\d{2}\b", text)  # no year-less form


def test_filters_mine_and_unassigned_and_search_by_reference(agent_client, agent, customer):
    from tickets.services import ticket_assign

    mine = make_ticket(customer, subject="Assigned to me")
    loose = make_ticket(customer, subject="Nobody has it")
    ticket_assign(ticket=mine, assignee=agent, actor=agent)
    html = agent_client.get(QUEUE, {"assignee": "mine"}).content.decode()
    assert "Assigned to me" in html and "Nobody has it" not in html
    html = agent_client.get(QUEUE, {"assignee": "unassigned"}).content.decode()
    assert "Nobody has it" in html and "Assigned to me" not in html
    html = agent_client.get(QUEUE, {"q": loose.reference}).content.decode()
    assert "Nobody has it" in html and "Assigned to me" not in html
    html = agent_client.get(QUEUE, {"q": customer.email, "age": "lt1d"}).content.decode()
    assert "Nobody has it" in html


def test_the_ticket_page_shows_the_thread_and_what_the_customer_already_saw(
    agent_client, demo_articles, client
):
    import uuid

    session = str(uuid.uuid4())
    client.post(
        "/support/new/",
        {
            "subject": "forgot password",
            "description": "cannot sign in",
            "email": "g@example.com",
            "session": session,
            "action": "check",
        },
    )
    client.post(
        "/support/new/",
        {
            "subject": "forgot password",
            "description": "cannot sign in",
            "email": "g@example.com",
            "session": session,
            "action": "send",
        },
    )
    ticket = Ticket.objects.get()
    html = agent_client.get(ticket_change_url(ticket)).content.decode()
    assert "cannot sign in" in html
    assert "what the customer already saw" in html.lower()
    assert re.search(r"<li>Reset your password <small>\(score \d+\.\d\d\)</small></li>", html)
    assert 'data-testid="assign-to-me"' in html


def test_an_agent_replies_and_the_customer_is_emailed(agent_client, customer, committed):
    ticket = make_ticket(customer)
    with committed():
        response = agent_client.post(
            ticket_change_url(ticket), ticket_page_form(ticket, reply="Try Reports, Export.")
        )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING and ticket.first_response_at
    assert "Try Reports, Export." in mail.outbox[-1].body


def test_resolving_without_saying_what_resolved_it_is_refused(agent_client, customer):
    ticket = make_ticket(customer)
    response = agent_client.post(
        ticket_change_url(ticket), ticket_page_form(ticket, status=Status.RESOLVED)
    )
    assert response.status_code == 200
    assert "Say what resolved it" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_resolving_with_a_suggested_article(agent_client, customer, demo_articles):
    ticket = make_ticket(customer, subject="Forgot my password", description="Cannot sign in")
    page = agent_client.get(ticket_change_url(ticket)).content.decode()
    article = demo_articles["Reset your password"]
    assert f'value="{article.pk}"' in page  # pre-listed among the suggestions
    agent_client.post(
        ticket_change_url(ticket),
        ticket_page_form(
            ticket,
            status=Status.RESOLVED,
            resolution=Resolution.ANSWERED_BY_ARTICLE,
            suggested_article=article.pk,
        ),
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert ticket.resolved_article == article
    assert ticket.events.filter(kind=TicketEvent.Kind.STATUS, to_value=Status.RESOLVED).exists()


def test_answered_by_an_article_needs_the_article(agent_client, customer):
    ticket = make_ticket(customer)
    response = agent_client.post(
        ticket_change_url(ticket),
        ticket_page_form(ticket, status=Status.RESOLVED, resolution=Resolution.ANSWERED_BY_ARTICLE),
    )
    assert "Choose the article that answered it." in response.content.decode()


def test_assign_to_me_button(agent_client, agent, customer):
    ticket = make_ticket(customer)
    response = agent_client.post(f"{QUEUE}{ticket.pk}/assign-to-me/", ticket_page_form(ticket))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == agent and ticket.status == Status.OPEN


def test_bulk_resolve_asks_for_one_resolution_then_applies_it(agent_client, customer):
    tickets = [make_ticket(customer, subject=f"Gap {n}") for n in range(3)]
    ids = [str(t.pk) for t in tickets]
    page = agent_client.post(QUEUE, {"action": "resolve_tickets", "_selected_action": ids})
    assert "Resolve the selected tickets" in page.content.decode()
    agent_client.post(
        QUEUE,
        {
            "action": "resolve_tickets",
            "_selected_action": ids,
            "apply": "1",
            "resolution": Resolution.KB_GAP,
        },
    )
    assert set(Ticket.objects.values_list("status", "resolution")) == {
        (Status.RESOLVED, Resolution.KB_GAP)
    }


def test_bulk_assign_to_me_and_close(agent_client, agent, customer):
    from tickets.services import ticket_resolve

    open_one, resolved = make_ticket(customer), make_ticket(customer)
    ticket_resolve(ticket=resolved, actor=agent, resolution=Resolution.NOT_KB)
    ids = [str(open_one.pk), str(resolved.pk)]
    every_ticket = f"{QUEUE}?queue=all"  # where a resolved ticket can be ticked at all
    agent_client.post(every_ticket, {"action": "assign_to_me", "_selected_action": ids})
    assert set(Ticket.objects.values_list("assignee", flat=True)) == {agent.pk}
    agent_client.post(every_ticket, {"action": "close_tickets", "_selected_action": ids})
    open_one.refresh_from_db(), resolved.refresh_from_db()
    assert resolved.status == Status.CLOSED
    assert open_one.status != Status.CLOSED  # needs a resolution first


def test_agents_cannot_delete_or_create_tickets(agent_client, customer):
    ticket = make_ticket(customer)
    assert agent_client.get(f"{QUEUE}add/").status_code == 403
    assert agent_client.get(f"{QUEUE}{ticket.pk}/delete/").status_code == 403
