"""End to end: a ticket filed with a confident answer is closed from the e-mailed link."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.test_widget import host_site  # noqa: F401  (the customer's product, a fixture)
from tests.factories import make_article
from tickets.models import AnswerOffer, Ticket, WidgetOrigin

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("committed_db")]


@pytest.fixture
def help_centre():
    articles = [
        (
            "Reset your password",
            "<p>Forgotten it? Reset it yourself:</p><ol><li>Open the sign-in page.</li>"
            "<li>Click <b>Forgot password</b>.</li><li>Follow the link we e-mail you.</li></ol>",
            "Account",
        ),
        (
            "Download invoices and receipts",
            "Every invoice is a PDF under Settings, Billing.",
            "Billing",
        ),
        ("Connect Tandem to Slack", "Post shift changes into a Slack channel.", "Integrations"),
    ]
    return {title: make_article(title, body, category=cat) for title, body, cat in articles}


def test_a_customer_closes_their_ticket_from_the_answer_in_the_confirmation_e_mail(
    live_server, new_page, help_centre
):
    base = live_server.url
    mail.outbox.clear()
    page = new_page()
    page.goto(base + "/support/new/")
    page.fill("[name=email]", "robin@example.com")
    page.fill("[name=subject]", "I forgot my password")
    page.fill("[name=description]", "I cannot sign in because I forgot my password.")
    page.click("[data-testid=send-request]")
    ticket = Ticket.objects.get()
    expect(page.locator("h1")).to_contain_text(ticket.reference)
    # The confirmation page offers the answer: the article's steps, in order, and two choices.
    offer = page.locator("[data-testid=answer-offer]")
    expect(offer).to_contain_text("Reset your password")
    expect(offer.locator("ol li")).to_have_text(
        ["Open the sign-in page.", "Click Forgot password.", "Follow the link we e-mail you."]
    )
    expect(offer.locator("[data-testid=answer-still-need-help]")).to_be_visible()

    # The same offer in the confirmation e-mail; its link works in any browser, signed out.
    confirmation = next(m for m in mail.outbox if m.to == ["robin@example.com"])
    assert "1. Open the sign-in page." in confirmation.body
    link = re.search(r"http://testserver(/support/answer/\S+)", confirmation.body)[1]
    elsewhere = new_page()
    elsewhere.goto(base + link)
    ticket.refresh_from_db()
    assert ticket.is_open  # opening the link closes nothing
    elsewhere.click("[data-testid=answer-solved]")
    expect(elsewhere.locator("body")).to_contain_text(f"we closed {ticket.reference}")
    expect(elsewhere.locator("[data-testid=answer-outcome]")).to_contain_text("already closed")
    elsewhere.click("text=Open your request")
    expect(elsewhere.locator("[data-testid=ticket-status]")).to_have_text("Resolved")
    expect(elsewhere.locator("[data-testid=self-service-resolution]")).to_be_visible()

    ticket.refresh_from_db()
    assert ticket.resolution == Ticket.Resolution.SELF_SERVICE
    assert ticket.answer_offer.state == AnswerOffer.State.ACCEPTED


def test_the_widget_offers_the_answer_and_its_link_closes_the_ticket_in_one_click(
    live_server,
    new_page,
    host_site,  # noqa: F811
    help_centre,
):
    origin = host_site()
    WidgetOrigin.objects.create(origin=origin)
    page = new_page()
    page.goto(origin + "/billing/cards")
    page.click("[data-testid=widget-button]")
    page.click("[data-testid=widget-contact]")
    page.fill("#subject", "I forgot my password")
    page.fill("#description", "I cannot sign in because I forgot my password.")
    page.fill("#email", "visitor@example.com")
    page.click("[data-testid=widget-send]")
    offer = page.locator("[data-testid=widget-answer-offer]")
    expect(offer).to_contain_text("Reset your password")
    expect(offer.locator("li")).to_have_count(3)
    with page.expect_popup() as opened:
        page.click("[data-testid=widget-answer-solved]")
    portal = opened.value
    portal.click("[data-testid=answer-solved]")
    expect(portal.locator("[data-testid=answer-outcome]")).to_contain_text("already closed")
    ticket = Ticket.objects.get()
    assert ticket.resolution == Ticket.Resolution.SELF_SERVICE
