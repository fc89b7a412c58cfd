"""End to end: the customer's pages on a phone (390×844) and at a desk (1280×800)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_contact_flow import sign_in
from tests.factories import make_article, make_ticket, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("committed_db")]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 800}


@pytest.fixture
def viewport_page(browser):
    contexts = []

    def make(viewport):
        context = browser.new_context(viewport=viewport)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def password_help():
    make_article(
        "Reset your password",
        "Click Forgot password on the sign-in page; we e-mail you a link.",
        category="Account",
    )
    make_article(
        "Set up two-factor authentication", "Use an authenticator app.", category="Account"
    )


def test_on_a_phone_suggestions_show_under_the_description_while_the_customer_types(
    live_server, viewport_page, password_help
):
    page = viewport_page(PHONE)
    page.goto(live_server.url + "/support/new/")
    page.locator("[name=description]").press_sequentially("I forgot my password", delay=20)
    suggestion = page.locator("[data-testid=suggestion]").first
    expect(suggestion).to_have_text("Reset your password")
    expect(suggestion).to_be_in_viewport()
    # Between what they type and Send: the answer comes before the button.
    send = page.locator("[data-testid=send-request]").bounding_box()
    assert suggestion.bounding_box()["y"] < send["y"]


def test_at_a_desk_suggestions_stay_beside_the_form(live_server, viewport_page, password_help):
    page = viewport_page(DESK)
    page.goto(live_server.url + "/support/new/")
    page.fill("[name=description]", "I forgot my password")
    suggestion = page.locator("[data-testid=suggestion]").first
    expect(suggestion).to_be_in_viewport()
    form = page.locator("#contact-form").bounding_box()
    assert suggestion.bounding_box()["x"] > form["x"] + form["width"]


def test_my_tickets_fits_a_phone_and_says_when_in_words(live_server, viewport_page):
    customer = make_user("customer@example.com")
    make_ticket(customer, subject="Timesheet export to CSV fails with an error since Monday")
    make_ticket(customer, subject="Card declined")
    page = viewport_page(PHONE)
    sign_in(page, live_server.url, customer.email, "/accounts/login/?next=/support/tickets/")
    expect(page.locator("h1")).to_have_text("My tickets")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(page.locator(".ticket-table time").first).to_have_text("just now")


def test_on_a_phone_the_header_is_one_line(live_server, viewport_page):
    customer = make_user("customer@example.com")
    page = viewport_page(PHONE)
    sign_in(page, live_server.url, customer.email, "/accounts/login/?next=/")
    header = page.locator(".header-row")
    brand, links = header.locator(".brand"), header.locator(".site-nav li")
    expect(links).to_have_count(4)  # Search, Contact us, My tickets, Sign out
    top = brand.bounding_box()
    for box in [links.nth(i).bounding_box() for i in range(4)]:
        assert abs((box["y"] + box["height"] / 2) - (top["y"] + top["height"] / 2)) < 8
        assert box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Every link whole: none scrolled out of sight inside the menu.
    assert header.locator(".site-nav").evaluate("nav => nav.scrollWidth <= nav.clientWidth")


def test_on_a_phone_the_search_hint_is_not_cut(live_server, viewport_page):
    page = viewport_page(PHONE)
    page.goto(live_server.url + "/")
    hint_fits = page.locator("#home-search").evaluate(
        """input => {
            const style = getComputedStyle(input);
            const context = document.createElement("canvas").getContext("2d");
            context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
            const room = input.clientWidth - parseFloat(style.paddingLeft)
                - parseFloat(style.paddingRight);
            return context.measureText(input.placeholder).width <= room;
        }"""
    )
    assert hint_fits


def test_a_ticket_page_keeps_its_buttons_off_the_footer(live_server, viewport_page):
    customer = make_user("customer@example.com")
    ticket = make_ticket(customer, subject="Card declined")
    for viewport in (PHONE, DESK):
        page = viewport_page(viewport)
        sign_in(
            page,
            live_server.url,
            customer.email,
            f"/accounts/login/?next=/support/tickets/{ticket.reference}/",
        )
        solved = page.locator("[data-testid=mark-solved]").bounding_box()
        footer = page.locator(".site-footer").bounding_box()
        assert footer["y"] - (solved["y"] + solved["height"]) >= 24
