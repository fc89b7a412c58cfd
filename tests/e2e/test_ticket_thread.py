"""End to end: a ticket's conversation reads as text to the agent and the customer, links work."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.test_contact_flow import sign_in
from tests.factories import make_agent, make_article, make_ticket, make_user
from tickets import services

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("committed_db")]

HOSTILE = '<img src=x onerror="window.pwned=1"><script>window.pwned=1</script><b>bold?</b>'


def agent_ticket_page(new_page, base, ticket):
    page = new_page()
    sign_in(
        page,
        base,
        "agent@example.com",
        f"/django-admin/login/?next=/django-admin/tickets/ticket/{ticket.pk}/change/",
    )
    # Let the admin's own requests finish: one still running after the test would write to
    # the database the next test starts from.
    page.wait_for_load_state("networkidle")
    return page


def test_the_agent_reads_the_conversation_as_text_not_as_markup(live_server, new_page):
    customer = make_user("customer@example.com")
    make_agent("agent@example.com")
    ticket = make_ticket(
        customer,
        subject="Export fails",
        description="Hi,\nI can't export my timesheets.\n\nIt's been a week.",
    )
    services.ticket_reply(ticket=ticket, author=customer, body=f"Still broken. {HOSTILE}")

    page = agent_ticket_page(new_page, live_server.url, ticket)
    thread = page.locator(".deflect-thread")
    expect(thread).to_contain_text("I can't export my timesheets.")
    text = thread.inner_text()
    for markup in ("<p>", "</p>", "<br>", "&lt;", "&#x27;", "&amp;"):
        assert markup not in text, f"{markup!r} shows as text on the agent's page"
    # Two paragraphs and a line break, rendered as such.
    assert thread.locator(".deflect-message").first.locator("p").count() == 3  # meta + 2
    assert thread.locator(".deflect-message").first.locator("br").count() == 1
    # What the customer typed as markup is shown as the text they typed, and does nothing.
    expect(thread).to_contain_text('<img src=x onerror="window.pwned=1">')
    expect(thread).to_contain_text("<b>bold?</b>")
    assert thread.locator("img, script, b").count() == 0
    assert page.evaluate("window.pwned") is None


def test_an_article_an_agent_inserts_is_a_link_the_customer_clicks(live_server, new_page):
    customer = make_user("customer@example.com")
    make_agent("agent@example.com")
    make_article(
        "Export timesheets to CSV",
        "Download approved timesheets as a CSV file for payroll.",
        category="Reports",
    )
    ticket = make_ticket(
        customer, subject="Export timesheets", description="How do I export timesheets to CSV?"
    )
    base = live_server.url

    agent = agent_ticket_page(new_page, base, ticket)
    agent.fill("[name=reply]", "This article walks you through it:")
    agent.select_option("[name=reply_article]", label="Export timesheets to CSV")
    agent.click("input[name=_save]")
    expect(agent.locator(".messagelist")).to_contain_text("changed successfully")

    ticket_url = f"/support/tickets/{ticket.reference}/"
    page = new_page()
    sign_in(page, base, customer.email, f"/accounts/login/?next={ticket_url}")
    link = page.locator("[data-testid=thread-message] a").first
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
    link.click()
    expect(page.locator("h1")).to_have_text("Export timesheets to CSV")

    # The plain-text e-mail carries the article's address, which mail programs make a link.
    article_url = f"{base}/reports/export-timesheets-to-csv/"
    reply = next(m for m in mail.outbox if "This article walks you through it" in m.body)
    assert article_url in reply.body
