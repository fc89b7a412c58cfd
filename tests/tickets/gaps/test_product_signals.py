"""Product signals: agents mark bug reports, feature requests and account actions when resolving,
and the product team sees them grouped by meaning, exports them and counts them weekly."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.factories import make_agent, make_ticket, make_user, signed_in
from tickets import groups
from tickets.backlog.reports import weekly_report_send
from tickets.models import Organization, Ticket
from tickets.services import ticket_resolve

pytestmark = pytest.mark.django_db
Status, Resolution = Ticket.Status, Ticket.Resolution
SIGNALS = "/django-admin/product-signals/"
CSV = SIGNALS + "product-signals.csv"
JSON = SIGNALS + "product-signals.json"

EXPORT_CRASH = [
    ("CSV export crashes", "The timesheet export to CSV fails with an error every time."),
    ("Export to CSV broken", "When I export timesheets as CSV the page shows an error."),
    ("Timesheet export error", "Exporting timesheets to a CSV file crashes since Monday."),
]
LOGIN_LOOP = ("Stuck in a sign-in loop", "After entering my password the login page reloads.")


@pytest.fixture
def product_manager():
    return make_user("pm@example.com", groups=[groups.PRODUCT_TEAM], is_staff=True)


def signal(subject, description, *, kind=Resolution.BUG_REPORT, days_ago=1, tier=None):
    """A ticket filed `days_ago` and resolved as `kind`, from an organization of `tier`."""
    ticket = make_ticket(None, subject=subject, description=description)
    ticket_resolve(ticket=ticket, actor=make_agent(f"a{ticket.pk}@example.com"), resolution=kind)
    organization = None
    if tier:
        organization = Organization.objects.create(name=f"Org {ticket.pk}", tier=tier)
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago), organization=organization
    )
    return ticket


@pytest.fixture
def bug_reports():
    tiers = [Organization.Tier.ENTERPRISE, Organization.Tier.PRO, Organization.Tier.ENTERPRISE]
    crash = [
        signal(s, d, days_ago=days, tier=tier)
        for (s, d), days, tier in zip(EXPORT_CRASH, (20, 3, 9), tiers, strict=True)
    ]
    signal(*LOGIN_LOOP, days_ago=2)
    return crash


@pytest.mark.parametrize(
    "kind", [Resolution.BUG_REPORT, Resolution.FEATURE_REQUEST, Resolution.ACCOUNT_ACTION]
)
def test_an_agent_resolves_a_ticket_as_a_product_signal_on_its_admin_page(agent, customer, kind):
    ticket = make_ticket(customer)
    page = signed_in(agent).get(f"/django-admin/tickets/ticket/{ticket.pk}/change/")
    assert f'value="{kind.value}"' in page.content.decode()
    response = signed_in(agent).post(
        f"/django-admin/tickets/ticket/{ticket.pk}/change/",
        {
            "status": Status.RESOLVED,
            "priority": ticket.priority,
            "category": "",
            "assignee": "",
            "reply": "",
            "resolution": kind.value,
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolution) == (Status.RESOLVED, kind)


@pytest.fixture(params=[True, False], ids=["by meaning", "by words"])
def semantic(request, settings):
    """Grouped like gaps: by meaning with the semantic layer, by words without it."""
    settings.SUGGEST_SEMANTIC = request.param


def test_similar_bug_reports_are_one_group_with_count_tiers_and_first_and_last_seen(
    semantic, product_manager, bug_reports
):
    html = signed_in(product_manager).get(SIGNALS).content.decode()
    bugs = html.split('data-testid="signals-bug_report"')[1].split("</section>")[0]
    assert "Bug report (4 tickets)" in bugs
    found = bugs.split('data-testid="signal-group"')[1:]
    assert len(found) == 2  # the export crash, then the sign-in loop
    crash, login = found
    assert 'data-testid="signal-count">3<' in crash and 'data-testid="signal-count">1<' in login
    assert "Enterprise 2, Pro 1" in crash
    first, last = (timezone.now() - timedelta(days=d) for d in (20, 3))
    assert first.strftime("%-d %b %Y") in crash and last.strftime("%-d %b %Y") in crash
    assert all(ticket.reference in crash for ticket in bug_reports)
    assert "Stuck in a sign-in loop" in login and "No organization 1" in login


def test_feature_requests_and_account_actions_are_listed_apart_from_bugs(product_manager):
    signal("Dark mode please", "Could you add a dark theme?", kind=Resolution.FEATURE_REQUEST)
    signal("Delete my account", "Please remove my account.", kind=Resolution.ACCOUNT_ACTION)
    html = signed_in(product_manager).get(SIGNALS).content.decode()
    sections = {
        kind: html.split(f'data-testid="signals-{kind}"')[1].split("</section>")[0]
        for kind in ("bug_report", "feature_request", "account_action")
    }
    assert "None in this period." in sections["bug_report"]
    assert "Dark mode please" in sections["feature_request"]
    assert "Delete my account" in sections["account_action"]
    assert "Dark mode please" not in sections["account_action"]


def test_tickets_resolved_otherwise_are_not_product_signals(product_manager, agent):
    ticket = make_ticket(None, subject="Where is the export button?")
    ticket_resolve(ticket=ticket, actor=agent, resolution=Resolution.NOT_KB)
    html = signed_in(product_manager).get(SIGNALS).content.decode()
    assert "Where is the export button?" not in html


def test_only_the_product_team_and_support_managers_see_product_signals(customer, agent):
    assert signed_in(customer).get(SIGNALS).status_code == 302  # not staff: admin sign-in
    assert Client().get(SIGNALS).status_code == 302
    for url in (SIGNALS, CSV, JSON):
        assert signed_in(agent).get(url).status_code == 403  # agents record them only
    manager = make_user("manager@example.com", groups=[groups.MANAGERS], is_staff=True)
    assert signed_in(manager).get(SIGNALS).status_code == 200


def test_the_admin_index_links_the_product_team_to_product_signals(product_manager, agent):
    assert (
        'data-testid="product-signals-link"'
        in signed_in(product_manager).get("/django-admin/").content.decode()
    )
    assert (
        'data-testid="product-signals-link"'
        not in signed_in(agent).get("/django-admin/").content.decode()
    )


def test_the_csv_export_has_a_row_per_group_most_tickets_first(product_manager, bug_reports):
    signal("=HYPERLINK(evil)", "Add a formula please", kind=Resolution.FEATURE_REQUEST)
    response = signed_in(product_manager).get(CSV)
    assert response["Content-Disposition"].startswith('attachment; filename="product-signals-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["kind"], row["tickets"]) for row in rows] == [
        ("bug_report", "3"),
        ("bug_report", "1"),
        ("feature_request", "1"),
    ]
    assert rows[0]["tiers"] == "enterprise=2; pro=1"
    assert all(ticket.reference in rows[0]["example_tickets"] for ticket in bug_reports)
    assert rows[2]["title"] == "'=HYPERLINK(evil)"  # a spreadsheet shows it, never runs it


def test_the_json_export_gives_the_same_groups_with_examples(product_manager, bug_reports):
    data = signed_in(product_manager).get(JSON, {"kind": "bug_report"}).json()
    assert [kind["kind"] for kind in data["kinds"]] == ["bug_report"]
    crash = data["kinds"][0]["groups"][0]
    assert crash["ticket_count"] == 3
    assert crash["tiers"] == {"enterprise": 2, "pro": 1}
    assert crash["first_seen"] < crash["last_seen"]
    assert {e["reference"] for e in crash["examples"]} == {t.reference for t in bug_reports}
    assert crash["examples"][0]["url"].endswith(f"/tickets/ticket/{bug_reports[1].pk}/change/")
    assert any("export" in term.lower() for term in crash["key_terms"])


def test_the_period_leaves_out_older_signals(product_manager, bug_reports):
    data = signed_in(product_manager).get(JSON, {"days": 10, "kind": "bug_report"}).json()
    assert [g["ticket_count"] for g in data["kinds"][0]["groups"]] == [2, 1]


def test_the_weekly_report_counts_the_weeks_product_signals():
    make_user("manager@example.com", groups=[groups.MANAGERS], is_staff=True)
    for _ in range(2):
        signal(*LOGIN_LOOP)
    signal("Dark mode please", "Could you add a dark theme?", kind=Resolution.FEATURE_REQUEST)
    old = signal("Delete my account", "Remove it.", kind=Resolution.ACCOUNT_ACTION)
    Ticket.objects.filter(pk=old.pk).update(resolved_at=timezone.now() - timedelta(days=8))
    assert weekly_report_send() == 1
    assert (
        "Product signals, last 7 days: 2 bug reports, 1 feature request, 0 account actions"
        in mail.outbox[-1].body
    )


def test_the_page_costs_the_same_queries_however_many_groups(
    product_manager, bug_reports, django_assert_max_num_queries
):
    client = signed_in(product_manager)
    client.get(SIGNALS)  # the first look stores any missing ticket vectors
    others = [
        "Invoice PDF shows the wrong VAT",
        "Push notifications arrive twice",
        "Calendar sync with Outlook stops",
        "Avatar upload rejects PNG files",
    ]
    for n, subject in enumerate(others):
        signal(subject, subject, days_ago=n + 1)
    # Sign-in and permissions, every ticket's words, then per kind: its tickets, their stored
    # vectors and the groups' tickets — not one more per group.
    with django_assert_max_num_queries(11):
        html = client.get(SIGNALS).content.decode()
    assert html.count('data-testid="signal-group"') == 6
