"""The contact form: suggestions before filing, deflection, one ticket per submission."""

import uuid

import pytest
from django.core import mail
from django.test import Client

from tests.factories import PASSWORD
from tickets.models import ContactSession, SuggestionShown, Ticket

pytestmark = pytest.mark.django_db
NEW = "/support/new/"


def contact_data(**overrides):
    data = {
        "subject": "I forgot my password",
        "description": "I cannot sign in because I forgot my password.",
        "email": "guest@example.com",
        "session": str(uuid.uuid4()),
        "submission": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_the_form_asks_anonymous_visitors_for_their_email_but_not_signed_in_customers(
    client, customer
):
    html = client.get(NEW).content.decode()
    assert 'name="email"' in html and 'name="subject"' in html and 'name="description"' in html
    assert 'data-testid="send-request"' in html and 'aria-live="polite"' in html
    client.login(username=customer.email, password=PASSWORD)
    assert 'name="email"' not in client.get(NEW).content.decode()


def test_without_javascript_the_first_submit_shows_matching_articles_first(client, demo_articles):
    response = client.post(NEW, contact_data(action="check"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Before you send: these articles may answer it" in html
    assert "Reset your password" in html
    assert html.count('data-testid="suggestion"') >= 1
    assert 'data-testid="deflect-yes"' in html and 'data-testid="send-request"' in html
    assert not Ticket.objects.exists()


def test_this_solved_it_records_a_deflection_and_files_nothing(client, demo_articles):
    data = contact_data(action="check")
    client.post(NEW, data)
    article = demo_articles["Reset your password"]
    response = client.post(f"/support/contact/{data['session']}/deflect/", {"article": article.pk})
    assert response.status_code == 302
    thanks = client.get(response["Location"])
    assert "Glad we could help" in thanks.content.decode()
    session = ContactSession.objects.get(pk=data["session"])
    assert session.outcome == ContactSession.Outcome.DEFLECTED and session.deflected_by == article
    assert not Ticket.objects.exists()


def test_send_my_request_files_the_ticket_and_shows_it(client, demo_articles, committed):
    data = contact_data(action="check")
    client.post(NEW, data)
    with committed():
        response = client.post(NEW, {**data, "action": "send"})
    ticket = Ticket.objects.get()
    assert response["Location"] == f"/support/tickets/{ticket.reference}/"
    page = client.get(response["Location"]).content.decode()
    assert ticket.reference in page and "I forgot my password" in page
    assert ticket.contact_session_id == uuid.UUID(data["session"])
    assert ticket.contact_session.suggestions_shown.exists()  # the agent sees what was shown
    assert mail.outbox[0].to == ["guest@example.com"]
    assert "/support/t/" in mail.outbox[0].body  # a personal link, since there is no account


def test_nothing_matching_files_the_ticket_straight_away(client, demo_articles):
    response = client.post(
        NEW,
        contact_data(
            subject="Snowflake warehouse sync",
            description="Does it sync with Snowflake?",
            action="check",
        ),
    )
    assert response.status_code == 302
    assert Ticket.objects.get().subject == "Snowflake warehouse sync"


def test_submitting_the_same_form_twice_files_one_ticket(client, demo_articles):
    data = contact_data(action="send")
    first = client.post(NEW, data)
    second = client.post(NEW, data)
    assert Ticket.objects.count() == 1
    assert first["Location"] == second["Location"]


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("subject", "x" * 201, "at most 200 characters"),
        ("description", "x" * 20001, "at most 20000 characters"),
        ("subject", "   ", "required"),
        ("email", "not-an-email", "valid email"),
        ("email", "", "required"),
        ("email", "a@example.com\nBcc: victim@example.com", "valid email"),
        ("subject", "nul\x00byte", "null characters are not allowed"),
    ],
)
def test_bad_input_is_a_clear_error_and_nothing_is_filed(client, field, value, message):
    response = client.post(NEW, contact_data(**{field: value, "action": "send"}))
    assert response.status_code == 400
    assert message in response.content.decode().lower().replace("&#x27;", "'")
    assert not Ticket.objects.exists()
    assert 'value="I forgot my password"' in response.content.decode() or field == "subject"


def test_the_honeypot_stops_bots(client):
    response = client.post(NEW, contact_data(website="http://spam.example", action="send"))
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_control_characters_are_stripped_and_html_is_shown_escaped(client, committed):
    with committed():
        client.post(
            NEW,
            contact_data(
                subject="Bad\x07\x1b <script>alert(1)</script>",
                action="send",
                description="<img src=x onerror=alert(1)>",
            ),
        )
    ticket = Ticket.objects.get()
    assert ticket.subject == "Bad <script>alert(1)</script>"
    page = client.get(f"/support/tickets/{ticket.reference}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_page_the_customer_came_from_is_kept(client, demo_articles):
    form = client.get(NEW, {"from": "https://app.example.com/billing"}).content.decode()
    assert 'value="https://app.example.com/billing"' in form
    client.post(NEW, contact_data(source_page="https://app.example.com/billing", action="send"))
    assert Ticket.objects.get().source_page == "https://app.example.com/billing"


def test_an_article_opened_from_the_contact_flow_asks_whether_it_answered(client, demo_articles):
    data = contact_data(action="check")
    client.post(NEW, data)
    article = demo_articles["Reset your password"]
    html = client.get(f"/support/contact/{data['session']}/article/{article.pk}/").content.decode()
    assert "Did this answer your question?" in html
    assert 'data-testid="deflect-yes"' in html and 'data-testid="deflect-no"' in html
    assert "Click Forgot password" in html
    shown = SuggestionShown.objects.get(session_id=data["session"], article=article)
    assert shown.clicked_at is not None


def test_no_i_still_need_help_returns_to_the_form_with_everything_typed(client, demo_articles):
    data = contact_data(action="check")
    client.post(NEW, data)
    html = client.get(NEW, {"session": data["session"]}).content.decode()
    assert 'value="I forgot my password"' in html
    assert "I cannot sign in because I forgot my password." in html
    assert 'value="guest@example.com"' in html
    assert f'value="{data["session"]}"' in html


def test_another_browser_cannot_use_someone_elses_contact_session(client, demo_articles):
    data = contact_data(action="check")
    client.post(NEW, data)
    article = demo_articles["Reset your password"]
    stranger = Client()
    assert (
        stranger.get(f"/support/contact/{data['session']}/article/{article.pk}/").status_code == 404
    )
    assert (
        stranger.post(
            f"/support/contact/{data['session']}/deflect/", {"article": article.pk}
        ).status_code
        == 404
    )
    html = stranger.get(NEW, {"session": data["session"]}).content.decode()
    assert "I forgot my password" not in html


def test_a_signed_in_customer_files_under_their_account(client, customer, demo_articles):
    client.login(username=customer.email, password=PASSWORD)
    data = contact_data(action="send")
    del data["email"]
    client.post(NEW, data)
    ticket = Ticket.objects.get()
    assert ticket.customer == customer and ticket.customer_email == customer.email
    assert ticket.reference in client.get("/support/tickets/").content.decode()
