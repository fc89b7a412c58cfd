"""Measure auto-category on labelled questions, with the rule tickets are triaged by."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kb.evaluation import build_index, read_jsonl
from tickets.triage import choose_category, ticket_terms


class Command(BaseCommand):
    help = (
        "Guess each question's category as a new ticket's would be guessed (a strongly matching "
        "article's category, else the vote of similar resolved tickets from --resolved) and "
        "compare with the category of its relevant article. No database is used."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=Path, required=True)
        parser.add_argument("--queries", type=Path, required=True)
        parser.add_argument(
            "--resolved", type=Path, help="Questions taken as resolved tickets (their article's "
            "category is theirs).",
        )  # fmt: skip
        parser.add_argument(
            "--categories", type=Path,
            help="JSON object: article id -> category (default: each article's 'category').",
        )  # fmt: skip
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, articles, queries, resolved, categories, as_json, **options):
        records = read_jsonl(articles)
        category_of = (
            json.loads(categories.read_text())
            if categories
            else {r["id"]: r["category"] for r in records if r.get("category")}
        )
        if not category_of:
            raise CommandError("No categories: give --categories or articles with a 'category'.")
        index = build_index(articles)
        history = [
            (ticket_terms(q["text"], ""), category_of.get(q["relevant"][0]))
            for q in (read_jsonl(resolved) if resolved else [])
            if q.get("relevant") and category_of.get(q["relevant"][0])
        ]
        total = guessed = correct = 0
        for query in read_jsonl(queries):
            if not query.get("relevant") or query["relevant"][0] not in category_of:
                continue
            total += 1
            guess = choose_category(
                mine=ticket_terms(query["text"], ""),
                suggestions=index.suggest(query["text"], limit=1, snippets=False).suggestions,
                article_category=category_of.get,
                resolved=history,
            )
            guessed += guess is not None
            correct += guess == category_of[query["relevant"][0]]
        report = {
            "queries": total,
            "categories": len(set(category_of.values())),
            "guessed": guessed,
            "accuracy": correct / total if total else 0.0,
            "accuracy_when_guessed": correct / guessed if guessed else 0.0,
        }
        if as_json:
            self.stdout.write(json.dumps(report))
        else:
            self.stdout.write(
                f"{total} queries, {report['categories']} categories: guessed {guessed}, "
                f"accuracy {report['accuracy']:.3f} ({report['accuracy_when_guessed']:.3f} "
                "when a guess was made)"
            )
