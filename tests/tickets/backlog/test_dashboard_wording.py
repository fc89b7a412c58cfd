"""What the dashboards say: charts a reader can read, percentages, periods and plurals."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import make_category, make_ticket, make_user, signed_in
from tickets import groups
from tickets.backlog.reports import weekly_report_send
from tickets.models import ContactSession

pytestmark = pytest.mark.django_db
DASHBOARD = "/django-admin/backlog/"


@pytest.fixture
def manager():
    return make_user("manager@example.com", groups=[groups.MANAGERS], is_staff=True)


def contact(outcome, *, days_ago: float, page: str = "") -> ContactSession:
    session = ContactSession.objects.create(subject="Help", outcome=outcome, source_page=page)
    when = timezone.now() - timedelta(days=days_ago)
    ContactSession.objects.filter(pk=session.pk).update(created_at=when)
    return session


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_chart_has_a_visible_title_axis_labels_and_a_legend(manager, customer):
    make_ticket(customer)
    html = signed_in(manager).get(DASHBOARD).content.decode()
    charts = re.findall(r'<svg class="deflect-chart".*?</svg>', html, flags=re.S)
    assert len(charts) == 5  # flow, backlog, age, deflection, satisfaction
    for chart in charts:
        for part in ["chart-title", "axis-label x", "axis-label y", "legend"]:
            assert f'class="{part}' in chart, (part, chart[:300])
    (age,) = [chart for chart in charts if ">Age of open tickets</text>" in chart]
    assert ">Age</text>" in age and ">Open tickets</text>" in age  # x and y axes
    assert re.search(r'class="legend[^"]*">[^<]*Open tickets<', age)


def test_the_top_categories_share_is_a_percentage(manager, customer):
    billing, account = make_category("Billing"), make_category("Account")
    for _n in range(5):
        make_ticket(customer, category=billing)
    make_ticket(customer, category=account)
    text = visible_text(signed_in(manager).get(DASHBOARD).content.decode())
    assert re.search(r"makes? up \d{1,3}% of the volume", text), text
    assert not re.search(r"\d\.\d+ of the volume", text)


def test_the_deflection_tile_and_the_wagtail_panel_give_the_same_rate_for_the_same_period(
    manager, editor
):
    deflected, filed = ContactSession.Outcome.DEFLECTED, ContactSession.Outcome.TICKET
    contact(deflected, days_ago=1)
    for _n in range(3):
        contact(filed, days_ago=2)
    for _n in range(6):  # weeks ago: part of the dashboard's 12 weeks, not of the last 7 days
        contact(deflected, days_ago=20)
    dashboard = visible_text(signed_in(manager).get(DASHBOARD).content.decode())
    wagtail = visible_text(signed_in(editor).get("/admin/").content.decode())
    assert "25% deflection rate, last 7 days" in dashboard
    assert "Deflection rate, last 7 days: 25%" in wagtail
    assert "this week" not in wagtail


def test_counts_of_one_are_singular_in_the_weekly_report_and_on_the_dashboard(manager, customer):
    contact(ContactSession.Outcome.DEFLECTED, days_ago=1, page="/billing/")
    ticket_contact = contact(ContactSession.Outcome.TICKET, days_ago=1, page="/billing/")
    assert ticket_contact.source_page == "/billing/"
    make_ticket(customer)
    weekly_report_send()
    (report,) = mail.outbox
    dashboard = visible_text(signed_in(manager).get(DASHBOARD).content.decode())
    for text in (report.body, dashboard):
        assert not re.search(r"\b1 (tickets|contacts|zombies|breaches)\b", text), text
    assert "1 deflected, 1 ticket filed" in report.body
    assert "1 contact answered by an article, 1 filed a ticket" in dashboard


def test_every_table_header_on_the_dashboard_says_what_its_column_or_row_holds(manager):
    from tests.tickets.backlog.test_metrics import history

    history("2026-01-01T09:00")  # a zombie, so that its table (with the assign button) shows
    html = signed_in(manager).get(DASHBOARD).content.decode()
    assert 'data-testid="zombies"' in html
    assert not re.search(r"<th[^>]*>\s*</th>", html)
