"""Where managers and agents see backlog health: dashboard, CSV, API, command, weekly e-mail."""

import csv
import io
import json
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from tests.factories import make_agent, make_ticket, make_user, signed_in
from tests.tickets.backlog.test_metrics import history
from tickets import groups
from tickets.backlog.reports import weekly_report_send

pytestmark = pytest.mark.django_db
DASHBOARD = "/django-admin/backlog/"


@pytest.fixture
def manager():
    return make_user("manager@example.com", groups=[groups.MANAGERS], is_staff=True)


@pytest.fixture
def some_tickets(customer):
    for n in range(3):
        make_ticket(customer, subject=f"Problem {n}")
    return history("2026-01-01T09:00")  # a zombie: months old and unassigned


def test_managers_and_agents_see_the_dashboard_with_charts_and_linked_numbers(
    manager, agent, some_tickets
):
    for user in (manager, agent):
        html = signed_in(user).get(DASHBOARD).content.decode()
        assert 'data-testid="verdict">Backlog grew by 3 this week: intake 3, burn 0.' in html
        assert html.count('<svg class="deflect-chart"') == 5  # with CSAT beside deflection
        assert 'role="img"' in html and "<title" in html
        assert 'data-testid="backlog-now">4<' in html and 'data-testid="zombie-count">1<' in html
        assert "/django-admin/tickets/ticket/?queue=open" in html
        assert "created_at__gte=" in html


def test_the_admin_index_links_to_the_dashboard(manager):
    assert 'data-testid="backlog-link"' in signed_in(manager).get("/django-admin/").content.decode()


def test_customers_editors_and_anonymous_visitors_cannot_see_it(customer, editor):
    assert signed_in(customer).get(DASHBOARD).status_code == 302  # not staff: admin login
    assert Client().get(DASHBOARD).status_code == 302
    staff_without_permission = make_user("staff@example.com", is_staff=True)
    assert signed_in(staff_without_permission).get(DASHBOARD).status_code == 403


def test_every_number_links_to_the_tickets_behind_it(manager, some_tickets):
    client = signed_in(manager)
    client.force_login(make_agent("a2@example.com"))
    zombies = client.get("/django-admin/tickets/ticket/?queue=zombie").content.decode()
    assert some_tickets.reference in zombies and "Problem 0" not in zombies
    html = client.get(DASHBOARD).content.decode()
    import re

    intake_link = re.search(r'href="(/django-admin/tickets/ticket/\?created_at__gte=[^"]+)"', html)
    listed = client.get(intake_link.group(1).replace("&amp;", "&")).content.decode()
    assert "Problem 0" in listed and "Problem 2" in listed


def test_one_click_assigns_a_zombie_to_me(some_tickets):
    agent = make_agent("zombie-hunter@example.com")
    client = signed_in(agent)
    response = client.post(
        f"/django-admin/tickets/ticket/{some_tickets.pk}/assign-to-me/", {"next": DASHBOARD}
    )
    assert response["Location"] == DASHBOARD
    some_tickets.refresh_from_db()
    assert some_tickets.assignee == agent


def test_filters_by_day_and_segment_and_rejects_nonsense(manager, some_tickets):
    client = signed_in(manager)
    assert client.get(DASHBOARD, {"by": "day", "weeks": 1}).status_code == 200
    assert client.get(DASHBOARD, {"priority": "urgent"}).status_code == 200
    assert client.get(DASHBOARD, {"weeks": "lots", "category": "x"}).status_code == 200


def test_csv_export_has_a_row_per_period(manager, some_tickets):
    response = signed_in(manager).get("/django-admin/backlog/backlog.csv", {"weeks": 4})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 4 and rows[-1]["intake"] == "3" and rows[-1]["backlog_at_end"] == "4"


def test_the_api_returns_the_figures_to_staff_only(manager, customer, some_tickets):
    data = signed_in(manager).get("/api/v1/metrics/backlog", {"weeks": 6}).json()
    assert len(data["flow"]) == 6 and data["flow"][-1]["intake"] == 3
    assert data["zombies"]["count"] == 1 and data["age"]["open"] == 4
    assert signed_in(customer).get("/api/v1/metrics/backlog").status_code == 403
    assert Client().get("/api/v1/metrics/backlog").status_code == 403
    assert signed_in(manager).get("/api/v1/metrics/backlog", {"weeks": 0}).status_code == 400


