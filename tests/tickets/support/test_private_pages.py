"""Customers' pages and the API's ticket endpoints are private: no shared cache keeps them."""

import uuid

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import PASSWORD, make_ticket
from tickets import access

pytestmark = pytest.mark.django_db


def is_private(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return "private" in directives


def test_the_contact_form_and_a_guests_ticket_pages_are_private():
    client = Client()
    assert is_private(client.get("/support/new/"))
    filed = client.post(
        "/support/new/",
        {
            "subject": "Invoices",
            "description": "Missing",
            "email": "g@example.com",
            "session": str(uuid.uuid4()),
            "submission": str(uuid.uuid4()),
            "action": "send",
        },
    )
    assert is_private(filed)
    assert is_private(client.get(filed["Location"]))
    ticket = make_ticket(None, email="other@example.com")
    assert is_private(client.get(f"/support/t/{access.link_issue(ticket)}/"))
    assert is_private(client.get("/support/t/no-such-link/"))
    assert is_private(client.get("/support/link/"))


def test_my_tickets_and_my_data_are_private(customer):
    client = Client()
    client.login(username=customer.email, password=PASSWORD)
    ticket = make_ticket(customer)
    for url in ("/support/tickets/", f"/support/tickets/{ticket.reference}/", "/support/my-data/"):
        assert is_private(client.get(url)), url


def test_the_apis_ticket_endpoints_are_private(customer):
    api = APIClient()
    api.force_authenticate(customer)
    ticket = make_ticket(customer)
    assert is_private(api.get("/api/v1/tickets"))
    assert is_private(api.get(f"/api/v1/tickets/{ticket.reference}"))
    assert is_private(api.post("/api/v1/tickets", {"subject": "S", "description": "D"}))
