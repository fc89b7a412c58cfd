"""axe-core on the main pages of every role: no serious or critical violation anywhere.

axe-playwright-python bundles axe-core, so nothing is downloaded. Each page's counts by impact
are printed (pytest -s shows them) and, when AXE_REPORT names a file, written there as JSON.
"""

import json
import os
from collections import Counter

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.test_contact_flow import sign_in
from tests.e2e.test_staff_pages import DESK, screenshot
from tests.factories import make_agent, make_article, make_editor, make_ticket, make_user
from tickets import groups
from tickets.models import ArticleRequest
from tickets.services import ticket_reply

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("browser", "committed_db")]
BLOCKING = {"serious", "critical"}

# Violations waived because they sit in markup that is not ours and that we cannot change: one
# rule, on one page, and only while every element it flags matches the third-party widget's
# selector. Anything else the rule finds there still fails. Our own templates get no waiver.
THIRD_PARTY: dict[str, dict[str, str]] = {
    "article editor": {
        # Wagtail's tag field (jQuery UI tag-it) builds an extra text input with no label.
        "label": ".ui-autocomplete-input",
        # Wagtail's rich-text editor (Draftail on Draft.js): a role="textbox" without a name.
        "aria-input-field-name": ".notranslate",
    },
}

_axe = Axe()
_counts: dict[str, dict[str, int]] = {}


def audit(page, name: str) -> list[str]:
    """Run axe on the page; record its counts; return the blocking violations, described."""
    page.wait_for_load_state("networkidle")
    violations = _axe.run(page).response["violations"]
    waivers = THIRD_PARTY.get(name, {})
    counts, waived, blocking = Counter(), 0, []
    for violation in violations:
        targets = [" ".join(node["target"]) for node in violation["nodes"]]
        selector = waivers.get(violation["id"])
        if selector and all(selector in target for target in targets):
            waived += len(targets)
            continue
        counts[violation["impact"]] += len(targets)
        if violation["impact"] in BLOCKING:
            blocking.append(
                f"{name}: {violation['id']} ({violation['impact']}) {violation['help']}"
                f" at {'; '.join(targets[:3])}"
            )
    _counts[name] = {
        **{impact: counts[impact] for impact in ("critical", "serious", "moderate", "minor")},
        "waived (third-party)": waived,
    }
    print(f"axe {name}: {_counts[name]}")  # noqa: T201 (the counts are what the run reports)
    report = os.environ.get("AXE_REPORT")
    if report:
        with open(report, "w") as out:
            json.dump(_counts, out, indent=1)
    return blocking


def audit_all(page, base: str, pages: dict[str, str]) -> None:
    problems = []
    for name, path in pages.items():
        page.goto(base + path)
        problems += audit(page, name)
    assert not problems, "\n".join(problems)


@pytest.fixture
def desk():
    """Articles, a customer's ticket with an agent's reply, an article request, every role."""
    article = make_article(
        "Reset your password", "Click Forgot password on the sign-in page.", category="Account"
    )
    make_article("Download invoices", "Invoices are PDFs under Billing.", category="Billing")
    customer = make_user("customer@example.com")
    agent = make_agent("agent@example.com")
    make_editor("editor@example.com")
    make_user("manager@example.com", groups=[groups.MANAGERS], is_staff=True)
    ticket = make_ticket(customer, subject="Cannot reset my password", description="No e-mail.")
    ticket_reply(ticket=ticket, author=agent, body="Check your spam folder, please.")
    ArticleRequest.objects.create(title="Export shifts to Snowflake")
    return {"article": article, "ticket": ticket}


def a_page(new_page, base, email=None, path="/"):
    page = new_page()
    page.set_viewport_size(DESK)
    if email:
        sign_in(page, base, email, f"/accounts/login/?next={path}")
        page.wait_for_url(f"**{path}")
    return page


def test_customer_pages_have_no_serious_accessibility_violations(live_server, new_page, desk):
    base = live_server.url
    page = a_page(new_page, base, "customer@example.com", "/support/tickets/")
    audit_all(
        page,
        base,
        {
            "home": "/",
            "article": desk["article"].url,
            "search": "/search/?q=password",
            "contact form": "/support/new/",
            "my tickets": "/support/tickets/",
            "ticket page (customer)": f"/support/tickets/{desk['ticket'].reference}/",
        },
    )


def test_agent_pages_have_no_serious_accessibility_violations(live_server, new_page, desk):
    base = live_server.url
    page = a_page(new_page, base)
    sign_in(page, base, "agent@example.com", "/django-admin/login/?next=/django-admin/")
    expect(page.locator("#site-name")).to_be_visible()
    audit_all(
        page,
        base,
        {
            "queue": "/django-admin/tickets/ticket/",
            "ticket page (agent)": f"/django-admin/tickets/ticket/{desk['ticket'].pk}/change/",
        },
    )


def test_editor_pages_have_no_serious_accessibility_violations(live_server, new_page, desk):
    base = live_server.url
    page = a_page(new_page, base)
    sign_in(page, base, "editor@example.com", "/admin/login/?next=/admin/")
    page.wait_for_url(f"{base}/admin/")
    audit_all(
        page,
        base,
        {
            "Wagtail dashboard": "/admin/",
            "article editor": f"/admin/pages/{desk['article'].pk}/edit/",
            "articles to write": "/admin/articles-to-write/",
        },
    )


def test_the_managers_dashboard_has_no_serious_accessibility_violations(
    live_server, new_page, desk
):
    base = live_server.url
    page = a_page(new_page, base)
    sign_in(page, base, "manager@example.com", "/django-admin/login/?next=/django-admin/backlog/")
    page.wait_for_url(f"{base}/django-admin/backlog/")
    problems = audit(page, "backlog dashboard")
    screenshot(page, "staff-dashboard-1280x800.png")
    assert not problems, "\n".join(problems)
