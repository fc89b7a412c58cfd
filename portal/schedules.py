"""The recurring django-q2 jobs the portal needs, kept in step after every `migrate`."""

from datetime import timedelta

from django.utils import timezone
from django_q.models import Schedule

SCHEDULES = [
    # name, function, schedule type, minutes between runs
    ("Retry unsent e-mails", "tickets.tasks.send_due_notifications", Schedule.MINUTES, 1),
    (
        "Mark contact sessions abandoned",
        "tickets.tasks.abandon_stale_contact_sessions",
        Schedule.MINUTES,
        60,
    ),
    ("Rebuild the suggestion index if stale", "kb.tasks.build_suggest_index", Schedule.MINUTES, 10),
    ("Check SLAs and escalate breaches", "tickets.tasks.check_service_levels", Schedule.MINUTES, 5),
    (
        "Mine knowledge-base gaps (nightly)",
        "tickets.tasks.mine_knowledge_base_gaps",
        Schedule.DAILY,
        None,
    ),
    ("Weekly backlog report", "tickets.tasks.send_weekly_backlog_report", Schedule.WEEKLY, None),
]


NIGHTLY_HOUR = 2  # local time of the daily jobs


REPORT_HOUR = 7  # Monday morning, local time, for the weekly report


def _next_night(now):
    night = timezone.localtime(now).replace(hour=NIGHTLY_HOUR, minute=0, second=0, microsecond=0)
    return night if night > now else night + timedelta(days=1)


def _next_monday_morning(now):
    local = timezone.localtime(now).replace(hour=REPORT_HOUR, minute=0, second=0, microsecond=0)
    monday = local + timedelta(days=(7 - local.weekday()) % 7)
    return monday if monday > now else monday + timedelta(days=7)


def schedules_sync() -> list[str]:
    """Create or update each schedule by name; returns the names created."""
    created = []
    now = timezone.now()
    for name, func, schedule_type, minutes in SCHEDULES:
        defaults = {"func": func, "schedule_type": schedule_type, "minutes": minutes, "repeats": -1}
        first_run = {
            Schedule.DAILY: _next_night(now),
            Schedule.WEEKLY: _next_monday_morning(now),
        }.get(schedule_type, now)
        _, was_created = Schedule.objects.update_or_create(
            name=name, defaults=defaults, create_defaults={**defaults, "next_run": first_run}
        )
        if was_created:
            created.append(name)
    return created
