"""SLA due times in business hours, and the escalation job (which escalates each breach once)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import make_agent, make_ticket
from tickets.models import Organization, SlaPolicy, SlaState, SupportSettings, Ticket, TicketEvent
from tickets.services import slas_check
from tickets.triage.sla import add_business_minutes, business_minutes_between

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")


def at(text: str, tz=UTC) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


@pytest.fixture
def hours():
    return SupportSettings.current()  # Monday to Friday, 9:00 to 17:00


@pytest.mark.parametrize(
    "start, minutes, due",
    [
        ("2026-11-23T10:00", 60, "2026-11-23T11:00"),  # Monday, inside hours
        ("2026-11-23T07:00", 30, "2026-11-23T09:30"),  # before opening: the clock starts at 9
        ("2026-11-27T16:30", 60, "2026-11-30T09:30"),  # Friday evening runs into Monday
        ("2026-11-28T12:00", 60, "2026-11-30T10:00"),  # Saturday counts nothing
        ("2026-11-23T18:00", 8 * 60, "2026-11-24T17:00"),  # a full business day
        ("2026-11-23T09:00", 5 * 8 * 60 + 1, "2026-11-30T09:01"),  # a whole week and a minute
    ],
)
def test_business_minutes_skip_nights_and_weekends(hours, start, minutes, due):
    assert add_business_minutes(at(start), minutes, settings=hours) == at(due)


def test_business_hours_follow_the_local_time_zone_and_daylight_saving(hours):
    paris = ZoneInfo("Europe/Paris")
    with timezone.override(paris):
        # Friday 24 October 2025 16:00 in Paris; the clocks go back on Sunday 26 October.
        due = add_business_minutes(at("2025-10-24T16:00", paris), 120, settings=hours)
        assert due == at("2025-10-27T10:00", paris)
        assert business_minutes_between(
            at("2025-10-24T16:00", paris), due, settings=hours
        ) == pytest.approx(120)


def test_custom_business_days(hours):
    hours.business_days = "0,1,2,3,4,5"  # Saturdays too
    assert add_business_minutes(at("2026-11-27T16:30"), 60, settings=hours) == at(
        "2026-11-28T09:30"
    )


def test_new_tickets_get_due_times_from_their_tier_and_priority(customer):
    enterprise = Organization.objects.create(
        name="Big", email_domain="big.example", tier=Organization.Tier.ENTERPRISE
    )
    enterprise.members.add(customer)
    ticket = make_ticket(customer, subject="Production down", description="Everything is offline")
    policy = SlaPolicy.objects.get(tier=Organization.Tier.ENTERPRISE, priority=ticket.priority)
    settings = SupportSettings.current()
    assert ticket.first_response_due_at == add_business_minutes(
        ticket.created_at, policy.first_response_minutes, settings=settings
    )
    assert ticket.sla_state == SlaState.OK


def test_the_job_marks_at_risk_then_breached_and_escalates_once(customer, agent):
    ticket = make_ticket(customer, subject="Export broken")
    Ticket.objects.filter(pk=ticket.pk).update(
        assignee=agent,
        created_at=at("2026-11-23T09:00"),
        first_response_due_at=at("2026-11-23T17:00"),
        resolution_due_at=at("2026-11-27T17:00"),
        priority="normal",
    )
    assert slas_check(now=at("2026-11-23T12:00"))["escalated"] == 0
    ticket.refresh_from_db()
    assert ticket.sla_state == SlaState.OK

    slas_check(now=at("2026-11-23T16:00"))  # 7 of 8 business hours used
    ticket.refresh_from_db()
    assert ticket.sla_state == SlaState.AT_RISK

    mail.outbox.clear()
    first = slas_check(now=at("2026-11-23T17:30"))
    again = slas_check(now=at("2026-11-23T17:45"))
    ticket.refresh_from_db()
    assert (first["escalated"], again["escalated"]) == (1, 0)
    assert ticket.sla_state == SlaState.BREACHED and ticket.priority == "high"
    assert "SLA breached" in ticket.priority_reason
    escalations = ticket.events.filter(kind=TicketEvent.Kind.ESCALATED)
    assert list(escalations.values_list("to_value", flat=True)) == ["first_response"]


def test_a_breach_on_an_unassigned_ticket_notifies_every_agent(customer, committed):
    make_agent("a1@example.com"), make_agent("a2@example.com")
    ticket = make_ticket(customer)
    Ticket.objects.filter(pk=ticket.pk).update(
        first_response_due_at=timezone.now() - timedelta(minutes=1)
    )
    mail.outbox.clear()
    with committed():
        slas_check()
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["a1@example.com", "a2@example.com"]
    assert "SLA breached" in mail.outbox[0].subject


def test_answering_in_time_meets_the_first_response_target(customer, agent):
    from tickets.services import ticket_reply

    ticket = make_ticket(customer)
    ticket_reply(ticket=ticket, author=agent, body="On it")
    Ticket.objects.filter(pk=ticket.pk).update(
        first_response_due_at=timezone.now() - timedelta(minutes=1),
        resolution_due_at=timezone.now() + timedelta(days=3),
        created_at=timezone.now() - timedelta(hours=1),
    )
    assert slas_check()["escalated"] == 0


def test_the_queue_shows_and_filters_by_sla(client, customer, agent):
    from tests.factories import PASSWORD

    late = make_ticket(customer, subject="Late one")
    make_ticket(customer, subject="Fine one")
    Ticket.objects.filter(pk=late.pk).update(sla_state=SlaState.BREACHED)
    client.login(username=agent.email, password=PASSWORD)
    html = client.get(
        "/django-admin/tickets/ticket/", {"sla_state__exact": "breached"}
    ).content.decode()
    assert "Late one" in html and "Fine one" not in html
    assert 'class="sla sla-breached"' in html
