"""Create or update the portal's recurring jobs (also done automatically after `migrate`)."""

from django.core.management.base import BaseCommand

from portal.schedules import SCHEDULES, schedules_sync


class Command(BaseCommand):
    help = "Create or update the django-q2 schedules the portal relies on (idempotent)."

    def handle(self, *args, **options):
        created = schedules_sync()
        self.stdout.write(f"{len(SCHEDULES)} schedules in place, {len(created)} created.")
