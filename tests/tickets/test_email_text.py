"""E-mails are plain text: subjects and bodies carry the customer's words exactly as typed."""

import pytest
from django.core import mail

from tests.factories import make_agent, make_ticket
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

TYPED = """Can't "export" <b>timesheets</b> & reports"""


def test_the_confirmation_subject_and_body_show_the_subject_as_typed(customer, committed):
    with committed():
        ticket = make_ticket(customer, subject=TYPED)
    (email,) = mail.outbox
    assert email.subject == f"[{ticket.reference}] We received your request: {TYPED}"
    assert f"Subject: {TYPED}" in email.body
    for escaped in ("&quot;", "&#x27;", "&#39;", "&lt;", "&amp;"):
        assert escaped not in email.subject and escaped not in email.body


def test_reply_and_resolution_subjects_show_the_subject_as_typed(customer, committed):
    agent = make_agent()
    with committed():
        ticket = make_ticket(customer, subject=TYPED)
    with committed():
        services.ticket_reply(ticket=ticket, author=agent, body="It's <i>fixed</i> & live.")
    with committed():
        services.ticket_resolve(ticket=ticket, actor=agent, resolution=Ticket.Resolution.NOT_KB)
    reply, resolved = mail.outbox[1], mail.outbox[2]
    assert reply.subject == f"[{ticket.reference}] New reply: {TYPED}"
    assert "It's <i>fixed</i> & live." in reply.body
    assert resolved.subject == f"[{ticket.reference}] Resolved: {TYPED}"
