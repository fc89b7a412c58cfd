"""Personal links for customers without an account: opaque, and revoked by a new one."""

import base64
import re

import pytest
from django.core import mail
from django.test import Client

from tests.factories import make_ticket
from tickets.models import TicketLink

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://\S+(/support/t/\S+/)")


def file_as_guest(committed, email="guest@example.com"):
    with committed():
        ticket = make_ticket(None, email=email)
    return ticket, LINK.search(mail.outbox[-1].body).group(1)


def ask_for_a_new_link(committed, ticket, email="guest@example.com", client=None):
    with committed():
        return (client or Client()).post(
            "/support/link/", {"reference": ticket.reference, "email": email}
        )


def test_the_emailed_link_carries_no_email_address_and_is_stored_only_hashed(committed):
    ticket, path = file_as_guest(committed)
    token = path.removeprefix("/support/t/").rstrip("/")
    for part in re.split(r"[.:]", token):
        decoded = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        assert b"guest@example.com" not in decoded
    assert not TicketLink.objects.filter(token_hash=token).exists()
    assert Client().get(path)["Location"] == f"/support/tickets/{ticket.reference}/"


def test_send_me_a_new_link_emails_a_fresh_one_and_the_old_one_stops_working(committed):
    ticket, old = file_as_guest(committed)
    holder = Client()  # a browser that opened the old link, say a forwarded e-mail
    assert holder.get(holder.get(old)["Location"]).status_code == 200
    page = ask_for_a_new_link(committed, ticket)
    assert "we've e-mailed a new link" in page.content.decode().replace("&#x27;", "'")
    assert mail.outbox[-1].to == ["guest@example.com"]
    assert ticket.reference in mail.outbox[-1].subject
    new = LINK.search(mail.outbox[-1].body).group(1)
    assert new != old
    assert Client().get(old).status_code == 404
    assert holder.get(f"/support/tickets/{ticket.reference}/").status_code == 404
    fresh = Client()
    assert fresh.get(fresh.get(new)["Location"]).status_code == 200


def test_a_new_link_request_that_matches_nothing_looks_the_same_and_sends_nothing(committed):
    ticket, old = file_as_guest(committed)
    sent = len(mail.outbox)
    page = ask_for_a_new_link(committed, ticket, email="someone@example.com")
    assert page.status_code == 200 and 'data-testid="new-link-sent"' in page.content.decode()
    assert len(mail.outbox) == sent
    assert Client().get(old).status_code == 302  # the real customer's link still works


def test_new_links_are_capped_per_ticket_per_hour(committed):
    ticket, _ = file_as_guest(committed)
    sent = len(mail.outbox)
    for _ in range(5):
        ask_for_a_new_link(committed, ticket)
    assert len(mail.outbox) - sent == 3


def test_the_new_link_page_is_rate_limited_per_address(committed, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "tickets:new-link": "2/hour"}
    ticket, _ = file_as_guest(committed)
    client = Client()
    codes = [ask_for_a_new_link(committed, ticket, client=client).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_customers_with_an_account_are_sent_to_sign_in_not_a_link(committed, customer):
    with committed():
        ticket = make_ticket(customer)
    sent = len(mail.outbox)
    ask_for_a_new_link(committed, ticket, email=customer.email)
    assert len(mail.outbox) == sent
    assert f"/support/tickets/{ticket.reference}/" in mail.outbox[0].body