def test_backlog_report_command_prints_the_same_figures(some_tickets, capsys):
    call_command("backlog_report", "--weeks", "3")
    out = capsys.readouterr().out
    assert "Backlog grew by 3 this week: intake 3, burn 0." in out and some_tickets.reference in out
    call_command("backlog_report", "--json")
    assert json.loads(capsys.readouterr().out)["age"]["open"] == 4


def test_the_weekly_report_goes_to_support_managers_with_verdict_and_zombies(manager, some_tickets):
    make_user("someone@example.com")
    assert weekly_report_send() == 1
    (message,) = mail.outbox
    assert message.to == ["manager@example.com"]
    assert "Backlog grew by 3" in message.subject
    assert some_tickets.reference in message.body


def test_editors_see_the_weeks_failed_searches_on_the_wagtail_dashboard(editor):
    from kb.services import failed_search_record

    failed_search_record(query="Snowflake export")
    failed_search_record(query="snowflake   export")
    html = signed_in(editor).get("/admin/").content.decode()
    assert "“snowflake export” (2)" in html


def test_a_search_that_finds_nothing_is_counted(client, demo_articles):
    from kb.models import FailedSearch

    client.get("/search/", {"q": "quantum zebra"})
    client.get("/search/", {"q": "reset password"})
    assert list(FailedSearch.objects.values_list("query", "count")) == [("quantum zebra", 1)]


def test_seeded_history_is_consistent_with_a_replay_of_every_event(agent):
    from datetime import timedelta

    from django.db.models import Q
    from django.utils import timezone

    from tickets.backlog import metrics
    from tickets.models import Ticket, TicketEvent
    from tickets.seeding import historical_timestamps, seed_history

    with historical_timestamps():
        seed_history(tickets=400, days=120, seed=3, agents=[agent])
    periods = metrics.make_periods(count=10)
    rows = metrics.flow(periods)
    moves = TicketEvent.objects.filter(kind="status")
    for row in rows:
        end = min(row["period"].end, timezone.now() + timedelta(seconds=1))
        replayed = (
            Ticket.objects.filter(created_at__lt=end).count()
            - moves.filter(metrics.OUT, created_at__lt=end).count()
            + moves.filter(metrics.BACK, created_at__lt=end).count()
        )
        assert row["backlog"] == replayed
    assert rows[-1]["backlog"] == Ticket.objects.filter(~Q(status__in=metrics.DONE)).count()
    assert sum(row["intake"] for row in rows) > 0 and sum(row["burn"] for row in rows) > 0


def test_seeded_contact_sessions_that_filed_a_ticket_point_at_it(agent):
    from tickets.models import ContactSession
    from tickets.seeding import historical_timestamps, seed_history

    with historical_timestamps():
        seed_history(tickets=200, days=60, seed=5, agents=[agent])
    filed = ContactSession.objects.filter(outcome=ContactSession.Outcome.TICKET)
    assert filed.exists()
    assert not filed.filter(ticket__isnull=True).exists()
    assert all(session.ticket.subject == session.subject for session in filed)


def test_the_dashboard_lists_the_most_used_saved_replies_as_article_candidates(manager, agent):
    from tickets.models import SavedReply, Ticket
    from tickets.services import saved_reply_apply, ticket_resolve

    export = SavedReply.objects.create(title="Export steps", body="Open Reports, then Export.")
    waiting = SavedReply.objects.create(title="Thanks for waiting", body="We are on it.")
    SavedReply.objects.create(title="Never sent", body="Nothing.")
    for n in range(3):
        ticket = make_ticket(None, subject=f"Export {n}")
        saved_reply_apply(ticket=ticket, reply=export, agent=agent)
        if n < 2:
            ticket_resolve(ticket=ticket, actor=agent, resolution=Ticket.Resolution.KB_GAP)
    saved_reply_apply(ticket=make_ticket(None, subject="Slow"), reply=waiting, agent=agent)
    html = signed_in(manager).get(DASHBOARD).content.decode()
    table = html[html.index('data-testid="top-replies"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(
        r'<th scope="row">([^<]+)</th><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>', table
    )
    assert rows == [("Export steps", "3", "3", "2"), ("Thanks for waiting", "1", "1", "0")]
