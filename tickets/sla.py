"""Service-level targets in business time: due moments, and the job that escalates breaches."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import SlaPolicy, SlaState, SupportSettings, Ticket, TicketEvent

PRIORITY_ORDER = ["low", "normal", "high", "urgent"]
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
    tier = ticket.organization.tier if ticket.organization_id else "free"
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


def _targets(ticket: Ticket) -> list[tuple[str, datetime]]:
    """The targets still running: first response until answered, resolution until resolved."""
    targets = []
    if ticket.first_response_at is None and ticket.first_response_due_at:
        targets.append(("first_response", ticket.first_response_due_at))
    if ticket.resolution_due_at:
        targets.append(("resolution", ticket.resolution_due_at))
    return targets


def check_slas(*, now: datetime | None = None) -> dict:
    """Mark tickets at risk or breached; escalate each breach once (safe to run any time)."""
    from . import notifications

    now = now or timezone.now()
    settings = SupportSettings.current()
    counts = {"at_risk": 0, "breached": 0, "escalated": 0}
    running = Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES).exclude(
        sla_state=SlaState.NONE
    )
    due_soon = running.filter(
        Q(first_response_at__isnull=True, first_response_due_at__lte=now + timedelta(days=30))
        | Q(resolution_due_at__lte=now + timedelta(days=30))
    )
    for pk in due_soon.values_list("pk", flat=True).iterator(2000):
        with transaction.atomic():
            ticket = (
                Ticket.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=pk)
            )
            overdue = [name for name, due in _targets(ticket) if due <= now]
            escalated = [target for target in overdue if _escalate(ticket, target, notifications)]
            counts["escalated"] += len(escalated)
            if overdue:
                state = SlaState.BREACHED
            elif any(_at_risk(ticket, name, due, now, settings) for name, due in _targets(ticket)):
                state = SlaState.AT_RISK
            else:
                state = ticket.sla_state if ticket.sla_state == SlaState.BREACHED else SlaState.OK
            if state != ticket.sla_state or escalated:
                ticket.sla_state = state
                ticket.save(update_fields=["sla_state", "priority", "updated_at"])
            counts[state] = counts.get(state, 0) + 1
    return counts


def _at_risk(ticket, name, due, now, settings) -> bool:
    total = business_minutes_between(ticket.created_at, due, settings=settings)
    used = business_minutes_between(ticket.created_at, now, settings=settings)
    return total > 0 and used >= settings.sla_at_risk_share * total


def _escalate(ticket: Ticket, target: str, notifications) -> bool:
    """Record the breach, raise the priority a step and tell whoever should act; once per target."""
    if ticket.events.filter(kind=TicketEvent.Kind.ESCALATED, to_value=target).exists():
        return False
    before = ticket.priority
    position = PRIORITY_ORDER.index(before) if before in PRIORITY_ORDER else 1
    ticket.priority = PRIORITY_ORDER[min(position + 1, len(PRIORITY_ORDER) - 1)]
    TicketEvent.objects.create(
        ticket=ticket, kind=TicketEvent.Kind.ESCALATED, from_value=before, to_value=target
    )
    if ticket.priority != before:
        TicketEvent.objects.create(
            ticket=ticket,
            kind=TicketEvent.Kind.PRIORITY,
            from_value=before,
            to_value=ticket.priority,
        )
    reason = _("SLA breached (%(target)s)") % {"target": target.replace("_", " ")}
    ticket.priority_reason = f"{ticket.priority}: {reason}"[:200]
    Ticket.objects.filter(pk=ticket.pk).update(priority_reason=ticket.priority_reason)
    for recipient in _who_acts(ticket):
        notifications.queue(ticket, notifications.Kind.SLA_BREACHED, recipient=recipient)
    return True


def _who_acts(ticket: Ticket) -> list[str]:
    if ticket.assignee_id and ticket.assignee.email:
        return [ticket.assignee.email]
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(groups__name="Agents", is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
