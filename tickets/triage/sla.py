"""Service-level targets in business time: due moments, running targets, at risk or not.

The job that marks breaches and escalates them is a service (services/escalation.py).
"""

from datetime import datetime, timedelta

from django.utils import timezone

from tickets.models import Organization, SlaPolicy, SlaState, SupportSettings, Ticket

MAX_DAYS_SCANNED = 3660  # a calendar with no business days must not loop for ever


def _day_bounds(day, settings: SupportSettings, tz) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, settings.business_day_start), tz)
    end = timezone.make_aware(datetime.combine(day, settings.business_day_end), tz)
    return start, end


def add_business_minutes(start: datetime, minutes: float, *, settings: SupportSettings) -> datetime:
    """The moment `minutes` of business time after `start` (local business hours and days)."""
    tz = timezone.get_current_timezone()
    cursor = timezone.localtime(start, tz)
    remaining = timedelta(minutes=minutes)
    weekdays = settings.weekdays()
    for _day in range(MAX_DAYS_SCANNED):
        day_start, day_end = _day_bounds(cursor.date(), settings, tz)
        if cursor.weekday() in weekdays and cursor < day_end:
            begin = max(cursor, day_start)
            if remaining <= day_end - begin:
                return begin + remaining
            remaining -= day_end - begin
        next_day = cursor.date() + timedelta(days=1)
        cursor = timezone.make_aware(datetime.combine(next_day, datetime.min.time()), tz)
    return start + timedelta(minutes=minutes)  # no business days configured: wall-clock time


def business_minutes_between(start: datetime, end: datetime, *, settings: SupportSettings) -> float:
    """Business minutes from `start` to `end` (0 if end is earlier)."""
    tz = timezone.get_current_timezone()
    cursor, end = timezone.localtime(start, tz), timezone.localtime(end, tz)
    total = timedelta()
    weekdays = settings.weekdays()
    for _day in range(MAX_DAYS_SCANNED):
        if cursor >= end:
            break
        day_start, day_end = _day_bounds(cursor.date(), settings, tz)
        if cursor.weekday() in weekdays:
            begin, finish = max(cursor, day_start), min(end, day_end)
            if finish > begin:
                total += finish - begin
        next_day = cursor.date() + timedelta(days=1)
        cursor = timezone.make_aware(datetime.combine(next_day, datetime.min.time()), tz)
    return total.total_seconds() / 60


def policy_for(ticket: Ticket) -> SlaPolicy | None:
    tier = ticket.organization.tier if ticket.organization_id else Organization.Tier.FREE
    return SlaPolicy.objects.filter(tier=tier, priority=ticket.priority).first()


def apply_due_times(
    ticket: Ticket, *, settings: SupportSettings | None = None, policy: SlaPolicy | None = None
) -> None:
    """Set the ticket's SLA due moments from its tier and priority (not saved). Callers that
    hold the ticket's policy already (seeding thousands) pass it to save a query each."""
    policy = policy or policy_for(ticket)
    if policy is None:
        ticket.first_response_due_at = ticket.resolution_due_at = None
        ticket.sla_state = SlaState.NONE
        return
    settings = settings or SupportSettings.current()
    ticket.first_response_due_at = add_business_minutes(
        ticket.created_at, policy.first_response_minutes, settings=settings
    )
    ticket.resolution_due_at = add_business_minutes(
        ticket.created_at, policy.resolution_minutes, settings=settings
    )
    if ticket.sla_state in (SlaState.NONE, ""):
        ticket.sla_state = SlaState.OK


def running_targets(ticket: Ticket) -> list[tuple[str, datetime]]:
    """The targets still running: first response until answered, resolution until resolved."""
    targets = []
    if ticket.first_response_at is None and ticket.first_response_due_at:
        targets.append(("first_response", ticket.first_response_due_at))
    if ticket.resolution_due_at:
        targets.append(("resolution", ticket.resolution_due_at))
    return targets


def at_risk(ticket: Ticket, due: datetime, now: datetime, settings: SupportSettings) -> bool:
    """Most of the time to `due` is used up (SupportSettings.sla_at_risk_share)."""
    total = business_minutes_between(ticket.created_at, due, settings=settings)
    used = business_minutes_between(ticket.created_at, now, settings=settings)
    return total > 0 and used >= settings.sla_at_risk_share * total
