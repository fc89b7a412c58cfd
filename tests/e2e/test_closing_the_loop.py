"""End to end: customers hear when their question gets an article, and rate resolved tickets."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.editing import publish_from_the_editor
from tests.e2e.test_contact_flow import sign_in
from tests.factories import make_agent, make_article, make_editor, make_ticket, make_user
from tickets import services
from tickets.models import ArticleRequest, SatisfactionRating, Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("committed_db")]

QUESTIONS = [
    ("Export shifts to Snowflake", "We need our shift data in our Snowflake warehouse."),
    ("Snowflake export of shifts", "Can shift data go to Snowflake every night?"),
]


def notices_to(address):
    return [m for m in mail.outbox if m.to == [address] and "written an article" in m.subject]


def test_publishing_an_article_for_a_gap_tells_the_customer_once(live_server, new_page):
    make_article(
        "Reset your password", "Click Forgot password on the sign-in page.", category="Account"
    )
    make_article("Connect Slack", "Post shift changes to a Slack channel.", category="Integrations")
    agent = make_agent("agent@example.com")
    make_editor("editor@example.com")
    for subject, description in QUESTIONS:  # one guest asked twice
        ticket = make_ticket(
            None, subject=subject, description=description, email="sam@example.com"
        )
        services.ticket_resolve(ticket=ticket, actor=agent, resolution=Ticket.Resolution.KB_GAP)
    call_command("mine_gaps")
    request = ArticleRequest.objects.get()
    base = live_server.url
    mail.outbox.clear()

    editor = new_page()
    sign_in(
        editor,
        base,
        "editor@example.com",
        f"/admin/login/?next=/admin/articles-to-write/{request.pk}/",
    )
    expect(editor.locator("[data-testid=customers-told]")).to_have_text("0")
    editor.click("[data-testid=start-writing]")
    publish_from_the_editor(editor)

    (notice,) = notices_to("sam@example.com")
    assert notice.subject == f"We've written an article about your question: {request.title}"
    editor.goto(f"{base}/admin/articles-to-write/{request.pk}/")
    expect(editor.locator("[data-testid=customers-told]")).to_have_text("1")

    # Publishing again (a correction) does not e-mail the customer a second time.
    editor.goto(f"{base}/admin/pages/{ArticleRequest.objects.get().article_id}/edit/")
    publish_from_the_editor(editor)
    assert len(notices_to("sam@example.com")) == 1

    # The e-mail's link opens the article for the customer, signed in or not.
    article_path = re.search(r"http://testserver(/\S*)", notice.body).group(1)
    customer = new_page()
    customer.goto(base + article_path)
    expect(customer.locator("h1")).to_have_text(request.title)


def test_a_customer_rates_a_resolved_ticket_from_its_page(live_server, new_page):
    customer = make_user("customer@example.com")
    agent = make_agent("agent@example.com")
    ticket = make_ticket(customer, subject="Timesheet export fails")
    services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    services.ticket_resolve(ticket=ticket, actor=agent, resolution=Ticket.Resolution.NOT_KB)

    page = new_page()
    sign_in(
        page,
        live_server.url,
        "customer@example.com",
        f"/accounts/login/?next=/support/tickets/{ticket.reference}/",
    )
    rating = page.locator("[data-testid=rating]")
    expect(rating).to_contain_text("How did we do?")
    rating.get_by_label("Anything to add? (optional)").fill("Fixed within the hour")
    rating.locator("[data-testid=rate-good]").click()

    expect(page.locator(".messages")).to_contain_text("Thanks for telling us how it went.")
    expect(page.locator("[data-testid=rating-current]")).to_contain_text("You rated this: Good.")
    expect(page.locator("[data-testid=ticket-status]")).to_have_text("Resolved")
    saved = SatisfactionRating.objects.get(ticket=ticket)
    assert (saved.rating, saved.comment, saved.agent) == ("good", "Fixed within the hour", agent)

    page.locator("[data-testid=rate-bad]").click()  # changed their mind: still one rating
    expect(page.locator("[data-testid=rating-current]")).to_contain_text("You rated this: Bad.")
    assert SatisfactionRating.objects.get().rating == "bad"
