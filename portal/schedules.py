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
    (
        "Mine knowledge-base gaps (nightly)",
        "tickets.tasks.mine_knowledge_base_gaps",
        Schedule.DAILY,
        None,
    ),
]


def schedules_sync() -> list[str]:
    """Create or update each schedule by name; returns the names created."""
    created = []
    for name, func, schedule_type, minutes in SCHEDULES:
        _, was_created = Schedule.objects.update_or_create(
            name=name,
            defaults={
                "func": func,
                "schedule_type": schedule_type,
                "minutes": minutes,
                "repeats": -1,
            },
        )
        if was_created:
            created.append(name)
    return created
