"""End to end: the help widget embedded in another site, in a real browser."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from kb.models import ArticlePage
from tests.e2e.test_contact_flow import sign_in
from tests.factories import make_agent, make_article
from tickets.models import ContactSession, Ticket, WidgetOrigin

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("committed_db")]

HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Acme billing</title>
<style>button {{ background: rgb(255, 0, 0) !important; font-size: 40px !important; }}</style>
</head>
<body><h1>Billing settings</h1>
<script src="{portal}/static/widget/v1.js" data-portal="{portal}"
        data-context="billing/payment-method" async></script></body></html>"""


@pytest.fixture
def host_site(live_server):
    """Serve a page of "the customer's product" from another origin on loopback."""
    sites = []

    def start():
        page = HOST_PAGE.format(portal=live_server.url).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        sites.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in sites:
        server.shutdown()


@pytest.fixture
def billing_help():
    card = make_article(
        "Update your payment card", "Change the card we charge.", category="Billing"
    )
    card = ArticlePage.objects.get(pk=card.pk)
    card.help_places = "billing/payment-method"
    card.save_revision().publish()
    make_article("Download invoices", "Every invoice is a PDF under Billing.", category="Billing")
    make_article(
        "Reset your password", "Use Forgot password on the sign-in page.", category="Account"
    )
    return card


def test_the_widget_helps_on_the_page_deflects_and_files_a_ticket_with_the_page(
    live_server, new_page, host_site, billing_help
):
    origin = host_site()
    WidgetOrigin.objects.create(origin=origin)
    page = new_page()
    page.goto(origin + "/billing/cards")

    launch = page.locator("[data-testid=widget-button]")
    expect(launch).to_be_visible()
    styles = launch.evaluate(
        "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).fontSize]"
    )
    assert styles[0] != "rgb(255, 0, 0)" and styles[1] != "40px"  # the host's CSS cannot reach it
    launch.click()
    expect(page.locator("[data-testid=widget-article]").first).to_contain_text(
        "Update your payment card"
    )

    page.fill("[data-testid=widget-input]", "download my invoice")
    expect(page.locator("[data-testid=widget-article]").first).to_contain_text("Download invoices")
    page.locator("[data-testid=widget-article]").first.click()
    expect(page.locator("text=Every invoice is a PDF")).to_be_visible()
    page.click("[data-testid=widget-deflect-yes]")
    expect(page.locator("[data-testid=widget-thanks]")).to_be_visible()
    session = ContactSession.objects.get()
    assert session.outcome == "deflected" and session.source_page.startswith(
        f"{origin}/billing/cards"
    )

    page.keyboard.press("Escape")
    expect(page.locator("#panel")).to_be_hidden()
    launch.click()
    page.click("[data-testid=widget-contact]")
    page.fill("#subject", "Card keeps failing")
    page.fill("#description", "The new card is refused every time.")
    page.fill("#email", "visitor@example.com")
    page.click("[data-testid=widget-send]")
    expect(page.locator("[data-testid=widget-reference]")).to_contain_text("SUP-")
    ticket = Ticket.objects.get()
    assert ticket.source_page == f"{origin}/billing/cards [billing/payment-method]"

    make_agent("agent@example.com")
    agent = new_page()
    change = f"/django-admin/tickets/ticket/{ticket.pk}/change/"
    sign_in(agent, live_server.url, "agent@example.com", f"/django-admin/login/?next={change}")
    expect(agent.locator(".field-source_page_display")).to_contain_text(f"{origin}/billing/cards")


def test_a_site_that_is_not_listed_gets_nothing(live_server, new_page, host_site, billing_help):
    WidgetOrigin.objects.create(origin=host_site())
    stranger = host_site()  # another port: another origin, not listed
    page = new_page()
    page.goto(stranger + "/billing/cards")
    page.click("[data-testid=widget-button]")
    page.wait_for_timeout(1000)
    expect(page.locator("[data-testid=widget-article]")).to_have_count(0)
