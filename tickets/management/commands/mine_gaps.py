"""Group unanswered tickets into articles to write (also run nightly by django-q2)."""

import json

from django.core.management.base import BaseCommand

from tickets.gaps.mining import mine_gaps


class Command(BaseCommand):
    help = "Mine resolved tickets that no article answered into article-to-write requests."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, as_json, **options):
        report = mine_gaps()
        if as_json:
            self.stdout.write(json.dumps(report.as_dict()))
            return
        self.stdout.write(
            f"{report.created} requests created, {report.updated} updated, "
            f"{report.tickets_assigned} tickets assigned, {report.sessions_counted} abandoned "
            f"contacts and {report.searches_counted} failed searches counted "
            f"in {report.seconds}s"
        )
