"""The backlog audit: spike or steady growth and who drives it, handoffs, who zombies wait on."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import make_agent, make_category, make_ticket, make_user, signed_in
from tickets import groups, selectors, services
from tickets.backlog import audit, metrics
from tickets.backlog.reports import weekly_report_send
from tickets.models import Team, Ticket, TicketEvent

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=ZoneInfo("UTC"))  # a Wednesday
DASHBOARD = "/django-admin/backlog/"
QUEUE = "/django-admin/tickets/ticket/"


def filed(when: datetime, category=None, **fields) -> Ticket:
    ticket = Ticket.objects.create(
        customer_email="c@example.com", subject="s", description="d", category=category, **fields
    )
    Ticket.objects.filter(pk=ticket.pk).update(created_at=when)
    return ticket


def intake(*, now: datetime, days_ago: range, per_day: dict) -> None:
    """`per_day[category]` tickets each day, days counted back from today (0 is today)."""
    today = timezone.localtime(now).replace(hour=1, minute=0, second=0, microsecond=0)
    for ago in days_ago:
        for category, n in per_day.items():
            for _ in range(n):
                filed(today - timedelta(days=ago), category)


def burn(*, now: datetime, weeks_ago: int, count: int) -> None:
    """Resolve `count` tickets in the complete week `weeks_ago` weeks before the current one."""
    week = metrics.make_periods(count=weeks_ago + 1, by="week", now=now)[0]
    for ticket in Ticket.objects.filter(status="new").order_by("created_at")[:count]:
        Ticket.objects.filter(pk=ticket.pk).update(status="resolved")
        event = TicketEvent.objects.create(
            ticket=ticket, kind=TicketEvent.Kind.STATUS, from_value="new", to_value="resolved"
        )
        TicketEvent.objects.filter(pk=event.pk).update(created_at=week.start + timedelta(days=2))


def keep_up(*, now: datetime, weeks: int = 3) -> None:
    """Burn as many tickets as came in, in each of the last complete weeks."""
    for weeks_ago in range(1, weeks + 1):
        week = metrics.make_periods(count=weeks_ago + 1, by="week", now=now)[0]
        came_in = Ticket.objects.filter(created_at__gte=week.start, created_at__lt=week.end)
        burn(now=now, weeks_ago=weeks_ago, count=came_in.count())


@pytest.fixture
def billing():
    return make_category("Billing")


@pytest.fixture
def login():
    return make_category("Login")


def test_intake_above_its_usual_range_on_several_recent_days_is_a_spike(billing, login):
    intake(now=NOW, days_ago=range(7, 63), per_day={billing: 1, login: 1})
    intake(now=NOW, days_ago=range(0, 7), per_day={billing: 1, login: 1})
    intake(now=NOW, days_ago=range(1, 4), per_day={billing: 5})  # three busy days of billing
    keep_up(now=NOW)

    trend = audit.backlog_trend(now=NOW)

    assert trend.kind == "spike" and not trend.steady_growth
    assert trend.usual_high == 2 and trend.days_above == 3
    assert [d.category for d in trend.drivers] == ["Billing"]
    assert trend.drivers[0].recent == 22 and trend.drivers[0].usual == 7
    assert trend.sentence == (
        "Spike: intake was above its usual range (a usual day takes in at most 2) on 3 of the "
        "last 7 days. Driven by Billing (22, usually 7)."
    )


def test_one_busy_day_is_not_a_spike(billing):
    intake(now=NOW, days_ago=range(0, 63), per_day={billing: 2})
    intake(now=NOW, days_ago=range(2, 3), per_day={billing: 10})
    keep_up(now=NOW)

    trend = audit.backlog_trend(now=NOW)

    assert trend.days_above == 1 and trend.kind == "neither"


def test_a_new_help_desk_has_no_usual_range_to_spike_above(billing):
    intake(now=NOW, days_ago=range(0, 5), per_day={billing: 3})

    trend = audit.backlog_trend(now=NOW)

    assert trend.days_above == 5 and trend.kind == "neither"


def test_burn_below_intake_week_after_week_is_steady_growth_driven_by_what_grew(billing, login):
    intake(now=NOW, days_ago=range(0, 120), per_day={billing: 1, login: 1})
    intake(now=NOW, days_ago=range(0, 24), per_day={login: 1})  # Login grew for three weeks
    for weeks_ago in (1, 2, 3):
        burn(now=NOW, weeks_ago=weeks_ago, count=15)  # of 21 a week

    trend = audit.backlog_trend(now=NOW)

    assert trend.kind == "steady_growth" and not trend.spike
    assert trend.growth_weeks == 3 and (trend.growth_intake, trend.growth_burn) == (63, 45)
    assert [d.category for d in trend.drivers] == ["Login"]
    assert trend.sentence.startswith(
        "Steady growth: burn was below intake in each of the last 3 complete weeks "
        "(intake 63, burn 45). Driven by Login (42, usually 21)."
    )


def test_usual_intake_that_burn_keeps_up_with_is_neither(billing):
    intake(now=NOW, days_ago=range(0, 63), per_day={billing: 2})
    keep_up(now=NOW)

    trend = audit.backlog_trend(now=NOW)

    assert trend.kind == "neither" and trend.drivers == ()
    assert trend.sentence.startswith("Neither a spike nor steady growth")


def test_handoffs_count_reassignments_and_teams_per_resolved_ticket(billing, login):
    ann, bob = make_agent("ann@example.com"), make_agent("bob@example.com")
    engineering = Team.objects.create(name="Engineering")

    def worked(category, *steps, resolve=True):
        ticket = make_ticket(subject="Invoice is wrong", category=category)
        for step in steps:
            if isinstance(step, Team):
                services.ticket_set_waiting_on(ticket=ticket, team=step, actor=ann)
            else:
                services.ticket_assign(ticket=ticket, assignee=step, actor=ann)
        if resolve:
            services.ticket_resolve(ticket=ticket, actor=ann, resolution="not_kb")
        return ticket

    worked(billing, ann, bob, engineering)  # first assignment is no handoff: 2
    worked(billing, ann)  # 0
    worked(login, ann, bob, ann)  # 2
    worked(login, ann, bob, resolve=False)  # still open: not counted

    figures = audit.handoffs(since=timezone.now() - timedelta(days=1))

    assert (figures["resolved"], figures["handoffs"]) == (3, 4)
    assert figures["average"] == pytest.approx(4 / 3) and figures["median"] == 2
    assert [(r["category"], r["handoffs"], r["average"]) for r in figures["by_category"]] == [
        ("Billing", 2, 1.0),
        ("Login", 2, 2.0),
    ]
    assert figures["by_agent"] == [
        {"agent": "ann@example.com", "handoffs": 2},
        {"agent": "bob@example.com", "handoffs": 1},
    ]
    assert figures["by_team"] == [{"team": "Engineering", "handoffs": 1}]


def test_zombies_are_split_by_who_they_wait_on(agent):
    old = timezone.now() - timedelta(days=30)
    billing_team = Team.objects.create(name="Billing team")
    filed(old, status="pending", assignee=agent)  # the customer
    filed(old)  # nobody
    filed(old, status="open", assignee=agent)  # an agent, who stopped touching it
    filed(old, status="open", assignee=agent, waiting_on_team=billing_team)
    filed(timezone.now(), status="open")  # too young to be a zombie

    waits = audit.zombies_by_wait(selectors.zombie_tickets(now=timezone.now()))

    assert waits == {
        "customer": 1,
        "unassigned": 1,
        "agent": 1,
        "teams": [{"team": "Billing team", "count": 1}],
    }


def test_the_audit_reads_counts_not_tickets(billing, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            audit.backlog_trend(now=NOW)
            audit.handoffs(since=NOW - timedelta(weeks=12))
            audit.zombies_by_wait(selectors.zombie_tickets(now=NOW))
        return len(captured)

    # A bound, not an exact count: drivers and the median's OFFSET are read only when needed.
    intake(now=NOW, days_ago=range(0, 20), per_day={billing: 1})
    assert queries() <= 17
    intake(now=NOW, days_ago=range(0, 60), per_day={billing: 2, login: 3})
    intake(now=NOW, days_ago=range(0, 3), per_day={login: 9})
    keep_up(now=NOW)
    assert queries() <= 17


def test_managers_name_teams_in_the_admin_and_agents_hand_tickets_to_them(agent, customer):
    manager = make_user("manager@example.com", groups=[groups.MANAGERS], is_staff=True)
    response = signed_in(manager).post(
        "/django-admin/tickets/team/add/", {"name": "Engineering", "description": "Bugs"}
    )
    assert response.status_code == 302
    engineering = Team.objects.get(name="Engineering")
    ticket = make_ticket(customer, subject="Export crashes")

    page = signed_in(agent).get(f"{QUEUE}{ticket.pk}/change/").content.decode()
    assert 'name="waiting_on_team"' in page and ">Engineering</option>" in page
    response = signed_in(agent).post(
        f"{QUEUE}{ticket.pk}/change/",
        {
            "status": "open",
            "priority": ticket.priority,
            "category": "",
            "assignee": agent.pk,
            "waiting_on_team": engineering.pk,
            "reply": "",
            "resolution": "",
            "_save": "Save",
        },
    )
    assert response.status_code == 302

    ticket.refresh_from_db()
    assert ticket.waiting_on_team == engineering
    event = ticket.events.get(kind=TicketEvent.Kind.WAITING_ON)
    assert (event.actor, event.from_value, event.to_value) == (agent, "", "Engineering")
    queue = signed_in(agent).get(QUEUE).content.decode()
    assert '<td class="field-waiting_on">Engineering</td>' in queue
    services.ticket_resolve(ticket=ticket, actor=agent, resolution="not_kb")
    queue = signed_in(agent).get(QUEUE, {"status__exact": "resolved"}).content.decode()
    assert ticket.reference in queue and ">Engineering</td>" not in queue
    services.ticket_set_status(ticket=ticket, status="open", actor=agent)

    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=timezone.now() - timedelta(days=30),
        last_agent_activity_at=timezone.now() - timedelta(days=20),
    )
    dashboard = signed_in(manager).get(DASHBOARD).content.decode()
    assert (
        'data-testid="zombie-waits">Waiting on: the customer 0, an agent 0, '
        "nobody (unassigned) 0, Engineering 1.</p>"
    ) in dashboard


@pytest.fixture
def audited_backlog(billing):
    """Today's spike of billing tickets, and one resolved ticket handed on twice."""
    now = timezone.now()
    intake(now=now, days_ago=range(0, 63), per_day={billing: 1})
    intake(now=now, days_ago=range(0, 3), per_day={billing: 4})
    keep_up(now=now)
    ann, bob = make_agent("ann@example.com"), make_agent("bob@example.com")
    ticket = make_ticket(subject="Refund", category=billing)
    services.ticket_assign(ticket=ticket, assignee=ann, actor=ann)
    services.ticket_assign(ticket=ticket, assignee=bob, actor=ann)
    services.ticket_set_waiting_on(
        ticket=ticket, team=Team.objects.create(name="Finance"), actor=bob
    )
    services.ticket_resolve(ticket=ticket, actor=bob, resolution="not_kb")
    return ticket


