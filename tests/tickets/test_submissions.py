"""Each request files once, and a submission key only ever finds its own filer's ticket."""

import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import signed_in
from tickets.models import ContactSession, Ticket, TicketMessage, WidgetOrigin
from tickets.services import contact_session_get_or_start

pytestmark = pytest.mark.django_db
NEW = "/support/new/"


def form(**overrides):
    data = {
        "subject": "Invoices are missing",
        "description": "March invoices do not show up.",
        "email": "victim@example.com",
        "session": str(uuid.uuid4()),
        "submission": str(uuid.uuid4()),
        "action": "send",
    }
    data.update(overrides)
    return data


# --- a key seen elsewhere never opens someone else's ticket -----------------------------------


def test_a_visitor_posting_someone_elses_submission_key_files_their_own_ticket():
    victim, attacker = Client(), Client()
    victim_data = form()
    filed = victim.post(NEW, victim_data)
    theirs = Ticket.objects.get()
    attack = attacker.post(
        NEW,
        form(
            submission=victim_data["submission"],
            email="attacker@example.com",
            subject="Anything",
            description="Let me in",
        ),
    )
    assert filed["Location"] == f"/support/tickets/{theirs.reference}/"
    assert attack["Location"] != filed["Location"]
    assert Ticket.objects.count() == 2
    assert attacker.get(filed["Location"]).status_code == 404
    assert attacker.post(filed["Location"], {"body": "hello"}).status_code == 404
    assert attacker.post(f"{filed['Location']}solved/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Ticket.Status.NEW and not theirs.messages.exists()


def test_a_signed_in_customer_posting_a_guests_key_does_not_get_the_guests_ticket(customer):
    data = form()
    Client().post(NEW, data)
    guests = Ticket.objects.get()
    client = signed_in(customer)
    response = client.post(NEW, {**form(submission=data["submission"]), "email": ""})
    assert response["Location"] != f"/support/tickets/{guests.reference}/"
    assert guests.reference not in client.get("/support/tickets/").content.decode()
    assert client.get(f"/support/tickets/{guests.reference}/").status_code == 404


def test_the_same_visitor_retrying_with_their_key_still_gets_their_one_ticket():
    visitor = Client()
    data = form()
    first, again = visitor.post(NEW, data), visitor.post(NEW, data)
    assert Ticket.objects.count() == 1 and first["Location"] == again["Location"]
    assert visitor.get(first["Location"]).status_code == 200


def test_a_widget_submission_key_of_one_visitor_does_not_answer_another():
    WidgetOrigin.objects.create(origin="https://app.example.com")
    widget = Client(HTTP_ORIGIN="https://app.example.com")
    data = {
        "subject": "Card refused",
        "description": "Payment fails",
        "email": "v@example.com",
        "submission": str(uuid.uuid4()),
    }
    first = widget.post("/api/v1/widget/tickets", data, content_type="application/json")
    other = widget.post(
        "/api/v1/widget/tickets",
        {**data, "email": "other@example.com", "subject": "Hi", "description": "Hello"},
        content_type="application/json",
    )
    assert (first.status_code, other.status_code) == (201, 201)
    assert first.json()["reference"] != other.json()["reference"]


def test_a_follow_up_key_of_one_customer_does_not_swallow_anothers_follow_up(
    customer, other_customer
):
    key = str(uuid.uuid4())
    first = "The CSV export of timesheets fails with an error."
    for user in (customer, other_customer):
        client = signed_in(user)
        client.post(NEW, form(email="", subject="Export to CSV fails", description=first))
        client.post(
            NEW,
            form(email="", submission=key, subject="CSV export fails", description="Still failing"),
        )
    assert TicketMessage.objects.count() == 2
    assert set(TicketMessage.objects.values_list("ticket__customer", flat=True)) == {
        customer.pk,
        other_customer.pk,
    }


# --- double submits without a key from the client ----------------------------------------------


def test_one_form_posted_twice_without_a_submission_key_files_one_ticket():
    visitor = Client()
    visitor.get(NEW)
    data = form()
    del data["submission"], data["session"]
    first, again = visitor.post(NEW, data), visitor.post(NEW, data)
    assert Ticket.objects.count() == 1
    assert first["Location"] == again["Location"]


def test_the_same_words_from_another_visitor_are_another_ticket():
    data = form()
    del data["submission"], data["session"]
    Client().post(NEW, data)
    Client().post(NEW, data)
    assert Ticket.objects.count() == 2


def test_the_same_words_again_after_ten_minutes_are_a_new_ticket():
    visitor = Client()
    data = form()
    del data["submission"], data["session"]
    visitor.post(NEW, data)
    later = timezone.now() + timedelta(minutes=11)
    with mock.patch("django.utils.timezone.now", return_value=later):
        visitor.post(NEW, data)
    assert Ticket.objects.count() == 2


def test_the_api_files_a_double_post_without_an_idempotency_key_once(customer):
    api = APIClient()
    api.force_authenticate(customer)
    body = {"subject": "Export fails", "description": "Error 500"}
    first, again = api.post("/api/v1/tickets", body), api.post("/api/v1/tickets", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["reference"] == again.json()["reference"]


def test_a_64_character_api_key_is_accepted(customer):
    api = APIClient()
    api.force_authenticate(customer)
    body = {"subject": "Export fails", "description": "Error 500"}
    response = api.post("/api/v1/tickets", body, HTTP_IDEMPOTENCY_KEY="k" * 64)
    assert response.status_code == 201
    assert Ticket.objects.get().idempotency_key == "k" * 64


# --- concurrent first requests of a new contact session ----------------------------------------


def test_a_first_request_that_loses_the_race_for_its_new_session_uses_the_winners(monkeypatch):
    """Two first requests with the same new id: the loser's insert must not be a 500."""
    session_id, browser = uuid.uuid4(), "browser-session-key"
    winner = contact_session_get_or_start(
        session_id=session_id, user=None, browser_session_key=browser
    )
    real_filter, looks = ContactSession.objects.filter, []

    def filter_before_the_winner_committed(*args, **kwargs):
        looks.append(kwargs)  # the loser's first look-up ran before the winner's insert landed
        return ContactSession.objects.none() if len(looks) == 1 else real_filter(*args, **kwargs)

    monkeypatch.setattr(ContactSession.objects, "filter", filter_before_the_winner_committed)
    session = contact_session_get_or_start(
        session_id=session_id, user=None, browser_session_key=browser
    )
    assert session.pk == winner.pk == session_id
    assert ContactSession.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent writers")
def test_concurrent_first_requests_of_a_new_contact_session_all_succeed():
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connections

    session_id, browser, parallel = uuid.uuid4(), "one-browser", 12
    barrier = Barrier(parallel)

    def first_request(_):
        try:
            barrier.wait()
            return contact_session_get_or_start(
                session_id=session_id, user=None, browser_session_key=browser
            ).pk
        finally:
            connections.close_all()

    with ThreadPoolExecutor(parallel) as pool:
        ids = list(pool.map(first_request, range(parallel)))
    assert set(ids) == {session_id}
    assert ContactSession.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent writers")
def test_a_double_click_without_a_key_files_one_ticket_even_when_both_posts_race():
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connections

    from tickets.services import ticket_submit

    parallel = 8
    barrier = Barrier(parallel)
    sessions = [
        contact_session_get_or_start(session_id=None, user=None, browser_session_key="double")
        for _ in range(parallel)
    ]

    def post(session):
        try:
            barrier.wait()
            return ticket_submit(
                user=None,
                email="g@example.com",
                subject="Same",
                description="Same words",
                session=session,
            )[0].pk
        finally:
            connections.close_all()

    with ThreadPoolExecutor(parallel) as pool:
        pks = list(pool.map(post, sessions))
    assert len(set(pks)) == 1 and Ticket.objects.count() == 1
