"""CSAT, the share of good ratings, beside deflection: per period, agent and category."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import make_agent, make_category, make_ticket, make_user, signed_in
from tickets import groups, services
from tickets.backlog.metrics import backlog_summary
from tickets.backlog.reports import weekly_report_send
from tickets.models import SatisfactionRating, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return make_user("manager@example.com", groups=[groups.MANAGERS], is_staff=True)


def rated(rating, *, agent, category, weeks_ago=0):
    ticket = make_ticket(None, category=category)
    services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    services.ticket_resolve(ticket=ticket, actor=agent, resolution=Ticket.Resolution.NOT_KB)
    result = services.ticket_rate(ticket=ticket, rating=rating)
    SatisfactionRating.objects.filter(pk=result.pk).update(
        created_at=timezone.now() - timedelta(weeks=weeks_ago)
    )
    return result


@pytest.fixture
def ratings(agent):
    ann = make_agent("ann@example.com")
    billing, account = make_category("Billing"), make_category("Account")
    rated("good", agent=agent, category=billing)
    rated("good", agent=agent, category=billing)
    rated("bad", agent=ann, category=billing)
    rated("good", agent=ann, category=account)
    rated("bad", agent=ann, category=account, weeks_ago=2)


def test_csat_is_the_share_of_good_ratings_per_period_agent_and_category(ratings):
    csat = backlog_summary(weeks=4)["satisfaction"]
    assert [row["rate"] for row in csat["rows"]] == [None, 0.0, None, 0.75]
    assert (csat["good"], csat["bad"], csat["rate"]) == (3, 2, 0.6)
    by_agent = {row["agent"]: (row["good"], row["bad"], row["rate"]) for row in csat["by_agent"]}
    assert by_agent == {"agent@example.com": (2, 0, 1.0), "ann@example.com": (1, 2, 1 / 3)}
    by_category = {row["category"]: row["rate"] for row in csat["by_category"]}
    assert by_category == {"Billing": 2 / 3, "Account": 0.5}


def test_changing_a_rating_changes_csat_without_counting_twice(agent):
    rating = rated("bad", agent=agent, category=None)
    services.ticket_rate(ticket=rating.ticket, rating="good")
    csat = backlog_summary(weeks=1)["satisfaction"]
    assert (csat["good"], csat["bad"]) == (1, 0)


def test_the_dashboard_shows_csat_beside_deflection_with_a_chart_and_tables(manager, ratings):
    html = signed_in(manager).get("/django-admin/backlog/", {"weeks": 4}).content.decode()
    assert 'data-testid="csat">60%<' in html
    assert html.index('data-testid="deflection-rate"') < html.index('data-testid="csat"')
    assert "Customer satisfaction (CSAT): share of good ratings" in html  # the chart's title
    assert "ann@example.com" in html and "33%" in html and "Billing" in html


def test_the_csv_and_the_api_carry_csat(manager, ratings):
    client = signed_in(manager)
    response = client.get("/django-admin/backlog/backlog.csv", {"weeks": 4})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["ratings_good"], r["ratings_bad"], r["csat"]) for r in rows] == [
        ("0", "0", ""),
        ("0", "1", "0.0000"),
        ("0", "0", ""),
        ("3", "1", "0.7500"),
    ]
    data = client.get("/api/v1/metrics/backlog", {"weeks": 4}).json()["satisfaction"]
    assert (data["rate"], data["good"], data["bad"]) == (0.6, 3, 2)
    assert [row["rate"] for row in data["by_period"]] == [None, 0.0, None, 0.75]
    assert {row["category"] for row in data["by_category"]} == {"Billing", "Account"}


def test_the_weekly_report_gives_csat_beside_deflection(manager, ratings):
    assert weekly_report_send() == 1
    body = mail.outbox[-1].body
    assert "Customer satisfaction (CSAT): 60% (3 good, 2 bad)" in body
    assert body.index("Deflection rate") < body.index("Customer satisfaction (CSAT)")
    assert "agent@example.com 100% (2/2)" in body
