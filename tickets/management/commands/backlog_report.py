"""Print the backlog figures: intake against burn, age, zombies, segments, deflection."""

import json

from django.core.management.base import BaseCommand, CommandError

from tickets.backlog import metrics
from tickets.backlog.reports import report_text, summary_to_dict


class Command(BaseCommand):
    help = "Print backlog health for the last N weeks (or days)."

    def add_arguments(self, parser):
        parser.add_argument("--weeks", type=int, default=12)
        parser.add_argument("--by", choices=["week", "day"], default="week")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, weeks, by, as_json, **options):
        if not 1 <= weeks <= 104:
            raise CommandError("--weeks must be between 1 and 104.")
        summary = metrics.backlog_summary(weeks=weeks, by=by)
        self.stdout.write(json.dumps(summary_to_dict(summary)) if as_json else report_text(summary))
