"""End to end: tickets no article answered become an article, which then answers the next one."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from kb.models import CategoryPage
from tests.e2e.editing import publish_from_the_editor
from tests.e2e.test_contact_flow import sign_in
from tests.factories import make_agent, make_article, make_editor, make_ticket
from tickets.models import ArticleRequest, Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("committed_db")]

QUESTIONS = [
    ("Export shifts to Snowflake", "We need our shift data in our Snowflake warehouse."),
    ("Snowflake export of shifts", "Can shift data go to Snowflake every night?"),
]


def test_two_unanswered_tickets_become_an_article_that_answers_the_next_customer(
    live_server, new_page
):
    make_article(
        "Reset your password", "Click Forgot password on the sign-in page.", category="Account"
    )
    make_article(
        "Download invoices", "Invoices are PDFs under Settings, Billing.", category="Billing"
    )
    make_article("Connect Slack", "Post shift changes to a Slack channel.", category="Integrations")
    make_agent("agent@example.com")
    make_editor("editor@example.com")
    tickets = [make_ticket(None, subject=s, description=d) for s, d in QUESTIONS]
    base = live_server.url

    agent = new_page()
    sign_in(
        agent, base, "agent@example.com", "/django-admin/login/?next=/django-admin/tickets/ticket/"
    )
    for ticket in tickets:
        agent.check(f"input[name=_selected_action][value='{ticket.pk}']")
    agent.select_option("select[name=action]", "resolve_tickets")
    agent.click("button[name=index]")
    agent.check("input[name=resolution][value=kb_gap]")
    agent.click("input[name=apply]")
    expect(agent.locator(".messagelist")).to_contain_text("2 tickets resolved")
    assert set(Ticket.objects.values_list("resolution", flat=True)) == {"kb_gap"}

    call_command("mine_gaps")

    editor = new_page()
    sign_in(editor, base, "editor@example.com", "/admin/login/?next=/admin/articles-to-write/")
    rows = editor.locator("[data-testid=article-request]")
    expect(rows).to_have_count(1)
    expect(rows.locator("[data-testid=ticket-count]")).to_have_text("2")
    rows.locator("a").first.click()
    # The tickets had no category: nothing is created until the editor says where it goes.
    topics = set(CategoryPage.objects.values_list("title", flat=True))
    editor.click("[data-testid=start-writing]")
    expect(editor.locator(".messages")).to_contain_text("Choose the category the article goes in")
    assert set(CategoryPage.objects.values_list("title", flat=True)) == topics
    editor.select_option("[name=start-category]", label="Integrations")
    editor.click("[data-testid=start-writing]")
    expect(editor).to_have_url(
        f"{base}/admin/pages/{ArticleRequest.objects.get().article_id}/edit/"
    )
    publish_from_the_editor(editor)

    request = ArticleRequest.objects.get()
    assert request.status == ArticleRequest.Status.DONE

    customer = new_page()
    customer.goto(base + "/support/new/")
    customer.fill("[name=subject]", "Export our shifts to Snowflake")
    expect(customer.locator("[data-testid=suggestion]").first).to_have_text(request.title)
