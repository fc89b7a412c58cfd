"""Backlog figures on hand-built ticket histories whose answers are known."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_article, make_category, make_user
from tickets import selectors
from tickets.backlog import metrics
from tickets.models import ContactSession, Organization, SupportSettings, Ticket, TicketEvent

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
OPEN, RESOLVED, CLOSED = "open", "resolved", "closed"


def at(text: str, tz=UTC) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


def history(created: str, *moves: tuple[str, str, str], **fields) -> Ticket:
    """A ticket created at `created` whose status then moved (when, from, to) as given."""
    status = moves[-1][2] if moves else "new"
    ticket = Ticket.objects.create(
        customer_email="c@example.com", subject="s", description="d", status=status, **fields
    )
    Ticket.objects.filter(pk=ticket.pk).update(created_at=at(created))
    for when, before, after in moves:
        event = TicketEvent.objects.create(
            ticket=ticket, kind=TicketEvent.Kind.STATUS, from_value=before, to_value=after
        )
        TicketEvent.objects.filter(pk=event.pk).update(created_at=at(when))
    ticket.refresh_from_db()
    return ticket


def weeks(rows):
    return {timezone.localtime(r["period"].start).date().isoformat(): r for r in rows}


@pytest.fixture
def known_history():
    history("2026-01-01T09:00")  # old and still open
    history("2026-11-16T10:00", ("2026-11-24T09:00", "new", RESOLVED))
    history(
        "2026-11-10T10:00",
        ("2026-11-12T10:00", "new", RESOLVED),
        ("2026-11-17T10:00", RESOLVED, OPEN),
        ("2026-11-24T10:00", OPEN, RESOLVED),
    )
    history("2026-11-22T23:30")  # Sunday night in UTC, Monday morning in Paris
    history(
        "2026-11-24T08:00",
        ("2026-11-24T09:00", "new", RESOLVED),
        ("2026-11-25T09:00", RESOLVED, CLOSED),
    )


def test_intake_burn_reopened_and_backlog_by_week(known_history):
    rows = weeks(metrics.flow(metrics.make_periods(count=3, now=NOW)))
    assert list(rows) == ["2026-11-09", "2026-11-16", "2026-11-23"]
    nine, sixteen, twentythree = rows.values()
    assert (nine["intake"], nine["burn"], nine["reopened"], nine["backlog"]) == (1, 1, 0, 1)
    assert (sixteen["intake"], sixteen["burn"], sixteen["reopened"]) == (2, 0, 1)
    assert sixteen["backlog"] == 4  # old one, the reopened one, two new ones
    assert (twentythree["intake"], twentythree["burn"], twentythree["reopened"]) == (1, 3, 0)
    assert twentythree["net"] == -2 and twentythree["backlog"] == 2
    assert Ticket.objects.filter(status__in=metrics.OPEN).count() == twentythree["backlog"]


def test_weeks_follow_the_local_time_zone(known_history):
    with timezone.override(ZoneInfo("Europe/Paris")):
        rows = weeks(metrics.flow(metrics.make_periods(count=2, now=NOW)))
    # 23:30 UTC on Sunday is 00:30 on Monday in Paris: it is intake of the later week there.
    assert rows["2026-11-16"]["intake"] == 1
    assert rows["2026-11-23"]["intake"] == 2


def test_days_work_like_weeks(known_history):
    rows = weeks(metrics.flow(metrics.make_periods(count=3, by="day", now=NOW)))
    assert list(rows) == ["2026-11-23", "2026-11-24", "2026-11-25"]
    assert (rows["2026-11-24"]["intake"], rows["2026-11-24"]["burn"]) == (1, 3)
    assert rows["2026-11-25"]["backlog"] == 2


def test_the_verdict_says_whether_the_backlog_grew(known_history):
    rows = metrics.flow(metrics.make_periods(count=2, now=NOW))
    assert metrics.verdict(rows) == "Backlog shrank by 2 this week: intake 1, burn 3."
    history("2026-11-25T10:00"), history("2026-11-25T10:30"), history("2026-11-25T11:00")
    rows = metrics.flow(metrics.make_periods(count=2, now=NOW))
    assert metrics.verdict(rows) == "Backlog grew by 1 this week: intake 4, burn 3."


def test_a_segment_only_counts_its_tickets(known_history):
    billing = make_category("Billing")
    history("2026-11-24T10:00", category=billing)
    segment = metrics.Segment("category", str(billing.pk))
    (row,) = metrics.flow(metrics.make_periods(count=1, now=NOW), segment=segment)
    assert (row["intake"], row["backlog"]) == (1, 1)
    pro = Organization.objects.create(name="Acme", tier=Organization.Tier.PRO)
    history("2026-11-24T11:00", organization=pro)
    tier = metrics.Segment("tier", Organization.Tier.PRO)
    (row,) = metrics.flow(metrics.make_periods(count=1, now=NOW), segment=tier)
    assert (row["intake"], row["backlog"]) == (1, 1)


def test_backlog_age_buckets_median_and_90th_percentile():
    for hours in (2, 30, 100, 200, 1000):
        history((NOW - timedelta(hours=hours)).replace(tzinfo=None).isoformat())
    history("2026-11-20T10:00", ("2026-11-21T10:00", "new", RESOLVED))  # not open: not counted
    age = metrics.backlog_age(now=NOW)
    assert [count for _key, _label, count in age["buckets"]] == [1, 1, 1, 1, 1]
    assert age["open"] == 5
    assert age["median"] == timedelta(hours=100)
    assert age["p90"] == timedelta(hours=1000)


def test_zombies_are_old_open_tickets_without_owner_or_agent_activity(agent):
    SupportSettings.objects.update_or_create(
        pk=1, defaults={"zombie_age_days": 14, "zombie_quiet_days": 7}
    )
    unowned = history("2026-11-01T10:00")
    quiet = history(
        "2026-11-01T10:00", assignee=agent, last_agent_activity_at=NOW - timedelta(days=10)
    )
    history("2026-11-01T10:00", assignee=agent, last_agent_activity_at=NOW - timedelta(days=2))
    history("2026-11-20T10:00")  # too young
    history("2026-11-01T10:00", ("2026-11-03T10:00", "new", RESOLVED))  # not open
    assert set(selectors.zombie_tickets(now=NOW)) == {unowned, quiet}
    SupportSettings.objects.filter(pk=1).update(zombie_age_days=30)
    assert not selectors.zombie_tickets(now=NOW).exists()


def test_segments_and_the_handful_of_categories_that_make_most_of_the_volume():
    big, mid, small = make_category("Billing"), make_category("Account"), make_category("Mobile")
    for category, n in ((big, 6), (mid, 3), (small, 1)):
        for _ in range(n):
            history("2026-11-24T10:00", category=category)
    result = metrics.segments(since=at("2026-11-23T00:00"))
    assert [(r["value"], r["volume"]) for r in result["category"]] == [
        ("Billing", 6),
        ("Account", 3),
        ("Mobile", 1),
    ]
    assert [r["value"] for r in result["top_categories"]] == ["Billing", "Account"]
    assert result["priority"][0] == {"value": "normal", "volume": 10, "backlog": 10}


def test_service_times_median_and_90th_percentile():
    for minutes in (10, 20, 30, 40, 600):
        ticket = history("2026-11-24T10:00")
        Ticket.objects.filter(pk=ticket.pk).update(
            first_response_at=at("2026-11-24T10:00") + timedelta(minutes=minutes),
            resolved_at=at("2026-11-24T10:00") + timedelta(hours=minutes),
        )
    times = metrics.service_times(since=at("2026-11-23T00:00"))
    assert times["first_response"]["median"] == timedelta(minutes=30)
    assert times["first_response"]["p90"] == timedelta(minutes=600)
    assert times["resolution"]["median"] == timedelta(hours=30)
    assert times["first_response"]["count"] == 5


def test_service_times_read_only_the_two_ranks_from_the_database(django_assert_num_queries):
    # Eleven answered tickets (1..10 hours, and one after 100), one unanswered, one too old.
    for hours in (5, 1, 100, 3, 9, 2, 7, 4, 10, 6, 8):
        ticket = history("2026-11-24T10:00")
        Ticket.objects.filter(pk=ticket.pk).update(
            first_response_at=at("2026-11-24T10:00") + timedelta(hours=hours),
            resolved_at=at("2026-11-24T10:00") + timedelta(days=hours),
        )
    history("2026-11-24T10:00")
    old = history("2026-11-01T10:00")
    Ticket.objects.filter(pk=old.pk).update(first_response_at=at("2026-11-30T10:00"))
    with CaptureQueriesContext(connection) as queries, django_assert_num_queries(6):
        times = metrics.service_times(since=at("2026-11-23T00:00"))
    # Sorted: 1 2 3 4 5 6 7 8 9 10 100; the median is the 6th, the 90th percentile the 10th.
    assert times["first_response"] == {
        "count": 11,
        "median": timedelta(hours=6),
        "p90": timedelta(hours=10),
    }
    assert times["resolution"] == {
        "count": 11,
        "median": timedelta(days=6),
        "p90": timedelta(days=10),
    }
    # Never every ticket into Python: a count, then one row per rank.
    assert all("COUNT(" in q["sql"].upper() or "LIMIT 1" in q["sql"].upper() for q in queries), [
        q["sql"] for q in queries
    ]


def test_service_times_without_any_answered_ticket_are_empty():
    history("2026-11-24T10:00")
    times = metrics.service_times(since=at("2026-11-23T00:00"))
    assert times["first_response"] == {"count": 0, "median": None, "p90": None}


def test_deflection_rate_by_week_top_articles_and_failed_searches():
    article = make_article("Reset your password")
    for outcome, created in [
        ("deflected", "2026-11-24T10:00"),
        ("deflected", "2026-11-24T11:00"),
        ("ticket", "2026-11-24T12:00"),
        ("ticket", "2026-11-17T12:00"),
        ("abandoned", "2026-11-24T12:00"),
    ]:
        session = ContactSession.objects.create(
            outcome=outcome,
            deflected_by=article if outcome == "deflected" else None,
            subject="Snowflake export" if outcome == "abandoned" else "x",
            top_relative=0.0,
        )
        ContactSession.objects.filter(pk=session.pk).update(created_at=at(created))
    result = metrics.deflection(metrics.make_periods(count=2, now=NOW))
    rates = [row["rate"] for row in result["rows"]]
    assert rates == [0.0, 2 / 3]
    assert result["rate"] == 0.5
    assert result["top_articles"][0]["deflected_by__title"] == "Reset your password"
    assert {"query": "snowflake export", "count": 1} in result["failed_searches"]


def test_the_summary_puts_everything_together(known_history):
    make_user("m@example.com")
    summary = metrics.backlog_summary(weeks=4, now=NOW)
    assert len(summary["flow"]) == 4
    assert summary["verdict"].startswith("Backlog shrank by 2")
    assert summary["age"]["open"] == 2