def test_the_dashboard_says_spike_or_growth_and_shows_handoffs(audited_backlog):
    manager = make_user("manager@example.com", groups=[groups.MANAGERS], is_staff=True)

    html = signed_in(manager).get(DASHBOARD).content.decode()

    assert 'data-testid="trend">Spike: intake was above its usual range' in html
    assert "Driven by Billing" in html
    assert 'data-testid="handoffs-average">2.0<' in html
    by_category = html.split('data-testid="handoffs-by-category"')[1].split("</table>")[0]
    assert '<th scope="row">Billing</th><td>2</td><td>2.0</td>' in by_category
    assert '<th scope="row">ann@example.com</th><td>1</td>' in html
    assert '<th scope="row">Finance</th><td>1</td>' in html


def test_the_weekly_report_and_the_api_say_it_too(audited_backlog):
    manager = make_user("manager@example.com", groups=[groups.MANAGERS], is_staff=True)

    assert weekly_report_send() == 1

    body = mail.outbox[0].body
    assert "Spike: intake was above its usual range" in body and "Driven by Billing" in body
    assert "Handoffs per resolved ticket: 2.0 (median 2; 2 handoffs, 1 resolved)" in body
    assert "waiting on: the customer" in body
    data = signed_in(manager).get("/api/v1/metrics/backlog").json()
    assert data["trend"]["kind"] == "spike" and data["trend"]["drivers"][0]["category"] == "Billing"
    assert data["handoffs"]["average"] == 2.0 and data["zombies"]["waiting_on"]["teams"] == []


def test_seeded_demo_history_has_handoffs_to_colleagues_and_to_teams(agent):
    from tickets.seeding import TEAMS, historical_timestamps, seed_history

    with historical_timestamps():
        seed_history(tickets=300, days=60, seed=7, agents=[agent, make_agent("b@example.com")])

    figures = audit.handoffs(since=timezone.now() - timedelta(days=60))
    assert figures["resolved"] > 0 and figures["average"] > 0
    assert {row["agent"] for row in figures["by_agent"]} == {"agent@example.com", "b@example.com"}
    assert {row["team"] for row in figures["by_team"]} == set(TEAMS)
