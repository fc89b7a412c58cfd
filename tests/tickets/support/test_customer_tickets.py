"""Customers follow their own tickets, and nobody else's."""

import pytest
from django.core import signing
from django.test import Client

from tests.factories import make_ticket, signed_in
from tickets import access
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_my_tickets_lists_only_my_own(customer, other_customer):
    mine = make_ticket(customer, subject="My export problem")
    theirs = make_ticket(other_customer, subject="Their billing problem")
    html = signed_in(customer).get("/support/tickets/").content.decode()
    assert mine.reference in html and "My export problem" in html
    assert theirs.reference not in html and "Their billing problem" not in html


def test_another_customers_ticket_is_not_found_rather_than_forbidden(customer, other_customer):
    theirs = make_ticket(other_customer)
    client = signed_in(customer)
    assert client.get(f"/support/tickets/{theirs.reference}/").status_code == 404
    assert client.post(f"/support/tickets/{theirs.reference}/", {"body": "hi"}).status_code == 404
    assert client.post(f"/support/tickets/{theirs.reference}/solved/").status_code == 404
    assert client.get("/support/tickets/SUP-99999/").status_code == 404
    assert client.get("/support/tickets/nonsense/").status_code == 404


def test_my_tickets_needs_signing_in(client):
    response = client.get("/support/tickets/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_customer_sees_replies_but_not_internal_notes_and_can_reply(customer, agent):
    from tickets.services import ticket_reply

    ticket = make_ticket(customer)
    ticket_reply(ticket=ticket, author=agent, body="Please try Reports, Export.")
    ticket_reply(ticket=ticket, author=agent, body="Customer seems confused", internal=True)
    client = signed_in(customer)
    html = client.get(f"/support/tickets/{ticket.reference}/").content.decode()
    assert "Please try Reports, Export." in html
    assert "Customer seems confused" not in html
    client.post(f"/support/tickets/{ticket.reference}/", {"body": "That worked, thanks"})
    ticket.refresh_from_db()
    assert ticket.messages.filter(from_customer=True, body="That worked, thanks").exists()
    assert ticket.status == Ticket.Status.OPEN


def test_an_empty_or_overlong_reply_is_refused(customer):
    ticket = make_ticket(customer)
    client = signed_in(customer)
    assert client.post(f"/support/tickets/{ticket.reference}/", {"body": "  "}).status_code == 400
    assert (
        client.post(f"/support/tickets/{ticket.reference}/", {"body": "x" * 20001}).status_code
        == 400
    )
    assert not ticket.messages.exists()


def test_the_customer_can_mark_their_ticket_solved(customer):
    ticket = make_ticket(customer)
    signed_in(customer).post(f"/support/tickets/{ticket.reference}/solved/")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED and ticket.resolution == ""


def test_the_emailed_link_opens_that_ticket_only(client):
    ticket = make_ticket(None, email="guest@example.com")
    other = make_ticket(None, email="guest@example.com")
    response = client.get(f"/support/t/{access.link_issue(ticket)}/")
    assert response["Location"] == f"/support/tickets/{ticket.reference}/"
    assert client.get(response["Location"]).status_code == 200
    assert client.get(f"/support/tickets/{other.reference}/").status_code == 404
    assert Client().get(f"/support/tickets/{ticket.reference}/").status_code == 404


def test_a_tampered_expired_or_old_style_link_opens_nothing(client, settings):
    ticket = make_ticket(None, email="guest@example.com")
    token = access.link_issue(ticket)
    assert client.get(f"/support/t/{token[:-2]}xx/").status_code == 404
    old_style = signing.dumps(
        {"t": ticket.pk, "e": ticket.customer_email}, salt="tickets.access-link", compress=True
    )
    response = client.get(f"/support/t/{old_style}/")
    assert response.status_code == 404 and "Send me a new link" in response.content.decode()
    settings.TICKET_LINK_MAX_AGE = -1
    assert client.get(f"/support/t/{token}/").status_code == 404
    assert client.get(f"/support/tickets/{ticket.reference}/").status_code == 404


def test_a_customer_resets_a_forgotten_password_by_email(client, customer):
    import re

    from django.core import mail

    client.post("/accounts/password_reset/", {"email": customer.email})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    client.post(
        form_url,
        {"new_password1": "a new long passphrase 42", "new_password2": "a new long passphrase 42"},
    )
    assert client.login(username=customer.email, password="a new long passphrase 42")


def test_a_visitor_signs_up_with_an_email_and_lands_signed_in(client):
    response = client.post(
        "/accounts/signup/?next=/support/tickets/",
        {
            "email": "New@Example.com",
            "first_name": "Nia",
            "password1": "a long passphrase 42",
            "password2": "a long passphrase 42",
            "next": "/support/tickets/",
        },
    )
    assert response["Location"] == "/support/tickets/"
    assert client.get("/support/tickets/").status_code == 200
    again = Client().post(
        "/accounts/signup/",
        {
            "email": "new@example.com",
            "password1": "another passphrase 9",
            "password2": "another passphrase 9",
        },
    )
    assert "already exists" in again.content.decode()


def test_a_new_account_is_welcomed_where_it_lands(client):
    response = client.post(
        "/accounts/signup/?next=/support/tickets/",
        {
            "email": "nia@example.com",
            "first_name": "Nia",
            "password1": "a long passphrase 42",
            "password2": "a long passphrase 42",
            "next": "/support/tickets/",
        },
        follow=True,
    )
    assert response.request["PATH_INFO"] == "/support/tickets/"
    assert "Welcome, Nia! Your account is ready and you are signed in." in (
        response.content.decode()
    )


def test_sign_up_refuses_to_redirect_off_site(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "x@example.com",
            "password1": "a long passphrase 42",
            "password2": "a long passphrase 42",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == "/"
