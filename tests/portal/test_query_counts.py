"""Hot pages and endpoints run a fixed number of queries, however many tickets, messages or
articles there are: a new N+1 fails here. The counts are pinned, so a change that adds a query
to one of these says so in its diff."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_article, make_ticket
from tickets import services

pytestmark = pytest.mark.django_db


def tickets_with_replies(customer, agent, count: int):
    tickets = []
    for n in range(count):
        ticket = make_ticket(customer, subject=f"Export {n} fails")
        services.ticket_reply(ticket=ticket, author=agent, body="Try again")
        services.ticket_reply(ticket=ticket, author=customer, body="Still broken")
        tickets.append(ticket)
    return tickets


def queries(client, url, **params) -> int:
    client.get(url, params)  # warm: caches, the suggestion index, the Wagtail site
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return len(captured)


@pytest.fixture
def signed_in(client, customer):
    client.force_login(customer)
    return client


def test_the_ticket_list_api_runs_five_queries_whatever_the_number_of_tickets(
    signed_in, customer, agent
):
    tickets_with_replies(customer, agent, 2)
    assert queries(signed_in, "/api/v1/tickets") == 5
    tickets_with_replies(customer, agent, 4)
    assert queries(signed_in, "/api/v1/tickets") == 5


def test_the_ticket_list_api_pages_twenty_tickets_at_a_time(signed_in, customer):
    for n in range(21):
        make_ticket(customer, subject=f"Question {n}")
    first = signed_in.get("/api/v1/tickets").json()
    second = signed_in.get(first["next"]).json()
    assert (first["count"], len(first["results"]), first["previous"]) == (21, 20, None)
    assert len(second["results"]) == 1 and second["next"] is None and second["previous"]
    assert first["results"][0]["subject"] == "Question 20"  # newest first


def test_my_tickets_runs_five_queries_whatever_the_number_of_tickets(signed_in, customer, agent):
    tickets_with_replies(customer, agent, 2)
    assert queries(signed_in, "/support/tickets/") == 5
    tickets_with_replies(customer, agent, 4)
    assert queries(signed_in, "/support/tickets/") == 5


def test_a_ticket_in_the_api_and_on_its_page_runs_a_fixed_number_of_queries(
    signed_in, customer, agent
):
    (ticket,) = tickets_with_replies(customer, agent, 1)
    assert queries(signed_in, f"/api/v1/tickets/{ticket.reference}") == 4
    # 7 with the answer offered after filing, looked up once while the ticket is open.
    assert queries(signed_in, f"/support/tickets/{ticket.reference}/") == 7
    for _ in range(3):
        services.ticket_reply(ticket=ticket, author=agent, body="One more thing")
    assert queries(signed_in, f"/api/v1/tickets/{ticket.reference}") == 4
    assert queries(signed_in, f"/support/tickets/{ticket.reference}/") == 7


def test_suggestions_run_four_queries(signed_in, demo_articles):
    assert queries(signed_in, "/api/v1/suggest", q="password") == 4
    assert queries(signed_in, "/api/v1/suggest", q="invoice card slack timesheets") == 4


def test_the_home_page_and_an_article_run_a_fixed_number_of_queries_for_a_visitor(
    client, demo_articles, settings
):
    settings.PAGE_CACHE_SECONDS = 0  # the render itself; stored pages are pinned below
    article = demo_articles["Reset your password"]
    assert queries(client, "/") == 10
    assert queries(client, article.url) == 13
    make_article("Change your e-mail address", "Under Settings, Profile.", category="Account")
    make_article("Refunds", "We refund within 14 days.", category="Billing")
    make_article("Leave a workspace", "Ask an owner to remove you.", category="Workspaces")
    assert queries(client, "/") == 10
    assert queries(client, article.url) == 13


def test_an_anonymous_reader_of_a_stored_page_costs_one_query(client, demo_articles):
    article = demo_articles["Reset your password"]
    assert queries(client, "/") == 1
    assert queries(client, article.url) == 1


@pytest.mark.parametrize("page", ["", "0", "last", "x"])
def test_a_page_that_is_not_a_number_from_one_is_refused(signed_in, page):
    response = signed_in.get("/api/v1/tickets", {"page": page})
    assert response.status_code == 400 and "page" in response.json()


def test_a_page_past_the_last_is_not_found(signed_in, customer):
    make_ticket(customer)
    assert signed_in.get("/api/v1/tickets", {"page": 2}).status_code == 404


def keystroke_queries(client, session_id, *texts) -> int:
    """Queries of the last of these keystrokes of the contact form (the page's script's POST)."""
    url = f"/api/v1/contact-sessions/{session_id}/suggestions"
    for n, text in enumerate(texts, start=1):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(url, {"description": text}, content_type="application/json")
        assert response.status_code == 200 and (n < len(texts) or response.json()["results"])
    return len(captured)


def test_a_keystroke_in_the_contact_form_runs_three_queries_between_drafts_saved(
    client, demo_articles
):
    session = uuid.uuid4()
    # A keystroke that writes: PostgreSQL also hears that this commit need not wait for the disk.
    writes = 7 + (connection.vendor == "postgresql")
    # The session read, two index checks (every request in tests, every 2 s in production),
    # then, as the cache does not know this session yet, in one transaction (a savepoint in
    # tests): the text kept, the articles this session was already shown.
    assert keystroke_queries(client, session, "reset my pass", "reset my password") == writes
    # Within CONTACT_DRAFT_SAVE_SECONDS nothing new was shown: the cache says so, no writes.
    assert keystroke_queries(client, session, "reset my password") == 3
    assert keystroke_queries(client, session, "reset my passwor") == 3
    make_article("Change your e-mail address", "Under Settings, Profile.", category="Account")
    make_article("Reset a forgotten PIN", "Ask your admin to reset your PIN.", category="Account")
    make_article("Refunds", "We refund within 14 days.", category="Billing")
    # The first keystroke after a publish loads the new index and records new articles shown;
    # the next, with nothing new, writes nothing again.
    assert keystroke_queries(client, session, "reset my password now", "reset my password now") == 3


def test_the_widgets_suggestions_run_two_queries_however_many_articles(client, demo_articles):
    assert queries(client, "/api/v1/widget/suggest", q="password") == 2
    make_article("Change your e-mail address", "Under Settings, Profile.", category="Account")
    make_article("Reset a forgotten PIN", "Ask your admin to reset your PIN.", category="Account")
    assert queries(client, "/api/v1/widget/suggest", q="reset password") == 2
