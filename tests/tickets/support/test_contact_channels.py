"""One contact rule for every channel: the form, the API and the widget add, file and refuse alike.

Each test runs once per channel. A customer's request about the same problem as one of their
open tickets is added to it; anything else files a new ticket; a retry writes nothing new.
Guests (no account) never add to a ticket: an address anyone can type proves nothing.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import PASSWORD, make_user
from tickets import services
from tickets.models import Ticket, TicketMessage, WidgetOrigin
from tickets.widget.access import user_token

pytestmark = pytest.mark.django_db
HOST = "https://app.example.com"

VAT = ("Wrong VAT number on my invoice", "The March invoice shows the wrong VAT number for us.")
VAT_AGAIN = ("VAT number on the invoice is wrong", "Still wrong: the VAT number is not ours.")
INVITE = ("Invite a new colleague", "How do I add someone to my workspace?")


def by_reference(reference: str) -> Ticket:
    return Ticket.objects.get(pk=Ticket.pk_from_reference(reference))


@dataclass(frozen=True)
class Sent:
    outcome: str  # "new_ticket" or "follow_up"
    reference: str


class Form:
    """The portal's contact form, sent straight away ("Send anyway")."""

    name = "form"

    def __init__(self):
        self.browsers = {}

    def send(self, who, text, *, key=None, email="") -> Sent:
        client = self.browsers.setdefault(who, Client())
        if who is not None and not isinstance(who, str):
            client.login(username=who.email, password=PASSWORD)
        subject, description = text
        data = {
            "subject": subject,
            "description": description,
            "action": "send",
            "session": str(uuid.uuid4()),
            "email": email,
        }
        if key:
            data["submission"] = key
        response = client.post("/support/new/", data)
        if response.status_code == 302:
            return Sent("new_ticket", response["Location"].rstrip("/").rsplit("/", 1)[-1])
        assert response.status_code == 200, response.status_code
        return Sent("follow_up", response.context["ticket"].reference)


class Api:
    """POST /api/v1/tickets, signed in (the API has no guests)."""

    name = "api"

    def send(self, who, text, *, key=None, email="") -> Sent:
        client = APIClient()
        client.force_authenticate(who)
        subject, description = text
        headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
        response = client.post(
            "/api/v1/tickets", {"subject": subject, "description": description}, **headers
        )
        assert response.status_code in (200, 201), response.content
        return Sent(response.json()["outcome"], response.json()["reference"])


class Widget:
    """The widget on a listed site: the host signs its user's token; a guest types an address."""

    name = "widget"

    def __init__(self):
        self.origin = WidgetOrigin.objects.create(origin=HOST)

    def send(self, who, text, *, key=None, email="") -> Sent:
        subject, description = text
        data = {"subject": subject, "description": description, "path": "/billing"}
        if isinstance(who, str) or who is None:
            data["email"] = email
        else:
            data["user_token"] = user_token(secret=self.origin.secret, email=who.email)
        if key:
            data["submission"] = key
        response = Client(HTTP_ORIGIN=HOST).post(
            "/api/v1/widget/tickets", data, content_type="application/json"
        )
        assert response.status_code in (200, 201), response.content
        return Sent(response.json()["outcome"], response.json()["reference"])


@pytest.fixture(params=[Form, Api, Widget], ids=lambda channel: channel.name)
def channel(request, db):
    return request.param()


@pytest.fixture(params=[Form, Widget], ids=lambda channel: channel.name)
def guest_channel(request, db):
    return request.param()


# --- customers with an account ----------------------------------------------------------------


def test_writing_again_about_the_same_problem_adds_to_the_open_ticket(channel, customer):
    first = channel.send(customer, VAT)
    again = channel.send(customer, VAT_AGAIN)
    ticket = Ticket.objects.get()
    assert first == Sent("new_ticket", ticket.reference)
    assert again == Sent("follow_up", ticket.reference)
    message = TicketMessage.objects.get(ticket=ticket)
    assert message.from_customer and "Still wrong" in message.body


def test_a_request_added_to_an_open_ticket_is_not_later_counted_as_abandoned(channel, customer):
    channel.send(customer, VAT)
    channel.send(customer, VAT_AGAIN)
    later = timezone.now() + timedelta(days=2)
    assert services.contact_sessions_abandon(now=later) == 0  # nor mined as a knowledge gap


def test_a_different_problem_files_a_new_ticket(channel, customer):
    first = channel.send(customer, VAT)
    other = channel.send(customer, INVITE)
    assert other.outcome == "new_ticket" and other.reference != first.reference
    assert Ticket.objects.count() == 2 and not TicketMessage.objects.exists()


