"""Import an existing knowledge base from a JSON Lines file."""

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kb.importing import import_lines


class Command(BaseCommand):
    help = (
        "Import articles from a JSONL file, one object a line: "
        '{"id", "title", "body", "category"?, "tags"?, "summary"?}. '
        "Re-importing an id updates its article with a new revision."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--category", help="Category for articles whose line names none (default: General)."
        )
        parser.add_argument(
            "--publish", action="store_true", help="Publish; otherwise save drafts."
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the summary as JSON."
        )

    def handle(self, *args, path: Path, category, publish, as_json: bool, **options):
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        started = time.perf_counter()
        with path.open(encoding="utf-8", errors="replace") as lines:
            report = import_lines(lines, default_category=category, publish=publish)
        summary = {**report.as_dict(), "seconds": round(time.perf_counter() - started, 2)}
        if as_json:
            self.stdout.write(json.dumps(summary))
            return
        for line, error in report.skipped:
            self.stderr.write(f"{path}:{line}: skipped: {error}")
        self.stdout.write(
            f"created {report.created}, updated {report.updated}, "
            f"skipped {len(report.skipped)} in {summary['seconds']}s"
        )
