"""Saved replies: filled in for the customer, sent like any reply, actions applied, counted."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from tests.factories import make_agent, make_article, make_category, make_ticket, make_user
from tickets.models import SavedReply, SavedReplyUse, Ticket, TicketEvent
from tickets.selectors import saved_replies_for_ticket
from tickets.services import saved_reply_apply, ticket_resolve

pytestmark = pytest.mark.django_db
Status, Resolution = Ticket.Status, Ticket.Resolution


def saved_reply(title="Export help", body="Hi {customer_name}, see {reference}.", **fields):
    reply = SavedReply(title=title, body=body, **fields)
    reply.full_clean()  # what the admin form runs: placeholders are checked at save time
    reply.save()
    return reply


def resolved_with(reply, *, subject, description, agent):
    ticket = make_ticket(None, subject=subject, description=description)
    saved_reply_apply(ticket=ticket, reply=reply, agent=agent)
    ticket_resolve(ticket=ticket, actor=agent, resolution=Resolution.NOT_KB)
    return ticket


def test_placeholders_are_filled_in_for_the_customer_and_the_article_is_linked(
    agent, django_capture_on_commit_callbacks
):
    customer = make_user("jane@example.com", first_name="Jane", last_name="Doe")
    article = make_article("Export your timesheets", "Open Reports, then Export.")
    body = "Hi {customer_name}, about {reference} ({subject}): {article:ID}\n{agent_name}"
    reply = saved_reply(body=body.replace("ID", str(article.pk)))
    agent.first_name = "Sam"
    agent.save()
    ticket = make_ticket(customer, subject="Cannot export")
    with django_capture_on_commit_callbacks(execute=True):
        message = saved_reply_apply(ticket=ticket, reply=reply, agent=agent)
    assert message.body == (
        f"Hi Jane Doe, about {ticket.reference} (Cannot export): "
        f"Export your timesheets: http://testserver{article.url}\nSam"
    )
    assert not message.internal and message.author == agent
    assert message.body in mail.outbox[-1].body  # e-mailed like any agent reply


def test_a_missing_name_reads_naturally_and_a_retired_article_points_to_the_help_centre(agent):
    article = make_article("Export your timesheets")
    body = "Hi {customer_name}, read {article:ID}. {agent_name}"
    reply = saved_reply(body=body.replace("ID", str(article.pk)))
    article.unpublish()
    ticket = make_ticket(None, subject="Guest question")  # a guest: no name anywhere
    body = saved_reply_apply(ticket=ticket, reply=reply, agent=agent).body
    assert body == "Hi there, read http://testserver/. Deflect support"


def test_unknown_placeholders_and_unpublished_articles_are_refused_at_save_time():
    with pytest.raises(ValidationError) as refused:
        saved_reply(body="Hi {customer}, {reference.__class__} {article} {article:999999}")
    errors = " ".join(refused.value.messages)
    assert "{customer} is not a placeholder. Use one of: {customer_name}, {reference}" in errors
    assert "{article} needs an article id, as in {article:42}." in errors
    with pytest.raises(ValidationError) as refused:
        saved_reply(body="See {article:999999}")
    assert "{article:999999}: no published article has that id." in refused.value.messages
    # Braces that are not placeholders stay as typed.
    assert saved_reply(body='Send us { "id": 1 } as JSON.').pk


def test_its_actions_set_status_category_and_priority_through_the_services(agent, customer):
    billing = make_category("Billing")
    reply = saved_reply(set_status=Status.OPEN, set_category=billing, set_priority="high")
    ticket = make_ticket(customer)
    saved_reply_apply(ticket=ticket, reply=reply, agent=agent)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.category, ticket.priority) == (Status.OPEN, billing, "high")
    assert ticket.first_response_at is not None  # counted as the agent's first response
    kinds = set(ticket.events.values_list("kind", flat=True))
    assert {TicketEvent.Kind.REPLIED, TicketEvent.Kind.CATEGORY, TicketEvent.Kind.PRIORITY} <= kinds


def test_without_actions_the_reply_leaves_the_ticket_waiting_on_the_customer(agent, customer):
    ticket = make_ticket(customer)
    saved_reply_apply(ticket=ticket, reply=saved_reply(), agent=agent)
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING


def test_each_use_is_counted_with_ticket_and_agent(agent, customer):
    reply = saved_reply()
    first, second = make_ticket(customer), make_ticket(customer, subject="Another")
    saved_reply_apply(ticket=first, reply=reply, agent=agent)
    saved_reply_apply(ticket=second, reply=reply, agent=agent)
    assert reply.uses.count() == 2
    assert set(SavedReplyUse.objects.values_list("ticket", "agent")) == {
        (first.pk, agent.pk),
        (second.pk, agent.pk),
    }


def test_only_agents_send_saved_replies_and_never_a_retired_one(agent, customer):
    ticket = make_ticket(customer)
    with pytest.raises(ValidationError):
        saved_reply_apply(ticket=ticket, reply=saved_reply(), agent=customer)
    with pytest.raises(ValidationError):
        saved_reply_apply(ticket=ticket, reply=saved_reply("Old", active=False), agent=agent)
    assert not ticket.messages.exists() and not SavedReplyUse.objects.exists()


def test_replies_that_resolved_similar_tickets_come_first_then_the_most_used(agent):
    helper = make_agent("helper@example.com")
    export = saved_reply("Export steps", "Open Reports, then Export.")
    popular = saved_reply("Thanks for waiting", "We are looking into it.")
    unused = saved_reply("Aardvark", "Never sent.")
    for n in range(3):  # the most used, but on unrelated tickets
        saved_reply_apply(
            ticket=make_ticket(None, subject=f"Invoice address change {n}"),
            reply=popular,
            agent=helper,
        )
    resolved_with(
        export,
        subject="Cannot export timesheets to CSV",
        description="The export button fails on timesheets.",
        agent=helper,
    )
    new = make_ticket(None, subject="Exporting timesheets fails", description="CSV export fails.")
    offered = saved_replies_for_ticket(new)
    assert [o.reply for o in offered] == [export, popular, unused]
    assert (offered[0].similar_resolved, offered[0].uses) == (1, 1)
    assert offered[1].uses == 3 and offered[1].similar_resolved == 0


def test_a_reply_sent_on_a_similar_ticket_still_open_has_resolved_nothing(agent):
    export = saved_reply("Export steps", "Open Reports, then Export.")
    popular = saved_reply("Thanks for waiting", "We are looking into it.")
    similar_open = make_ticket(None, subject="Cannot export timesheets to CSV")
    saved_reply_apply(ticket=similar_open, reply=export, agent=agent)
    for n in range(2):
        saved_reply_apply(
            ticket=make_ticket(None, subject=f"Invoice {n}"), reply=popular, agent=agent
        )
    new = make_ticket(None, subject="Exporting timesheets to CSV fails")
    assert [o.reply for o in saved_replies_for_ticket(new)] == [popular, export]