@pytest.mark.parametrize("status", [Ticket.Status.RESOLVED, Ticket.Status.CLOSED])
def test_a_resolved_or_closed_ticket_is_not_added_to(channel, customer, agent, status):
    first = channel.send(customer, VAT)
    ticket = by_reference(first.reference)
    services.ticket_resolve(ticket=ticket, actor=agent, resolution=Ticket.Resolution.NOT_KB)
    if status == Ticket.Status.CLOSED:
        services.ticket_set_status(ticket=ticket, status=status, actor=agent)
    again = channel.send(customer, VAT_AGAIN)
    assert again.outcome == "new_ticket" and again.reference != first.reference
    assert not TicketMessage.objects.filter(ticket=ticket).exists()


def test_a_double_submit_files_one_ticket(channel, customer):
    key = str(uuid.uuid4())
    first = channel.send(customer, VAT, key=key)
    again = channel.send(customer, VAT, key=key)
    assert first == again == Sent("new_ticket", Ticket.objects.get().reference)
    assert not TicketMessage.objects.exists()  # not added to itself as a follow-up either


def test_the_same_words_twice_without_a_key_file_one_ticket(channel, customer):
    first = channel.send(customer, VAT)
    again = channel.send(customer, VAT)
    assert first == again == Sent("new_ticket", Ticket.objects.get().reference)
    assert not TicketMessage.objects.exists()


def test_a_double_submit_of_a_follow_up_adds_it_once(channel, customer):
    first = channel.send(customer, VAT)
    key = str(uuid.uuid4())
    added = channel.send(customer, VAT_AGAIN, key=key)
    again = channel.send(customer, VAT_AGAIN, key=key)
    assert added == again == Sent("follow_up", first.reference)
    assert TicketMessage.objects.count() == 1


def test_another_customers_open_ticket_never_receives_it(channel, customer, other_customer):
    theirs = channel.send(other_customer, VAT)
    mine = channel.send(customer, VAT)
    assert mine.outcome == "new_ticket" and mine.reference != theirs.reference
    assert by_reference(mine.reference).customer == customer
    assert not TicketMessage.objects.exists()


def test_insisting_on_a_separate_request_files_it_even_when_resent():
    """Only the form offers "File it as a separate request"; it resends the same submission."""
    customer = make_user("customer@example.com")
    client = Client()
    client.login(username=customer.email, password=PASSWORD)
    Form().send(customer, VAT)
    data = {
        "subject": VAT_AGAIN[0],
        "description": VAT_AGAIN[1],
        "action": "send",
        "session": str(uuid.uuid4()),
        "submission": str(uuid.uuid4()),
    }
    assert client.post("/support/new/", data).status_code == 200  # added as a follow-up
    separate = client.post("/support/new/", {**data, "separate": "1"})
    assert separate.status_code == 302 and Ticket.objects.count() == 2


# --- guests: no account, only an address they typed --------------------------------------------


def test_a_guest_writing_again_files_a_new_ticket_rather_than_add_by_address(guest_channel):
    first = guest_channel.send("guest", VAT, email="guest@example.com")
    again = guest_channel.send("guest", VAT_AGAIN, email="guest@example.com")
    assert first.outcome == again.outcome == "new_ticket"
    assert first.reference != again.reference and not TicketMessage.objects.exists()


def test_a_guest_typing_a_customers_address_never_writes_into_their_ticket(guest_channel, customer):
    mine = Form().send(customer, VAT)
    sent = guest_channel.send("stranger", VAT_AGAIN, email=customer.email)
    assert sent.outcome == "new_ticket" and sent.reference != mine.reference
    assert not TicketMessage.objects.filter(ticket=by_reference(mine.reference)).exists()


def test_a_guests_double_submit_files_one_ticket(guest_channel):
    key = str(uuid.uuid4())
    first = guest_channel.send("guest", VAT, key=key, email="guest@example.com")
    again = guest_channel.send("guest", VAT, key=key, email="guest@example.com")
    assert first == again and Ticket.objects.count() == 1


def test_the_schema_says_what_became_of_a_request(client):
    schema = client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    for name in ("FiledTicketOutput", "WidgetFiledTicket"):
        outcome = components[name]["properties"]["outcome"]
        assert "follow_up" in outcome["description"]
    post = schema["paths"]["/api/v1/tickets"]["post"]
    assert "follow-up" in post["description"]
