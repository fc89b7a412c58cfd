"""End to end: a customer meets the answer while typing; otherwise the ticket reaches an agent."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_agent, make_article, make_user
from tickets.models import ContactSession, Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("committed_db")]


@pytest.fixture
def help_centre():
    articles = [
        (
            "Reset your password",
            "Click Forgot password on the sign-in page; we e-mail you a link.",
            "Account",
        ),
        (
            "Set up two-factor authentication",
            "Use an authenticator app for a second code.",
            "Account",
        ),
        (
            "Download invoices and receipts",
            "Every invoice is a PDF under Settings, Billing.",
            "Billing",
        ),
        (
            "Why was my card declined?",
            "Your bank refused the payment: check the expiry date.",
            "Billing",
        ),
        ("Connect Tandem to Slack", "Post shift changes into a Slack channel.", "Integrations"),
    ]
    return {title: make_article(title, body, category=cat) for title, body, cat in articles}


def sign_in(page, base, email, path="/accounts/login/"):
    page.goto(base + path)
    page.fill("[name=username]", email)
    page.fill("[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")


def test_a_customer_finds_the_answer_while_typing_and_no_ticket_is_filed(
    live_server, new_page, help_centre
):
    page = new_page()
    page.goto(live_server.url + "/support/new/")
    page.fill("[name=subject]", "I forgot my password")
    suggestion = page.locator("[data-testid=suggestion]").first
    expect(suggestion).to_have_text("Reset your password")
    suggestion.click()

    expect(page.locator("h1")).to_have_text("Reset your password")
    page.click("[data-testid=deflect-yes]")
    expect(page.locator("h1")).to_have_text("Glad we could help")

    session = ContactSession.objects.get()
    assert session.outcome == ContactSession.Outcome.DEFLECTED
    assert session.deflected_by == help_centre["Reset your password"]
    assert not Ticket.objects.exists()


def test_still_need_help_keeps_what_was_typed(live_server, new_page, help_centre):
    page = new_page()
    page.goto(live_server.url + "/support/new/")
    page.fill("[name=subject]", "My card was declined")
    page.fill("[name=description]", "The payment failed twice this morning.")
    page.locator("[data-testid=suggestion]", has_text="Why was my card declined?").click()
    page.click("[data-testid=deflect-no]")
    expect(page.locator("[name=subject]")).to_have_value("My card was declined")
    expect(page.locator("[name=description]")).to_have_value(
        "The payment failed twice this morning."
    )


def test_an_unanswered_question_becomes_a_ticket_that_an_agent_answers(
    live_server, new_page, help_centre
):
    customer = make_user("customer@example.com", first_name="Casey")
    make_agent("agent@example.com")
    base = live_server.url

    page = new_page()
    sign_in(page, base, customer.email, "/accounts/login/?next=/support/new/")
    page.fill("[name=subject]", "Export shifts to Snowflake")
    page.fill("[name=description]", "We need our data in our Snowflake warehouse every night.")
    page.wait_for_timeout(800)  # the debounced suggestion request comes back empty
    expect(page.locator("[data-testid=suggestion]")).to_have_count(0)
    page.click("[data-testid=send-request]")
    expect(page.locator("h1")).to_contain_text("Export shifts to Snowflake")
    ticket = Ticket.objects.get()
    expect(page.locator("h1")).to_contain_text(ticket.reference)

    page.goto(base + "/support/tickets/")
    expect(page.locator("table")).to_contain_text(ticket.reference)

    agent_page = new_page()
    sign_in(
        agent_page,
        base,
        "agent@example.com",
        "/django-admin/login/?next=/django-admin/tickets/ticket/",
    )
    agent_page.click(f"text={ticket.reference}")
    agent_page.fill("[name=reply]", "We don't support Snowflake yet; CSV export runs nightly.")
    agent_page.select_option("[name=status]", "resolved")
    agent_page.check("input[name=resolution][value=kb_gap]")
    agent_page.click("input[name=_save]")
    expect(agent_page.locator(".messagelist")).to_contain_text("changed successfully")

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED and ticket.resolution == Ticket.Resolution.KB_GAP

    page.goto(base + f"/support/tickets/{ticket.reference}/")
    expect(page.locator("[data-testid=thread-message]")).to_contain_text("CSV export runs nightly")
    expect(page.locator("[data-testid=ticket-status]")).to_have_text(re.compile("Resolved"))
