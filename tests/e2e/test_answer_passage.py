"""End to end: while typing in the contact form, the customer reads the steps that answer under
the suggested article, and one click opens the article at those steps."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_widget import host_site  # noqa: F401  (the widget's host page)
from tests.factories import make_article

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("committed_db")]

EXPORT = """
<p>Any manager can export timesheets once a pay period is approved.</p>
<h2>Export a pay period</h2>
<ol><li>Open Reports, then Timesheets.</li><li>Pick the pay period.</li>
<li>Click Export and choose CSV &lt;comma-separated&gt;.</li></ol>
<p>Excel in some countries expects semicolons: open the file with Data, From text.</p>
"""


@pytest.fixture
def help_centre(settings):
    settings.SUGGEST_SEMANTIC = False  # the passage is ranked on words; meaning only slows this
    make_article(
        "Reset your password", "Click Forgot password on the sign-in page.", category="Account"
    )
    make_article("Download invoices", "Every invoice is a PDF under Settings.", category="Billing")
    return make_article("Export timesheets", EXPORT, category="Reports")


def test_the_steps_that_answer_show_under_the_suggestion_and_open_the_article_there(
    live_server, new_page, help_centre
):
    page = new_page()
    page.goto(live_server.url + "/support/new/")
    page.fill("[name=subject]", "How do I export timesheets")
    suggestion = page.locator("#suggestion-list li").filter(has_text="Export timesheets")
    expect(suggestion.locator("[data-testid=suggestion]")).to_have_text("Export timesheets")
    passage = suggestion.locator("[data-testid=passage]")
    expect(passage.locator(".passage-heading")).to_have_text("Export a pay period")
    steps = passage.locator("ol li")
    expect(steps).to_have_text(
        [
            "Open Reports, then Timesheets.",
            "Pick the pay period.",
            "Click Export and choose CSV <comma-separated>.",
        ]
    )
    # The article's text is shown as text, the customer's words marked.
    expect(steps.nth(2).locator("mark")).to_have_text("Export")

    passage.locator("[data-testid=passage-link]").click()
    expect(page).to_have_url(re.compile(r"/support/contact/[^/]+/article/\d+/#block-\w+$"))
    anchor = page.url.split("#")[1]
    target = page.locator(f"#{anchor}")
    expect(target).to_contain_text("Click Export and choose CSV")
    expect(target).to_be_in_viewport()
    assert (
        page.evaluate("document.querySelector(':target') && document.querySelector(':target').id")
        == anchor
    )


def test_the_widget_shows_the_steps_and_opens_the_help_centre_at_them(
    live_server, new_page, help_centre, request
):
    from tickets.models import WidgetOrigin

    origin = request.getfixturevalue("host_site")()
    WidgetOrigin.objects.create(origin=origin)
    page = new_page()
    page.goto(origin + "/billing/cards")
    page.click("[data-testid=widget-button]")
    page.fill("[data-testid=widget-input]", "how do I export timesheets")
    passage = page.locator("[data-testid=widget-passage]").first
    expect(passage.locator("ol li")).to_have_count(3)
    expect(passage.locator("ol li").nth(2)).to_have_text(
        "Click Export and choose CSV <comma-separated>."
    )
    expect(passage.locator("ol li").nth(2).locator("mark")).to_have_text("Export")

    with page.context.expect_page() as opened:
        passage.locator("[data-testid=widget-passage-link]").click()
    article = opened.value
    expect(article).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/.+#block-\w+$"))
    expect(article.locator(f"#{article.url.split('#')[1]}")).to_contain_text("Click Export")
